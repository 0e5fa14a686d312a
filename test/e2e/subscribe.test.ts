import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type SqliteDatabase from 'better-sqlite3'
import type { Page } from 'playwright-core'
import { ROOT } from '../../scripts/lib/processes'
import { normalizeText, vipSentences, withPage, useStackAndBrowser, isApi, readSqlite } from './harness'

/**
 * 通知我下一期 on the H5 build, the real API and the WeChat simulator: the reader taps the button at
 * the end of an article and 允许 on the subscribe sheet; an editor then imports the region's next
 * issue (npm run content:import, another process); the API's sweep sends exactly one message.
 */
const TITLE = '中部城市群高质量发展'
const USER = 'e2e-subscriber'
const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'

jest.setTimeout(180_000)

let contentDir: string

beforeAll(() => {
  contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-e2e-subscribe-'))
})

afterAll(() => {
  fs.rmSync(contentDir, { recursive: true, force: true })
})

const env = useStackAndBrowser({ subscribe: true })

interface SentMessage {
  touser: string
  page: string
  data: Record<string, { value: string }>
}

const article = (page: Page) => page.locator('.art-page:visible')
async function messages(): Promise<SentMessage[]> {
  const response = await fetch(`${env.stack.simOrigin}/__control/subscribe-messages?user=${USER}`)
  return ((await response.json()) as { messages: SentMessage[] }).messages
}

/** Waits (without a deadline of its own: jest's timeout bounds it) until `check` holds. */
async function until<T>(check: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await check()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * The seed issue as the region's next issue (content/ holds 山西 up to 第33期), written where
 * `npm run content:import` reads it.
 */
function nextIssueFile(slug: string, number: number, title: string): void {
  const text = fs
    .readFileSync(path.join(ROOT, SAMPLE), 'utf8')
    .replace(/^slug: .*$/m, `slug: ${slug}`)
    .replace(/^number: .*$/m, `number: ${number}`)
    .replace(/^date: .*$/m, 'date: 2026-11-20')
    .replace(/^title: .*$/m, `title: ${title}`)
  fs.writeFileSync(path.join(contentDir, `${slug}.md`), text)
}

const readDb = <T>(query: (db: SqliteDatabase.Database) => T): T => readSqlite(env.stack.sqlitePath, query)

test('通知我下一期 → 允许; the next issue of the region is announced once through the simulator', async () => {
  await withPage(env.browser, 'subscribe-next-issue', async (page) => {
    const signedIn = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.goto(`${env.stack.origin}/?wxuser=${USER}`)
    expect((await signedIn).status()).toBe(200)
    const item = page.getByText(TITLE).first()
    await item.waitFor({ state: 'visible', timeout: 30_000 })
    await item.click()
    await article(page).locator('.art-title', { hasText: TITLE }).waitFor({ state: 'visible', timeout: 30_000 })

    const button = article(page).getByText('通知我下一期')
    await button.waitFor({ state: 'visible', timeout: 30_000 })
    await button.click()
    const sheet = page.getByRole('dialog', { name: '订阅消息' })
    await sheet.waitFor({ state: 'visible', timeout: 30_000 })
    const recorded = page.waitForResponse(isApi('POST', '/api/subscriptions'))
    await sheet.getByText('允许').click()
    const response = await recorded
    expect(response.status()).toBe(200)
    expect(await response.json()).toMatchObject({ available: true, openOptIns: 1 })
    await article(page).getByText('已订阅：山西下一期更新时通知你').waitFor({ state: 'visible', timeout: 30_000 })
  })
  expect(await messages()).toEqual([])

  nextIssueFile('e2e-shanxi-34', 34, '县域经济高质量发展')
  await env.stack.importContent(contentDir)
  const [message] = await until(messages, (list) => list.length > 0)
  const newId = readDb(
    (db) => (db.prepare('select id from issues where slug = ?').get('e2e-shanxi-34') as { id: number }).id,
  )
  expect(message.page).toBe(`subpackages/article/pages/index?id=${newId}`)
  expect(message.data.thing1.value).toBe('县域经济高质量发展')
  expect(message.data.thing2.value).toBe('山西·第34期')
  const text = normalizeText(JSON.stringify(message))
  for (const { clauses } of vipSentences(SAMPLE)) for (const clause of clauses) expect(text).not.toContain(clause)

  // The opt-in is used: the issue after that is announced (the sweep saw it) and sends nothing.
  nextIssueFile('e2e-shanxi-35', 35, '第三十五期')
  await env.stack.importContent(contentDir)
  await until(
    () =>
      readDb(
        (db) =>
          db
            .prepare(
              'select count(*) as n from issue_announcements a join issues i on i.id = a.issue_id where i.slug = ?',
            )
            .get('e2e-shanxi-35') as { n: number },
      ).n,
    (count) => count === 1,
  )
  expect(await messages()).toHaveLength(1)
})
