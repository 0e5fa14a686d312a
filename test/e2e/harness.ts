import { type ChildProcess, execFile } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import SqliteDatabase from 'better-sqlite3'
import {
  type Browser,
  type BrowserContext,
  chromium,
  type FrameLocator,
  type Page,
  type Response,
} from 'playwright-core'
import { ROOT, bin, captureOutput, freePort, spawnGroup, stopGroup, waitForHealthy } from '../../scripts/lib/processes'
import { type StaticServer, startStaticServer } from '../../scripts/lib/static-server'
import { buildSimulator } from '../../simulator/src/app'
import { makePaymentFixture } from '../../simulator/src/fixture'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../../simulator/src/subscribe'
import { openDb } from '../../server/src/db/database'
import { Operators } from '../../server/src/domain/operators'

/**
 * The end-to-end stage: the real API on a fresh SQLite file, the real H5 build, Debian's
 * Chromium driven by playwright-core.
 *
 * One origin serves both: the static server hands out dist-h5/ and forwards /api/, /healthz
 * and /docs to the API. The H5 build for these tests is made with
 * TARO_APP_API_BASE=E2E_API_PLACEHOLDER (scripts/test.sh does it), and the static server
 * replaces that placeholder with its own origin while serving, so the app calls its own
 * origin and the ports can be picked free at run time.
 *
 * WeChat is the simulator (simulator/, docs/wechat-simulator.md), in this process on a free port
 * with a random AppSecret: the API signs readers in through it, and the H5 app, built with
 * TARO_APP_WECHAT_SIM_BASE=E2E_WECHAT_SIM_PLACEHOLDER, gets its login and phone codes from its
 * phone side (the placeholder is replaced with the simulator's origin the same way).
 *
 * Payments, when a stack asks for a rail: the simulator plays both of WeChat's payment sides with
 * keys made for this stack (simulator/src/fixture.ts), and the API sells VIP on the chosen rail
 * (PAYMENT_RAIL). The simulator pushes and notifies the API's own address, so the API's port is
 * picked before the fixture is made; retries run 1000× faster.
 */

export const H5_DIR = path.join(ROOT, 'dist-h5')
export const E2E_API_PLACEHOLDER = 'http://e2e-api.invalid'
export const E2E_WECHAT_SIM_PLACEHOLDER = 'http://e2e-wechat-sim.invalid'
/** The mini-program's appid, as the simulator and the API both know it */
export const E2E_WECHAT_APPID = 'wx00000000000e2e00'
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
export const RESULTS_DIR = path.join(ROOT, 'test-results')
/** Storage key of the bearer token: TOKEN_STORAGE_KEY in src/services/api/http.ts */
export const TOKEN_STORAGE_KEY = 'token'

const BUILD_HINT =
  `TARO_APP_API_BASE=${E2E_API_PLACEHOLDER} TARO_APP_WECHAT_SIM_BASE=${E2E_WECHAT_SIM_PLACEHOLDER} ` +
  'npx taro build --type h5   (npm test does this before jest)'

const execFileAsync = promisify(execFile)

export type PaymentRail = 'xpay' | 'wechatpay'

export interface StackOptions {
  /** Sell VIP on this rail (小程序虚拟支付 or WeChat Pay JSAPI), against the simulator; none: payments not configured */
  rail?: PaymentRail
  /** 通知我下一期 on: the API gets the simulator's subscribe template and sweeps for new issues every 200 ms */
  subscribe?: boolean
  /** More settings for the API, e.g. a short SCHEDULE_SWEEP_SECONDS */
  env?: Record<string, string>
}

export interface Stack {
  /** The rail that sells VIP; null when payments are not configured */
  rail: PaymentRail | null
  /** The origin the browser opens: H5 files and the API */
  origin: string
  /** The API itself */
  apiOrigin: string
  /** The WeChat simulator: /__phone/* and /__control/* for tests */
  simOrigin: string
  sqlitePath: string
  /** Runs the admin CLI (server/src/cli/admin.ts) against this stack's database */
  admin(...args: string[]): Promise<string>
  /** A bearer token of a user named `name` with VIP for `days` days */
  vipToken(name: string, days?: number): Promise<string>
  /** Runs `npm run content:import` against this stack's database (another process, as an editor would) */
  importContent(...paths: string[]): Promise<string>
  stop(): Promise<void>
}

