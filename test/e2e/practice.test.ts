import type { Page } from 'playwright-core'
import {
  recordResponses,
  seedIssueId,
  vipSentences,
  withPage,
  useStackAndBrowser,
  isApi,
  leakingResponses,
} from './harness'

/**
 * Practice mode on the H5 build, the real API and the WeChat simulator: a VIP reader opens 练习作答
 * from the seed issue's 例题1, writes (count and range shown), reloads (the draft is kept on the
 * server), submits (the reference answer shows) and finds the answer in 我的作答; a reader without
 * VIP who opens a VIP question gets the paywall, and no VIP text.
 */
const REFERENCE = '一是完善政策体系'
const SEED_FILE = 'content/shanxi-32-zhongbu-chengshiqun.md'

jest.setTimeout(180_000)

let seedId: number

const env = useStackAndBrowser({}, async ({ stack }) => {
  seedId = await seedIssueId(stack)
})

/** The visible practice page (Taro H5 keeps earlier pages of the stack in the DOM, hidden). */
const practice = (page: Page) => page.locator('.pp:visible')

test('a VIP reader practises 例题1: count and range, the draft kept across a reload, submit, 我的作答', async () => {
  const token = await env.stack.vipToken('e2e-practice-vip', 30)
  await withPage(
    env.browser,
    'practice-vip',
    async (page) => {
      await page.goto(`${env.stack.origin}/#/subpackages/article/pages/index?id=${seedId}`)
      const entry = page.locator('.art-page:visible .blk-q-practice').first()
      await entry.waitFor({ state: 'visible', timeout: 30_000 })
      await entry.click()

      const editor = practice(page).locator('textarea')
      await editor.waitFor({ state: 'visible', timeout: 30_000 })
      expect(page.url()).toContain(`/subpackages/practice/pages/index?id=${seedId}&q=q1`)
      expect(await practice(page).innerText()).toContain('太忻经济一体化发展的做法')
      // The reference answer stays hidden until the reader submits.
      expect(await practice(page).innerText()).not.toContain(REFERENCE)

      const count = practice(page).locator('.pp-count')
      expect(await count.innerText()).toContain('已写 0 字')
      const answer = `一是加强政策协同。${'推动太忻一体化发展'.repeat(40)}`
      const saved = page.waitForResponse(isApi('PUT', /^\/api\/issues\/\d+\/practice\/q1\/draft$/), {
        timeout: 30_000,
      })
      // Pasted, then typed key by key: what was there stays (a textarea reset by a re-render would lose it).
      await editor.fill(answer.slice(0, -4))
      await editor.pressSequentially(answer.slice(-4), { delay: 20 })
      expect(await editor.inputValue()).toBe(answer)
      await practice(page).locator('.pp-count-within').waitFor({ state: 'visible', timeout: 10_000 })
      expect(await count.innerText()).toContain(`已写 ${answer.length} 字`)
      expect(await count.innerText()).toContain('目标 360–440 字')
      expect((await saved).status()).toBe(200)
      await practice(page).locator('.pp-save', { hasText: '已保存' }).waitFor({ state: 'visible', timeout: 10_000 })

      // A reload (or another device) gets the draft back from the server.
      await page.reload()
      await editor.waitFor({ state: 'visible', timeout: 30_000 })
      await page.waitForFunction(
        (text) => (document.querySelector('.pp textarea') as HTMLTextAreaElement | null)?.value === text,
        answer,
        { timeout: 30_000 },
      )
      expect(await practice(page).locator('.pp-timer').innerText()).toMatch(/^用时 \d\d:\d\d$/)

      const submitted = page.waitForResponse(isApi('POST', /^\/api\/issues\/\d+\/practice\/q1\/submit$/))
      await practice(page).getByText('提交作答').click()
      expect((await submitted).status()).toBe(200)
      const reference = practice(page).locator('.pr')
      await reference.waitFor({ state: 'visible', timeout: 30_000 })
      expect(await reference.innerText()).toContain(REFERENCE)
      expect(await practice(page).locator('.pp-mine-text').innerText()).toBe(answer)
      await practice(page).getByText('重新提交').waitFor({ state: 'visible' })

      await practice(page).getByText('我的作答 ›').click()
      const item = page.locator('.pa:visible .pa-item', { hasText: '例题1' })
      await item.waitFor({ state: 'visible', timeout: 30_000 })
      const text = await item.innerText()
      expect(text).toContain(`${answer.length}字（400字左右，字数合适）`)
      expect(text).toContain('用时')
    },
    { token },
  )
})

test('a reader without VIP who opens a VIP question gets the paywall and no VIP text', async () => {
  const vip = vipSentences(SEED_FILE)
  await withPage(env.browser, 'practice-no-vip', async (page) => {
    const signedIn = page.waitForResponse(isApi('POST', /^\/api\/auth\/login$/))
    await page.goto(`${env.stack.origin}/`)
    expect((await signedIn).status()).toBe(200)

    const recorder = recordResponses(page)
    // 例题2 is the seed's first VIP question (例题1 is the free teaser).
    const refused = page.waitForResponse(isApi('GET', /^\/api\/issues\/\d+\/practice\/q2$/))
    await page.goto(`${env.stack.origin}/#/subpackages/practice/pages/index?id=${seedId}&q=q2`)
    const answer = await refused
    expect(answer.status()).toBe(403)
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('VIP_REQUIRED')
    const paywall = page.locator('.state:visible', { hasText: '本题为VIP内容' })
    await paywall.waitFor({ state: 'visible', timeout: 30_000 })
    expect(await page.locator('.pp textarea').count()).toBe(0)

    await recorder.settle()
    expect(leakingResponses(recorder.responses, vip)).toEqual([])

    await paywall.getByText('开通VIP会员', { exact: true }).click()
    await page.waitForURL(/\/subpackages\/vip\/pages\/index/, { timeout: 30_000 })
  })
})
