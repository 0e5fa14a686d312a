import type { Page } from 'playwright-core'
import { findLeaks, setUpConsole, signInToConsole, useStackAndBrowser, vipSentences, withPage } from './harness'

/**
 * The paywall as the operator says it, in Chromium: an admin changes its copy and the plan readers
 * find preselected in the console's 设置 (and again through the API), and a reader's next visit
 * shows them with no restart: the copy, what is locked by its titles, the plans as chips with
 * their monthly prices, and the purchase page opened on the operator's plan. No VIP text reaches
 * the reader on the way.
 */
jest.setTimeout(240_000)

const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const TITLE = '中部城市群高质量发展'
const ADMIN = { name: 'guanli-settings', password: 'settings-admin-password', role: 'admin' as const }

const env = useStackAndBrowser({ rail: 'xpay' }, async ({ stack }) => setUpConsole(stack, ADMIN))
const vip = vipSentences(SAMPLE)

async function waitForText(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor({ state: 'visible', timeout })
}

/** A new reader opens the seed issue and reads its paywall; answers the page's text. */
async function readPaywall(page: Page, user: string, title: string): Promise<string> {
  await page.goto(`${env.stack.origin}/?wxuser=${encodeURIComponent(user)}`)
  const item = page.getByText(TITLE).first()
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
  await waitForText(page, title)
  return page.locator('#paywall').filter({ visible: true }).innerText()
}

/** Signs in to the console's API as the admin: the session cookie and its CSRF token */
async function adminSession(): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${env.stack.apiOrigin}/api/admin/session/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: ADMIN.name, password: ADMIN.password }),
  })
  expect(response.status).toBe(200)
  const cookie = (response.headers.getSetCookie?.() ?? [response.headers.get('set-cookie') ?? ''])
    .map((value) => value.split(';')[0])
    .join('; ')
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken }
}

test('an admin changes the paywall in 设置; the reader sees the new copy and plan at once', async () => {
  await withPage(env.browser, 'paywall-console', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, env.stack.apiOrigin, ADMIN)
    await page.getByRole('menuitem', { name: '设置' }).click()
    const title = page.getByLabel('标题', { exact: true })
    await title.waitFor()
    expect(await title.inputValue()).toBe('本篇为VIP章节')
    expect(await page.getByLabel('提示语').inputValue()).toBe('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')
    await title.fill('会员专享精讲')
    await page.getByLabel('提示语').fill('开通会员，读完这一篇的实战应用')
    await page.getByText('一年', { exact: true }).click()
    // A phone the API would refuse is stopped in the form.
    await page.getByLabel('客服电话').fill('400-CALL')
    await page.getByRole('button', { name: /保\s*存/ }).click()
    await page.getByText('客服电话只能含数字、空格和 -，如 400-1788-950').waitFor()
    await page.getByLabel('客服电话').fill('400-000-1234')
    await page.getByLabel('修改原因（记入操作日志）').fill('e2e 文案')
    await page.getByRole('button', { name: /保\s*存/ }).click()
    await page.getByText('已保存，读者立即可见').waitFor()
  })

  await withPage(env.browser, 'paywall-reader', async (page) => {
    const paywall = await readPaywall(page, 'paywall-reader-1', '会员专享精讲')
    expect(paywall).toContain('开通会员，读完这一篇的实战应用')
    expect(paywall).toMatch(/本期VIP内容：.*\d道例题\+参考作答/)
    expect(paywall).toContain('开通后立即解锁本篇')
    // The service line comes from GET /api/contacts, which answers after the issue.
    await waitForText(page, '开通会员如有疑问，请联系客服 400-000-1234')
    const chips = page.locator('.paywall-chip').filter({ visible: true })
    expect(await chips.allInnerTexts()).toEqual([
      expect.stringMatching(/一个月\s*¥9\.9\s*约¥9\.9\/月/),
      expect.stringMatching(/半年\s*¥48\s*约¥8\/月/),
      expect.stringMatching(/一年\s*¥68\s*约¥5\.7\/月/),
    ])
    expect(await page.locator('.paywall-chip-on').filter({ visible: true }).innerText()).toContain('一年')
    expect(findLeaks(await page.locator('body').innerText(), vip)).toEqual([])

    // The button opens 开通会员 on the operator's plan.
    await page.getByText('开通VIP会员', { exact: true }).click()
    await waitForText(page, '立即开通 ¥68')
    expect(await page.getByRole('radio', { checked: true }).filter({ visible: true }).innerText()).toContain('一年')
  })
})

test('a change through the API reaches the next reader, and a chip opens its own plan', async () => {
  const { cookie, csrf } = await adminSession()
  const response = await fetch(`${env.stack.apiOrigin}/api/admin/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({
      paywall: { title: '本篇为VIP章节', message: '开通会员后继续阅读本篇', button: '立即开通会员' },
      preselectedPlan: 'month',
    }),
  })
  expect(response.status).toBe(200)

  await withPage(env.browser, 'paywall-reader-api', async (page) => {
    const paywall = await readPaywall(page, 'paywall-reader-2', '开通会员后继续阅读本篇')
    expect(paywall).toContain('立即开通会员')
    expect(await page.locator('.paywall-chip-on').filter({ visible: true }).innerText()).toContain('一个月')
    await page.locator('.paywall-chip').filter({ visible: true }).filter({ hasText: '半年' }).click()
    await waitForText(page, '立即开通 ¥48')
    expect(await page.getByRole('radio', { checked: true }).filter({ visible: true }).innerText()).toContain('半年')
  })
})