/** Fails with a clear message when the H5 build is missing or was not made for e2e. */
export function checkH5Build(): void {
  if (!fs.existsSync(path.join(H5_DIR, 'index.html'))) {
    throw new Error(`The H5 build is missing (${H5_DIR}/index.html). Build it first:\n  ${BUILD_HINT}`)
  }
  const scripts: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.js')) scripts.push(full)
    }
  }
  walk(H5_DIR)
  const code = scripts.map((file) => fs.readFileSync(file, 'utf8')).join('\n')
  for (const [placeholder, what] of [
    [E2E_API_PLACEHOLDER, 'API'],
    [E2E_WECHAT_SIM_PLACEHOLDER, 'WeChat simulator'],
  ]) {
    if (!code.includes(placeholder)) {
      throw new Error(
        `${H5_DIR} was built for another ${what} base URL (npm start or npm run build:h5 rebuilt it?), ` +
          `so the app would not call the test ${what}. Rebuild it for the tests:\n  ${BUILD_HINT}`,
      )
    }
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  checkH5Build()
  const rail = options.rail ?? null
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-e2e-'))
  const sqlitePath = path.join(tmp, 'beichen.db')
  // Before the simulator: with payments it pushes and notifies this address.
  const apiPort = await freePort()
  const apiOrigin = `http://127.0.0.1:${apiPort}`

  let web: StaticServer | undefined
  let api: ChildProcess | undefined
  const secret = crypto.randomBytes(16).toString('hex')
  const payments = rail ? makePaymentFixture({ dir: path.join(tmp, 'keys'), apiBase: apiOrigin }) : null
  const sim = buildSimulator(
    payments ? { ...payments.simulator, retryScale: 0.001 } : { secret, appid: E2E_WECHAT_APPID },
  )
  const stop = async () => {
    if (api) await stopGroup(api)
    if (web) await web.close()
    await sim.close()
    fs.rmSync(tmp, { recursive: true, force: true })
  }

  try {
    await sim.listen({ host: '127.0.0.1', port: 0 })
    const simOrigin = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`
    web = await startStaticServer({
      root: H5_DIR,
      host: '127.0.0.1',
      port: 0,
      proxy: { prefixes: ['/api/', '/healthz', '/docs'], target: apiOrigin },
      replace: [
        { from: E2E_API_PLACEHOLDER, to: (self) => self },
        { from: E2E_WECHAT_SIM_PLACEHOLDER, to: simOrigin },
      ],
    })
    const origin = web.origin

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      DATABASE_URL: '',
      SQLITE_PATH: sqlitePath,
      LOG_LEVEL: 'warn',
      CORS_ORIGINS: origin,
      // The console's "Preview as" frames the H5 build served here.
      PREVIEW_H5_BASE: origin,
      IMPORT_SAMPLE_CONTENT: 'true',
      WECHAT_API_BASE: simOrigin,
      WECHAT_APPID: E2E_WECHAT_APPID,
      WECHAT_APPSECRET: secret,
      SESSION_KEY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
      MEDIA_DIR: path.join(tmp, 'media'),
      // The fixture's appid, AppSecret, keys and payment settings (it keeps the nickname check off).
      ...(payments && rail ? { ...payments.server, WECHATPAY_API_BASE: simOrigin, PAYMENT_RAIL: rail } : {}),
      ...(options.subscribe
        ? { SUBSCRIBE_TEMPLATE_ID: SIM_SUBSCRIBE_TEMPLATE_ID, SUBSCRIBE_SWEEP_INTERVAL_MS: '200' }
        : {}),
      ...options.env,
    }
    api = spawnGroup(bin('tsx'), ['server/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const output = captureOutput(api)
    await waitForHealthy(`${apiOrigin}/healthz`, api, output, 60_000)

    const admin = async (...args: string[]) => {
      const { stdout } = await execFileAsync(bin('tsx'), ['server/src/cli/admin.ts', ...args], {
        cwd: ROOT,
        env: { ...env, LOG_LEVEL: 'warn' },
      })
      return stdout
    }
    const vipToken = async (name: string, days = 30) => {
      const issued = await admin('token', name)
      // "user <id> (<name>)\ntoken <token>\n"
      const token = /^token (\S+)$/m.exec(issued)?.[1]
      const userId = /^user (\d+)/m.exec(issued)?.[1]
      if (!token || !userId) throw new Error(`unexpected output of admin token:\n${issued}`)
      await admin('grant-vip', `#${userId}`, String(days))
      return token
    }
    const importContent = async (...paths: string[]) => {
      const { stdout } = await execFileAsync(bin('tsx'), ['server/src/cli/content-import.ts', ...paths], {
        cwd: ROOT,
        env: { ...env, LOG_LEVEL: 'warn' },
      })
      return stdout
    }
    return { rail, origin, apiOrigin, simOrigin, sqlitePath, admin, vipToken, importContent, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The id of the seed issue (content/shanxi-32-zhongbu-chengshiqun.md), which every stack imports at start. */
export async function seedIssueId(stack: Stack): Promise<number> {
  const slug = 'shanxi-32-zhongbu-chengshiqun'
  const list = (await (await fetch(`${stack.apiOrigin}/api/issues?region=shanxi&limit=50`)).json()) as {
    items: { id: number; slug: string }[]
  }
  const seed = list.items.find((item) => item.slug === slug)
  if (!seed) throw new Error(`the API lists no seed issue ${slug}`)
  return seed.id
}

export interface TestEnv {
  stack: Stack
  browser: Browser
}

/**
 * One test file's stack and browser: started side by side before its tests and stopped after them.
 * Whatever did start is stopped even when the other failed to start. `setup` runs once both are up.
 */
export function useStackAndBrowser(options: StackOptions = {}, setup?: (env: TestEnv) => Promise<void>): TestEnv {
  const env = {} as TestEnv
  beforeAll(async () => {
    const [started, launched] = await Promise.allSettled([startStack(options), launchBrowser()])
    if (started.status === 'fulfilled') env.stack = started.value
    if (launched.status === 'fulfilled') env.browser = launched.value
    for (const result of [started, launched]) if (result.status === 'rejected') throw result.reason
    await setup?.(env)
  })
  afterAll(async () => {
    await Promise.allSettled([env.browser?.close(), env.stack?.stop()])
  })
  return env
}

/** Debian's Chromium, headless; every launch gets a fresh temporary profile (user-data-dir). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}. npm test installs it; by hand: apt-get install -y chromium fonts-wqy-microhei`,
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface RecordedResponse {
  url: string
  status: number
  body: string
}

/** Records every response the page receives, with its body. Call `settle()` before reading. */
export function recordResponses(page: Page): { responses: RecordedResponse[]; settle(): Promise<void> } {
  const responses: RecordedResponse[] = []
  const pending: Promise<void>[] = []
  page.on('response', (response) => {
    pending.push(
      response.body().then(
        (body) => void responses.push({ url: response.url(), status: response.status(), body: body.toString('utf8') }),
        () => undefined, // redirects and aborted requests have no body
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

export interface PageOptions {
  /** Put into storage as Taro.setStorageSync(TOKEN_STORAGE_KEY, token) would, before the app loads */
  token?: string
  /** The browser's time zone (an IANA name); the machine's by default */
  timezoneId?: string
}

/**
 * Opens a fresh context and page (a phone-sized viewport), runs `fn`, and saves a full-page
 * screenshot and the page's text to test-results/<name>.* when it fails.
 */
export async function withPage<T>(
  browser: Browser,
  name: string,
  fn: (page: Page, context: BrowserContext) => Promise<T>,
  options: PageOptions = {},
): Promise<T> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  })
  if (options.token) {
    // Taro H5 storage format: localStorage[key] = JSON.stringify({ data: value })
    // (node_modules/@tarojs/taro-h5/dist/api/storage/index.js).
    const item = JSON.stringify({ data: options.token })
    await context.addInitScript(
      `window.localStorage.setItem(${JSON.stringify(TOKEN_STORAGE_KEY)}, ${JSON.stringify(item)})`,
    )
  }
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message))
  // React reports a DOM it no longer owns (Taro's H5 web components moving children under it) as a
  // console error, not a page error: such errors are bugs a reader may see as a frozen button.
  page.on('console', (message) => {
    if (message.type() === 'error' && DOM_OWNERSHIP_ERROR.test(message.text())) errors.push(message.text())
  })
  try {
    const result = await fn(page, context)
    if (errors.length > 0) throw new Error(`uncaught errors in the page:\n${errors.join('\n')}`)
    return result
  } catch (error) {
    fs.mkdirSync(RESULTS_DIR, { recursive: true })
    const file = path.join(RESULTS_DIR, name.replace(/[^\w.-]+/g, '-'))
    await page.screenshot({ path: `${file}.png`, fullPage: true }).catch(() => undefined)
    const text = await page
      .locator('body')
      .innerText()
      .catch(() => '')
    fs.writeFileSync(`${file}.txt`, `${page.url()}\n\n${text}\n\npage errors:\n${errors.join('\n')}\n`)
    throw error
  } finally {
    await context.close()
  }
}

/** Errors of a DOM changed behind React's back, e.g. "Failed to execute 'insertBefore' on 'Node'". */
const DOM_OWNERSHIP_ERROR = /insertBefore|removeChild|NotFoundError|not a child of this node/

/** Punctuation, ASCII and full-width, that the app may render differently or as separate elements. */
const PUNCTUATION = /[\s,.:;!?()[\]'"，。：；！？、（）【】「」『』《》〈〉“”‘’·…—–-]+/gu

/** Text as compared by the tests: no whitespace and no punctuation. */
export function normalizeText(text: string): string {
  return text.replace(PUNCTUATION, '')
}

/** A sentence of the VIP part and its clauses (split at punctuation), as matched against text. */
export interface VipSentence {
  sentence: string
  clauses: string[]
}

/** Clauses shorter than this are labels (例题1, 【参考作答】) or too common to prove anything. */
const MIN_CLAUSE = 8

/**
 * The VIP part of a content file: everything after the `<!-- vip -->` line, Markdown syntax
 * stripped, split into sentences after 。！？. Each sentence is matched through its clauses
 * (split at any punctuation, at least MIN_CLAUSE characters), so that the check holds
 * whatever punctuation or element boundaries the app renders. Clauses that also occur in
 * the free part (the sample repeats some phrases) are not secret and are dropped.
 */
export function vipSentences(file: string): VipSentence[] {
  const source = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const lines = source.split(/\r?\n/)
  const marker = lines.findIndex((line) => line.trim() === '<!-- vip -->')
  if (marker < 0) throw new Error(`${file} has no <!-- vip --> line`)
  const free = normalizeText(lines.slice(0, marker).join('\n'))
  const result: VipSentence[] = []
  for (const raw of lines.slice(marker + 1)) {
    // A VIP section's heading is VIP too (no table of contents may show it); it is short, so whole.
    const heading = /^#{1,6}\s+(.+)$/.exec(raw.trim())?.[1]
    if (heading) {
      const clause = normalizeText(heading)
      if (clause.length >= 4 && !free.includes(clause)) result.push({ sentence: heading, clauses: [clause] })
      continue
    }
    const line = raw
      .replace(/^>\s?/, '')
      .replace(/^[-*]\s+/, '')
      .replace(/<!--.*?-->/g, '')
      .trim()
    for (const sentence of line.split(/(?<=[。！？])/)) {
      const clauses = sentence
        .split(PUNCTUATION)
        .filter((clause) => clause.length >= MIN_CLAUSE && !free.includes(clause))
      if (clauses.length > 0) result.push({ sentence: sentence.trim(), clauses })
    }
  }
  return result
}

/** The VIP sentences of which any clause occurs in `text`. */
export function findLeaks(text: string, sentences: VipSentence[]): string[] {
  const haystack = normalizeText(text)
  return sentences.filter(({ clauses }) => clauses.some((clause) => haystack.includes(clause))).map((s) => s.sentence)
}

/** The VIP sentences of which some clause is missing from `text`. */
/**
 * The responses in `responses` that carry a sentence of `vip` (JSON escapes decoded), each with the
 * sentences found: [] when nothing leaked.
 */
export function leakingResponses(
  responses: RecordedResponse[],
  vip: VipSentence[],
): { url: string; leaks: string[] }[] {
  return responses
    .map((response) => ({ url: response.url, leaks: findLeaks(decodeJsonEscapes(response.body), vip) }))
    .filter((response) => response.leaks.length > 0)
}

/** For page.waitForResponse: a call of the API with `method` on `route` (a string: that path; a RegExp: a path it matches). */
export const isApi =
  (method: string, route: string | RegExp) =>
  (response: Response): boolean => {
    const { pathname } = new URL(response.url())
    return (
      response.request().method() === method && (typeof route === 'string' ? pathname === route : route.test(pathname))
    )
  }

export function findMissing(text: string, sentences: VipSentence[]): string[] {
  const haystack = normalizeText(text)
  return sentences.filter(({ clauses }) => !clauses.every((clause) => haystack.includes(clause))).map((s) => s.sentence)
}

/** Decodes \uXXXX escapes so that JSON bodies can be searched as text. */
export function decodeJsonEscapes(body: string): string {
  return body.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/* The operator console (console/dist, served by the API under /admin/) */

const CONSOLE_INDEX = path.join(ROOT, 'console', 'dist', 'index.html')

/**
 * For useStackAndBrowser's setup: fails when the console is not built, then adds the operators to
 * the stack's database with the API's own Operators service.
 */
export async function setUpConsole(stack: Stack, ...operators: Parameters<Operators['add']>[0][]): Promise<void> {
  if (!fs.existsSync(CONSOLE_INDEX)) {
    throw new Error('The console is not built (console/dist/index.html). Build it first: npm run build:console')
  }
  const db = openDb({ databaseUrl: '', sqlitePath: stack.sqlitePath })
  try {
    const people = new Operators(db.kysely)
    for (const operator of operators) await people.add(operator, Date.now())
  } finally {
    await db.close()
  }
}

/** Signs in to the console (on the API's origin) with 密码登录, on a desktop-sized page. */
export async function signInToConsole(page: Page, origin: string, operator: { name: string; password: string }) {
  await page.setViewportSize({ width: 1366, height: 900 })
  await page.goto(`${origin}/admin/`)
  // 登录 → 密码登录 (the break-glass tab; 微信扫码登录 is the first)
  await page.getByRole('tab', { name: '密码登录' }).click()
  await page.getByLabel('账号', { exact: true }).fill(operator.name)
  await page.getByLabel('密码', { exact: true }).fill(operator.password)
  await page.getByRole('button', { name: /登\s*录/ }).click()
}

/**
 * Unfolds every 参考作答 on screen: the article folds them behind 查看参考作答 until the reader asks
 * (src/subpackages/article/components/Blocks.tsx), so their text is only on the page after this.
 */
export async function unfoldAnswers(root: Page | FrameLocator): Promise<void> {
  const buttons = root.locator('.blk-a-show:visible')
  for (let left = await buttons.count(); left > 0; left = await buttons.count()) await buttons.first().click()
}

/** A JSON request to the API or the simulator; throws on an answer that is not 2xx. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
export async function fetchJson(method: string, url: string, body?: unknown, token?: string): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}

/** Reads a stack's SQLite file (read-only, its own connection) while the API runs on it. */
export function readSqlite<T>(sqlitePath: string, query: (db: SqliteDatabase.Database) => T): T {
  const db = new SqliteDatabase(sqlitePath, { readonly: true, fileMustExist: true })
  try {
    return query(db)
  } finally {
    db.close()
  }
}
