import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { buildApp, type App } from '../../src/app'
import type { Db } from '../../src/db/database'
import { MAX_OPEN_OPT_INS } from '../../src/domain/subscriptions'
import { databaseForProcess, dialects, freePort, issueToken, REPO_ROOT, testConfig } from '../helpers'

const TEMPLATE_ID = 'tmpl_next_issue'

function pngUpload() {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(200)])
  const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

interface Reply {
  status: number
  json(): Record<string, unknown>
}

/**
 * Check-then-write paths about one reader hold when the reader's requests arrive together: at this
 * process's API and at a second API process on the same database and media folder (as replicas are),
 * so the requests race across connections on SQLite too, not only on PostgreSQL's pool.
 */
describe.each(dialects())('concurrent requests of one reader on %s', (dialect) => {
  let app: App
  let db: Db
  let child: ChildProcess
  let childBase: string
  let mediaDir: string
  let dropDatabase: () => Promise<void>
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  beforeAll(async () => {
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-concurrency-media-'))
    const database = await databaseForProcess(dialect)
    dropDatabase = database.drop
    const settings = { MEDIA_DIR: mediaDir, SUBSCRIBE_TEMPLATE_ID: TEMPLATE_ID }
    const port = await freePort()
    childBase = `http://127.0.0.1:${port}`
    child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...database.env,
        ...settings,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        IMPORT_SAMPLE_CONTENT: 'false',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    db = database.open()
    app = await buildApp({ config: testConfig(settings), db, logger: pino({ level: 'silent' }) })
    await app.ready()
    const deadline = Date.now() + 60000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the second API exited with ${child.exitCode}`)
      if (
        await fetch(`${childBase}/healthz`).then(
          (response) => response.ok,
          () => false,
        )
      )
        break
      if (Date.now() > deadline) throw new Error('the second API did not come up')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }, 90000)
  afterAll(async () => {
    await app.close()
    await db.close()
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
    await dropDatabase()
    fs.rmSync(mediaDir, { recursive: true, force: true })
  })

  /** Request `i` goes to this process's API when even, to the second one when odd. */
  async function send(
    i: number,
    request: { method: 'POST' | 'PUT'; url: string; headers: Record<string, string>; payload: string | Buffer },
  ): Promise<Reply> {
    if (i % 2 === 0) {
      const response = await app.inject(request)
      return { status: response.statusCode, json: () => response.json() }
    }
    const response = await fetch(`${childBase}${request.url}`, {
      method: request.method,
      headers: request.headers,
      body: typeof request.payload === 'string' ? request.payload : new Uint8Array(request.payload),
    })
    const text = await response.text()
    return { status: response.status, json: () => JSON.parse(text) as Record<string, unknown> }
  }

  it(`30 opt-ins at once leave exactly ${MAX_OPEN_OPT_INS} waiting`, async () => {
    const reader = await issueToken(db, 'eager')
    // Only readers signed in with WeChat can be notified.
    await db.kysely.updateTable('users').set({ openid: 'o-eager' }).where('id', '=', reader.userId).execute()
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        send(i, {
          method: 'POST',
          url: '/api/subscriptions',
          headers: { ...bearer(reader.token), 'content-type': 'application/json' },
          payload: JSON.stringify({ region: 'shanxi', templateId: TEMPLATE_ID }),
        }),
      ),
    )
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 200)).toHaveLength(MAX_OPEN_OPT_INS)
    expect(statuses.filter((status) => status === 409)).toHaveLength(30 - MAX_OPEN_OPT_INS)
    const rows = await db.kysely
      .selectFrom('subscription_optins')
      .select('id')
      .where('user_id', '=', reader.userId)
      .where('status', '=', 'open')
      .execute()
    expect(rows).toHaveLength(MAX_OPEN_OPT_INS)
    // Each accepted answer counted itself: 1 to 20, once each.
    const counts = responses.filter((r) => r.status === 200).map((r) => r.json().openOptIns as number)
    expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: MAX_OPEN_OPT_INS }, (_, i) => i + 1))
  })

  it('10 avatar uploads at once leave one stored avatar, the one the reader row names', async () => {
    const reader = await issueToken(db, 'restless')
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const body = pngUpload()
        return send(i, {
          method: 'PUT',
          url: '/api/me/avatar',
          headers: { ...body.headers, ...bearer(reader.token) },
          payload: body.payload,
        })
      }),
    )
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200))
    const row = await db.kysely
      .selectFrom('users')
      .select('avatar')
      .where('id', '=', reader.userId)
      .executeTakeFirstOrThrow()
    // Avatars live in the media table (MEDIA_STORAGE=database); none may be left behind there or on disk.
    const stored = await db.kysely
      .selectFrom('media')
      .select('name')
      .where('name', 'like', `${reader.userId}-%`)
      .execute()
    const folder = path.join(mediaDir, 'avatars')
    const files = fs.existsSync(folder)
      ? fs.readdirSync(folder).filter((name) => name.startsWith(`${reader.userId}-`))
      : []
    expect([...stored.map((entry) => entry.name), ...files]).toEqual([row.avatar])
  })
})
