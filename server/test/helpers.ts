import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import pino from 'pino'
import { buildApp, type App } from '../src/app'
import { loadConfig, type Config } from '../src/config'
import { migrateToLatest, openDb, type Db } from '../src/db/database'
import { ensureTaxonomy } from '../src/domain/content-store'
import { importContent } from '../src/domain/content-import'
import { PAYWALL_MARKER } from '../src/domain/issue-markdown'
import { loggerOptions } from '../src/logger'

export const REPO_ROOT = path.resolve(__dirname, '../..')
export const SAMPLE_DIR = path.join(REPO_ROOT, 'content')
export const SEED_ISSUE_FILE = path.join(SAMPLE_DIR, 'shanxi-32-zhongbu-chengshiqun.md')
/** How many sample issues content/ holds; startTestApp imports them all (every one published, dated in the past) */
export const SAMPLE_ISSUES = fs.readdirSync(SAMPLE_DIR).filter((name) => name.endsWith('.md')).length

export type DialectName = 'sqlite' | 'postgres'

/** SQLite always; PostgreSQL when the test run started one (scripts/test.sh sets TEST_DATABASE_URL). */
export function dialects(): DialectName[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']
}

export interface TestDb {
  db: Db
  /** The database file, for SQLite */
  sqlitePath?: string
  /** The database URL, for PostgreSQL */
  databaseUrl?: string
  /** Drops the PostgreSQL database (after every connection to it closed) */
  dropDatabase?: () => Promise<void>
  drop(): Promise<void>
}

/** A freshly migrated database of its own: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDb(dialect: DialectName): Promise<TestDb> {
  const name = `t_${crypto.randomBytes(6).toString('hex')}`
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-test-'))
    const sqlitePath = path.join(dir, `${name}.db`)
    const db = openDb({ databaseUrl: '', sqlitePath })
    await migrateToLatest(db)
    await ensureTaxonomy(db.kysely)
    return {
      db,
      sqlitePath,
      drop: async () => {
        await db.close()
        fs.rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const adminUrl = process.env.TEST_DATABASE_URL as string
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  const db = openDb({ databaseUrl: url.toString(), sqlitePath: '' })
  await migrateToLatest(db)
  await ensureTaxonomy(db.kysely)
  const dropDatabase = async () => {
    const client = new pg.Client({ connectionString: adminUrl })
    await client.connect()
    await client.query(`drop database if exists ${name} with (force)`)
    await client.end()
  }
  return {
    db,
    databaseUrl: url.toString(),
    dropDatabase,
    drop: async () => {
      await db.close()
      await dropDatabase()
    },
  }
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({}, { NODE_ENV: 'test', LOG_LEVEL: 'info', VIEW_FLUSH_INTERVAL_MS: 600000, ...overrides })
}

/** Every log line the app writes, kept for the secrets-in-logs checks. */
export class LogCapture extends Writable {
  readonly lines: string[] = []
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    done()
  }
  text(): string {
    return this.lines.join('\n')
  }
}

export interface TestApp {
  app: App
  db: Db
  sqlitePath?: string
  /** The database URL, for PostgreSQL */
  databaseUrl?: string
  logs: LogCapture
  close(): Promise<void>
}

export async function startTestApp(
  dialect: DialectName,
  options: { config?: Partial<Config>; now?: () => number; importSample?: boolean } = {},
): Promise<TestApp> {
  const { db, drop, sqlitePath, databaseUrl } = await freshDb(dialect)
  if (options.importSample !== false) await importContent(db, [SAMPLE_DIR])
  const logs = new LogCapture()
  const config = testConfig(options.config)
  // The server's own logger options (redaction, request serializer), at info level whatever LOG_LEVEL says.
  const logger = pino({ ...loggerOptions(config), level: 'info' }, logs)
  const app = await buildApp({ config, db, logger, now: options.now })
  await app.ready()
  return {
    app,
    db,
    sqlitePath,
    databaseUrl,
    logs,
    close: async () => {
      await app.close()
      await drop()
    },
  }
}

/** Sentences of the seed issue's VIP part, as written in the sample file (markup removed). */
export function vipSentences(file = SEED_ISSUE_FILE): string[] {
  const source = fs.readFileSync(file, 'utf8')
  const vipPart = source.slice(source.indexOf(PAYWALL_MARKER) + PAYWALL_MARKER.length)
  return sentences(vipPart)
}

/** Sentences of the seed issue's free part (front matter excluded). */
export function freeSentences(file = SEED_ISSUE_FILE): string[] {
  const source = fs.readFileSync(file, 'utf8')
  const body = source.slice(source.indexOf('---', 3) + 3, source.indexOf(PAYWALL_MARKER))
  return sentences(body)
}

