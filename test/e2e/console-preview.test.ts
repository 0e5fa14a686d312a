import type { Frame, FrameLocator, Page, Response } from 'playwright-core'
import {
  decodeJsonEscapes,
  findLeaks,
  findMissing,
  seedIssueId,
  setUpConsole,
  signInToConsole,
  unfoldAnswers,
  useStackAndBrowser,
  vipSentences,
  withPage,
  type RecordedResponse,
} from './harness'

/**
 * 预览 in the operator console, end to end: an editor signs in by password, opens 预览 for the
 * seed issue (a VIP issue) and sees it in a phone-sized frame of the real H5 build, which reads it
 * with the preview ticket. As 游客, 未开通VIP and 朋友圈单页 the frame shows the paywall, and no VIP
 * sentence reaches the frames in any response; as VIP会员 the VIP part is there.
 */
jest.setTimeout(180_000)

const SEED_FILE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const EDITOR = { name: 'yulan-e2e', password: 'correct-horse-battery', role: 'editor' as const }

const env = useStackAndBrowser({}, ({ stack }) => setUpConsole(stack, EDITOR))

/** Every response a frame inside the console (not the console itself) receives, with its body. */
function recordFrameResponses(page: Page): {
  responses: (RecordedResponse & { ticket: string })[]
  settle(): Promise<void>
} {
  const responses: (RecordedResponse & { ticket: string })[] = []
  const pending: Promise<void>[] = []
  const inFrame = (frame: Frame | null) => frame !== null && frame !== page.mainFrame()
  page.on('response', (response: Response) => {
    let frame: Frame | null = null
    try {
      frame = response.frame()
    } catch {
      // A service worker's request has no frame: not the preview's.
    }
    if (!inFrame(frame)) return
    const ticket = response.request().headers()['x-preview-ticket'] ?? ''
    pending.push(
      response.body().then(
        (body) =>
          void responses.push({ url: response.url(), status: response.status(), body: body.toString('utf8'), ticket }),
        () => undefined,
      ),
    )
  })
  return {
    responses,
    settle: async () => {
      while (pending.length > 0) await Promise.all(pending.splice(0))
    },
  }
}

async function openPreview(page: Page, origin: string, issueId: number): Promise<void> {
  await signInToConsole(page, origin, EDITOR)
  await page.getByRole('menuitem', { name: '期刊' }).click()
  await page
    .locator(`tr[data-row-key="${issueId}"]`)
    .getByRole('button', { name: /预\s*览/ })
    .click()
}

/** The text of the preview frame once the app shows the issue, with its banner */
async function frameText(frame: FrameLocator, banner: string): Promise<string> {
  await frame.getByText(banner, { exact: true }).waitFor()
  await frame.locator('.art-title').waitFor()
  return frame.locator('body').innerText()
}

test('an editor previews the seed issue as each reader: the paywall and no VIP text, or the VIP part', async () => {
  const { stack, browser } = env
  const issueId = await seedIssueId(stack)
  const vip = vipSentences(SEED_FILE)
  expect(vip.length).toBeGreaterThan(3)

  await withPage(browser, 'console-preview', async (page) => {
    page.setDefaultTimeout(30_000)
    const recorded = recordFrameResponses(page)
    await openPreview(page, stack.apiOrigin, issueId)

    const drawer = page.locator('.ant-drawer-content')
    await drawer.getByRole('tab', { name: '游客', selected: true }).waitFor()
    await drawer.getByTestId('preview-expiry').waitFor()
    const frameElement = drawer.getByTestId('preview-frame')
    expect(await frameElement.getAttribute('width')).toBe('390')
    expect(await frameElement.getAttribute('height')).toBe('844')
    const frame = drawer.frameLocator('[data-testid="preview-frame"]')

    const guest = await frameText(frame, '预览模式 · 游客')
    expect(guest).toContain('本篇为VIP章节')
    expect(guest).toContain('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')
    expect(findLeaks(guest, vip)).toEqual([])

    // 未开通VIP and 朋友圈单页: the paywall too, each as that reader sees it.
    const frameOf = () => drawer.frameLocator('[data-testid="preview-frame"]')
    await drawer.getByRole('tab', { name: '未开通VIP' }).click()
    const reader = await frameText(frameOf(), '预览模式 · 未开通VIP')
    expect(reader).toContain('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')
    expect(findLeaks(reader, vip)).toEqual([])
    await drawer.getByRole('tab', { name: '朋友圈单页' }).click()
    const moments = await frameText(frameOf(), '预览模式 · 朋友圈单页')
    expect(moments).toContain('当前为预览内容，请前往小程序使用完整服务')
    expect(moments).toContain('本篇为VIP章节')
    expect(findLeaks(moments, vip)).toEqual([])

    // The frames read the issue with their tickets, and no response they got carries a VIP sentence.
    await recorded.settle()
    const issueReads = recorded.responses.filter((r) => new URL(r.url).pathname === `/api/issues/${issueId}`)
    expect(issueReads.length).toBeGreaterThanOrEqual(3)
    expect(issueReads.every((r) => r.status === 200 && r.ticket !== '')).toBe(true)
    const leaks = recorded.responses
      .map((r) => ({ url: r.url, leaks: findLeaks(decodeJsonEscapes(r.body), vip) }))
      .filter((r) => r.leaks.length > 0)
    expect(leaks).toEqual([])
    // Nothing but its issue was asked for with a ticket.
    const others = recorded.responses.filter((r) => r.ticket && new URL(r.url).pathname !== `/api/issues/${issueId}`)
    expect(others.map((r) => `${r.status} ${r.url}`)).toEqual([])

    // VIP会员: a new ticket, a new frame, and the VIP part is in it.
    await drawer.getByRole('tab', { name: 'VIP会员' }).click()
    await frameText(frameOf(), '预览模式 · VIP会员')
    // 参考作答 are folded for every reader, as they read it: unfolded, the VIP answers are there too.
    await unfoldAnswers(frameOf())
    const member = await frameOf().locator('body').innerText()
    expect(member).not.toContain('本篇为VIP章节')
    expect(findMissing(member, vip.slice(0, 3))).toEqual([])

    // 刷新 asks for a new ticket.
    const renewed = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/admin/issues/${issueId}/preview`,
    )
    await drawer.getByRole('button', { name: /刷\s*新/ }).click()
    expect((await renewed).status()).toBe(200)
    await frameText(frameOf(), '预览模式 · VIP会员')
  })
})
