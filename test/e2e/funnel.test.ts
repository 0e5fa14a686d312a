import fs from 'node:fs'
import path from 'node:path'
import type { Page, Request } from 'playwright-core'
import { ROOT } from '../../scripts/lib/processes'
import { openDb } from '../../server/src/db/database'
import { Operators } from '../../server/src/domain/operators'
import { seedIssueId, useStackAndBrowser, withPage } from './harness'

/**
 * The paywall funnel end to end, on the H5 build, the real API, the WeChat simulator and the console:
 * a reader opens a card someone shared in a chat (share code and scene 1007 in the path), meets the
 * paywall, opens 开通会员, buys (the simulator pays), and the console's 漏斗 for that issue shows
 * one reader at every step, under chat and under the sharer.
 */
jest.setTimeout(240_000)

const CONSOLE_INDEX = path.join(ROOT, 'console', 'dist', 'index.html')
const ANALYST = { name: 'loudou-e2e', password: 'funnel-battery-staple', role: 'editor' as const }
const PAYWALL_TITLE = '本篇为VIP章节'

const env = useStackAndBrowser({ rail: 'wechatpay' }, async ({ stack }) => {
  if (!fs.existsSync(CONSOLE_INDEX)) {
    throw new Error('The console is not built (console/dist/index.html). Build it first: npm run build:console')
  }
  const db = openDb({ databaseUrl: '', sqlitePath: stack.sqlitePath })
  try {
    await new Operators(db.kysely).add(ANALYST, Date.now())
  } finally {
    await db.close()
  }
})

async function shareCodeOf(name: string): Promise<string> {
  const issued = await env.stack.admin('token', name)
  const token = /^token (\S+)$/m.exec(issued)?.[1]
  if (!token) throw new Error(`admin token printed no token:\n${issued}`)
  const answer = await fetch(`${env.stack.apiOrigin}/api/share-code`, { headers: { authorization: `Bearer ${token}` } })
  return ((await answer.json()) as { code: string }).code
}

const visibleText = (page: Page, text: string) =>
  page.getByText(text, { exact: true }).filter({ visible: true }).first()

/** The steps the page has sent to POST /api/events so far */
function reportedSteps(page: Page): Set<string> {
  const steps = new Set<string>()
  page.on('request', (request: Request) => {
    if (request.method() !== 'POST' || new URL(request.url()).pathname !== '/api/events') return
    const batch = request.postDataJSON() as { events: { step: string }[] }
    for (const event of batch.events) steps.add(event.step)
  })
  return steps
}

test('a reader from a shared card pays; the console funnel shows one at each step, by chat and by sharer', async () => {
  const { stack, browser } = env
  const issueId = await seedIssueId(stack)
  const code = await shareCodeOf('funnel-sharer')
  const masked = `${code.slice(0, 3)}******${code.slice(-2)}`

  await withPage(browser, 'funnel-reader', async (page) => {
    page.setDefaultTimeout(30_000)
    const steps = reportedSteps(page)
    // The simulator's phone user for this browser, then the card's path as a chat share opens it.
    await page.goto(`${stack.origin}/?wxuser=funnel-reader`)
    await page.goto(`${stack.origin}/#/subpackages/article/pages/index?id=${issueId}&sharer=${code}&scene=1007`)
    await visibleText(page, PAYWALL_TITLE).waitFor()

    await visibleText(page, '开通VIP会员').click()
    const pay = visibleText(page, '立即开通 ¥48')
    await pay.waitFor()
    await page.getByRole('radio').filter({ hasText: '半年' }).click()
    await page.getByRole('checkbox').click()
    await pay.click()
    const sheet = page.getByRole('dialog', { name: '微信支付' })
    await sheet.waitFor({ state: 'visible' })
    await sheet.getByText('确认支付', { exact: true }).click()
    // Fulfilled by the server, back on the article: unlocked (例题2 is the first VIP block).
    await visibleText(page, '例题2').waitFor()

    // The reporter sends within a few seconds of each step.
    const deadline = Date.now() + 30_000
    while (!['opened', 'paywall', 'plan_sheet'].every((step) => steps.has(step))) {
      if (Date.now() > deadline) throw new Error(`steps reported: ${[...steps].join(', ')}`)
      await page.waitForTimeout(250)
    }
  })

  await withPage(browser, 'funnel-console', async (page) => {
    page.setDefaultTimeout(30_000)
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.goto(`${stack.apiOrigin}/admin/`)
    await page.getByRole('tab', { name: '密码登录' }).click()
    await page.getByLabel('账号', { exact: true }).fill(ANALYST.name)
    await page.getByLabel('密码', { exact: true }).fill(ANALYST.password)
    await page.getByRole('button', { name: /登\s*录/ }).click()
    await page.getByTestId('operator-name').filter({ hasText: ANALYST.name }).waitFor()

    // 期刊: the published issue's 漏斗 opens the screen for that issue.
    await page.getByRole('menuitem', { name: '期刊' }).click()
    const row = page.locator('tbody tr').filter({ hasText: '中部城市群高质量发展' }).first()
    await row.getByRole('link', { name: /漏\s*斗/ }).click()
    await page.getByTestId('funnel-scope').filter({ hasText: '中部城市群高质量发展' }).waitFor()
    expect(page.url()).toContain(`#/funnel?issueId=${issueId}`)

    const counts = async (table: string, row: string) =>
      (await page.getByTestId(table).locator('tbody tr').filter({ hasText: row }).first().locator('td').allInnerTexts())
        .slice(1, 6)
        .map((cell) => cell.trim())
    const stepRows = page.getByTestId('funnel-steps').locator('tbody tr')
    await expectRows(stepRows, ['打开文章', '看到付费墙', '打开开通页', '创建订单', '支付成功'])
    for (const label of ['打开文章', '看到付费墙', '打开开通页', '创建订单', '支付成功']) {
      const cells = await stepRows.filter({ hasText: label }).first().locator('td').allInnerTexts()
      expect([label, cells[1].trim()]).toEqual([label, '1'])
    }
    expect(await counts('funnel-scenes', '单聊 1007')).toEqual(['1', '1', '1', '1', '1'])
    expect(await counts('funnel-sharers', masked)).toEqual(['1', '1', '1', '1', '1'])
    expect(await page.getByTestId('funnel-sharers').innerText()).not.toContain(code)
  })
})

async function expectRows(rows: ReturnType<Page['locator']>, labels: string[]): Promise<void> {
  await rows.first().waitFor()
  expect((await rows.allInnerTexts()).map((text) => labels.find((label) => text.includes(label)))).toEqual(labels)
}