function sentences(markdown: string): string[] {
  const text = markdown
    .replace(/^##\s+/gm, '')
    .replace(/^>\s?/gm, '')
    .replace(/【参考作答】/g, '\n')
    .replace(/^★/gm, '')
  return [
    ...new Set(
      text
        .split(/[。！？!?\n]/)
        .map((sentence) => sentence.trim())
        .filter((sentence) => sentence.length >= 8),
    ),
  ]
}

export async function issueToken(db: Db, name: string): Promise<{ userId: number; token: string }> {
  const { issueToken: issue } = await import('../src/domain/users')
  return issue(db.kysely, name, Date.now())
}

export const SIM_APPID = 'wx0000000000000000'

export interface WeChatTestApp extends TestApp {
  /** The simulator's base URL */
  sim: string
  secrets: { appSecret: string; encryptionKey: string }
  /** A wx.login code for a test user, from the simulator's phone side */
  loginCode(user: string): Promise<string>
  /** A getPhoneNumber code */
  phoneCode(user: string, phoneNumber: string, watermarkAppid?: string): Promise<string>
  /** Signs a test user in through the API; returns the token */
  login(user: string): Promise<{ token: string; body: LoginBody }>
  control(path: string, body?: unknown): Promise<unknown>
}

interface LoginBody {
  token: string
  expiresAt: string
  me: { id: number; nickname: string; phone: string | null; membership: { active: boolean; expiresAt: string | null } }
}

/** Signs a test user in through the simulator: the bearer token and the user id. */
export async function signIn(t: WeChatTestApp, user: string): Promise<{ token: string; id: number }> {
  const { token, body } = await t.login(user)
  return { token, id: body.me.id }
}

/** An error response as [status, error code], for one-line assertions. */
export function errorOf(response: { statusCode: number; json(): { error: { code: string } } }): [number, string] {
  return [response.statusCode, response.json().error.code]
}

/** The API wired to a WeChat simulator running in this process on a free port. */
export async function startWeChatTestApp(
  dialect: DialectName,
  options: { config?: Partial<Config>; now?: () => number } = {},
): Promise<WeChatTestApp> {
  const { buildSimulator } = await import('../../simulator/src/app')
  const appSecret = crypto.randomBytes(16).toString('hex')
  const encryptionKey = crypto.randomBytes(32).toString('hex')
  const simulator = buildSimulator({ secret: appSecret, appid: SIM_APPID })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-media-'))
  const base = await startTestApp(dialect, {
    now: options.now,
    config: {
      WECHAT_API_BASE: sim,
      WECHAT_APPID: SIM_APPID,
      WECHAT_APPSECRET: appSecret,
      SESSION_KEY_ENCRYPTION_KEY: encryptionKey,
      MEDIA_DIR: mediaDir,
      ...options.config,
    },
  })
  const post = async (url: string, body: unknown) => {
    const response = await fetch(`${sim}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    })
    if (!response.ok) throw new Error(`simulator ${url} answered ${response.status}: ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }
  const loginCode = async (user: string) => (await post('/__phone/login', { user })).code as string
  return {
    ...base,
    sim,
    secrets: { appSecret, encryptionKey },
    loginCode,
    phoneCode: async (user, phoneNumber, watermarkAppid) =>
      (await post('/__phone/phone-number', { user, phoneNumber, ...(watermarkAppid ? { watermarkAppid } : {}) }))
        .code as string,
    login: async (user) => {
      const response = await base.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { code: await loginCode(user) },
      })
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`)
      const body = response.json() as LoginBody
      return { token: body.token, body }
    },
    control: async (url, body) => {
      if (body === undefined) return (await fetch(`${sim}/__control${url}`)).json()
      return post(`/__control${url}`, body)
    },
    close: async () => {
      await base.close()
      await simulator.close()
      fs.rmSync(mediaDir, { recursive: true, force: true })
    },
  }
}

/** An empty migrated database for a server process of its own: the environment that names it, and how to drop it. */
export async function databaseForProcess(
  dialect: DialectName,
): Promise<{ env: Record<string, string>; open(): Db; drop(): Promise<void> }> {
  const made = await freshDb(dialect)
  await made.db.close()
  if (dialect === 'sqlite') {
    const sqlitePath = made.sqlitePath as string
    return {
      env: { SQLITE_PATH: sqlitePath, DATABASE_URL: '' },
      open: () => openDb({ databaseUrl: '', sqlitePath }),
      drop: async () => fs.rmSync(path.dirname(sqlitePath), { recursive: true, force: true }),
    }
  }
  return {
    env: { DATABASE_URL: made.databaseUrl as string },
    open: () => openDb({ databaseUrl: made.databaseUrl as string, sqlitePath: '' }),
    drop: made.dropDatabase as () => Promise<void>,
  }
}

/** A TCP port free on 127.0.0.1 right now, for a server a test starts (a child API, the simulator) */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}
