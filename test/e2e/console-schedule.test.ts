import fs from 'node:fs'
import path from 'node:path'
import type SqliteDatabase from 'better-sqlite3'
import type { Page } from 'playwright-core'
import { ROOT } from '../../scripts/lib/processes'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../../simulator/src/subscribe'
import type { LoginResultDto } from '../../server/src/schemas/auth'
import { fetchJson as call, readSqlite, setUpConsole, signInToConsole, useStackAndBrowser, withPage } from './harness'

/**
 * 定时发布 in the operator console, end to end: an editor signs in by password in a browser set to
 * New York time, pastes an issue with a mistake (the file:line problem shows), fixes it and imports
 * it as a draft, then schedules it for the next whole minute in Beijing time. When that minute
 * comes, the API's leased due-publish job (every second here) publishes it: the reader H5 app
 * lists it, and the reader who had asked 通知我下一期 for the region got exactly one message.
 */
jest.setTimeout(180_000)

const SAMPLE = path.join(ROOT, 'content', 'shanxi-32-zhongbu-chengshiqun.md')
const EDITOR = { name: 'bianji-e2e', password: 'correct-horse-battery', role: 'editor' as const }
const TITLE = '县域商业体系定时发布专题'
const READER = 'e2e-schedule-subscriber'
/** The server refuses less than 10 s ahead; typing and clicking take a moment too */
const MIN_LEAD_MS = 15_000

const env = useStackAndBrowser({ subscribe: true, env: { SCHEDULE_SWEEP_SECONDS: '1' } }, ({ stack }) =>
  setUpConsole(stack, EDITOR),
)

/** The seed issue as the region's next issue, a draft */
function issueSource(): string {
  return fs
    .readFileSync(SAMPLE, 'utf8')
    .replace(/^slug: .*$/m, 'slug: e2e-shanxi-schedule')
    .replace(/^number: .*$/m, 'number: 77')
    .replace(/^title: .*$/m, `title: ${TITLE}`)
    .replace(/^author: (.*)$/m, 'author: $1\nstatus: draft')
}

/** A reader signs in on the phone, taps 允许 on the subscribe sheet, and the app records the opt-in. */
async function subscribeReader(region: string): Promise<void> {
  const { stack } = env
  const { code } = await call('POST', `${stack.simOrigin}/__phone/login`, { user: READER })
  const login: LoginResultDto = await call('POST', `${stack.apiOrigin}/api/auth/login`, { code })
  await call('POST', `${stack.simOrigin}/__phone/subscribe`, {
    user: READER,
    tmplIds: [SIM_SUBSCRIBE_TEMPLATE_ID],
    action: 'accept',
  })
  const state = await call(
    'POST',
    `${stack.apiOrigin}/api/subscriptions`,
    { region, templateId: SIM_SUBSCRIBE_TEMPLATE_ID },
    login.token,
  )
  expect(state.openOptIns).toBe(1)
}

async function messages(): Promise<{ page: string; data: Record<string, { value: string }> }[]> {
  return (await call('GET', `${env.stack.simOrigin}/__control/subscribe-messages?user=${READER}`)).messages
}

async function readerLists(): Promise<boolean> {
  const list = await call('GET', `${env.stack.apiOrigin}/api/issues?region=shanxi&limit=50`)
  return list.items.some((item: { title: string }) => item.title === TITLE)
}

const readDb = <T>(query: (db: SqliteDatabase.Database) => T): T => readSqlite(env.stack.sqlitePath, query)

/** `ms` as the picker takes it: YYYY-MM-DD HH:mm in Beijing */
const beijing = (ms: number) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')

const visible = (page: Page, text: string | RegExp) =>
  (typeof text === 'string' ? page.getByText(text, { exact: true }) : page.getByText(text))
    .filter({ visible: true })
    .first()

test('an editor imports a fixed draft and schedules it; it goes live on time and is announced once', async () => {
  const { stack, browser } = env
  await subscribeReader('shanxi')
  let publishAt = 0

  // The browser is in New York: the picker's fields are still Beijing time.
  await withPage(
    browser,
    'console-schedule',
    async (page) => {
      page.setDefaultTimeout(30_000)
      await signInToConsole(page, stack.apiOrigin, EDITOR)
      await page.getByTestId('operator-name').filter({ hasText: EDITOR.name }).waitFor()

      // 期刊 → 导入期刊: a file with a mistake shows where it is, as file:line.
      await page.getByRole('menuitem', { name: '期刊' }).click()
      await page.getByRole('button', { name: '导入期刊' }).click()
      const drawer = page.locator('.ant-drawer-content').filter({ hasText: '导入期刊' })
      const source = drawer.locator('textarea')
      await source.fill(issueSource().replace(/^access: vip$/m, 'access: maybe'))
      await drawer.getByRole('button', { name: /检\s*查/ }).click()
      await drawer.getByText(/发现 1 个问题/).waitFor()
      const problem = await drawer.locator('code').first().innerText()
      const line =
        issueSource()
          .split('\n')
          .findIndex((text) => text.startsWith('access:')) + 1
      expect(problem).toMatch(new RegExp(`^issue\\.md:${line}: access must be`))
      expect(await drawer.getByRole('button', { name: /导\s*入/ }).isDisabled()).toBe(true)

      // Fixed, checked and imported: a draft.
      await source.fill(issueSource())
      await drawer.getByRole('button', { name: /检\s*查/ }).click()
      await drawer.getByText('检查通过，可以导入').waitFor()
      await drawer.getByRole('button', { name: /导\s*入/ }).click()
      await visible(page, '已导入新期刊').waitFor()
      const row = page.locator('tr', { hasText: TITLE })
      await row.getByText('草稿').waitFor()

      // 定时发布 at the next whole minute (at least MIN_LEAD_MS ahead), picked in Beijing time.
      await row.getByRole('button', { name: '定时发布' }).click()
      const dialog = page.getByRole('dialog').filter({ hasText: '发布时间（北京时间）' })
      publishAt = Math.ceil((Date.now() + MIN_LEAD_MS) / 60_000) * 60_000
      const picker = dialog.getByPlaceholder('选择日期和时间')
      await picker.click()
      await picker.fill(beijing(publishAt))
      await picker.press('Enter')
      await dialog.getByLabel('原因（可选）').fill('整点发布')
      await dialog.getByRole('button', { name: /定时发布/ }).click()
      await row
        .getByTestId('scheduled-at')
        .filter({ hasText: `已定时 ${beijing(publishAt)}` })
        .waitFor()
      await row.getByRole('button', { name: '取消定时' }).waitFor()
      expect(await readerLists()).toBe(false)
    },
    { timezoneId: 'America/New_York' },
  )

  const stored = readDb(
    (db) =>
      db.prepare('select id, status, publish_at from issues where title = ?').get(TITLE) as {
        id: number
        status: string
        publish_at: number
      },
  )
  expect(stored).toMatchObject({ status: 'scheduled', publish_at: publishAt })
  expect(await messages()).toEqual([])

  // The reader's H5 app: not there yet; there once the minute has come and the job ran.
  await withPage(browser, 'schedule-reader', async (page) => {
    await page.goto(`${stack.origin}/`)
    await page.getByText('中部城市群高质量发展').first().waitFor({ state: 'visible', timeout: 30_000 })
    expect(await page.getByText(TITLE).count()).toBe(0)
    for (;;) {
      if (await readerLists()) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    expect(Date.now()).toBeGreaterThanOrEqual(publishAt)
    await page.reload()
    await page.getByText(TITLE).first().waitFor({ state: 'visible', timeout: 30_000 })
  })

  // Exactly one message for the subscribed reader, to the new issue; a few more sweeps send nothing more.
  for (;;) {
    if ((await messages()).length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await new Promise((resolve) => setTimeout(resolve, 2500))
  const sent = await messages()
  expect(sent).toHaveLength(1)
  expect(sent[0].page).toBe(`subpackages/article/pages/index?id=${stored.id}`)
  expect(sent[0].data.thing1.value).toBe(TITLE)
  const outbox = readDb(
    (db) =>
      db.prepare('select status from subscription_messages where issue_id = ?').all(stored.id) as { status: string }[],
  )
  expect(outbox).toEqual([{ status: 'sent' }])

  // Published once, dated its minute, audited in the editor's name.
  const audits = readDb(
    (db) =>
      db
        .prepare("select operator_name, reason from admin_audit where action = 'issue.publish' and target = ?")
        .all(`issue:${stored.id}`) as { operator_name: string; reason: string }[],
  )
  expect(audits).toEqual([{ operator_name: EDITOR.name, reason: '定时发布' }])
  const published = readDb(
    (db) => db.prepare('select status, published_at from issues where id = ?').get(stored.id) as object,
  )
  expect(published).toEqual({ status: 'published', published_at: publishAt })
})
