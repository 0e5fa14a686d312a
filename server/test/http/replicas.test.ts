import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildSimulator } from '../../../simulator/src/app'
import { makePaymentFixture } from '../../../simulator/src/fixture'
import { importContent } from '../../src/domain/content-import'
import { SCHEDULED_PUBLISH_REASON } from '../../src/domain/issue-schedule'
import { Operators } from '../../src/domain/operators'
import { databaseForProcess, freePort, REPO_ROOT, SEED_ISSUE_FILE } from '../helpers'

/**
 * Two API processes on one PostgreSQL database, each with its own disk, as replicas behind a load
 * balancer run: what one stores or changes, the other serves at once; limits hold in total; a
 * leased job runs on one of them at a time.
 */

jest.setTimeout(120000)

const LOGINS_PER_ADDRESS = 6

function pngUpload() {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(300)])
  const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="me.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    png,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { png, body, contentType: `multipart/form-data; boundary=${boundary}` }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
type Json = any

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip

describeOnPostgres('two API replicas on one PostgreSQL', () => {
  const children: ChildProcess[] = []
  let simulator: FastifyInstance
  let sim: string
  let a: string
  let b: string
  let dir: string
  let drop: () => Promise<void>
  let queryDatabase: <T>(
    work: (db: ReturnType<Awaited<ReturnType<typeof databaseForProcess>>['open']>) => Promise<T>,
  ) => Promise<T>

  async function startReplica(port: number, env: Record<string, string>, media: string): Promise<string> {
    const base = `http://127.0.0.1:${port}`
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, MEDIA_DIR: media, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    children.push(child)
    const deadline = Date.now() + 60000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`replica on ${port} exited with ${child.exitCode}`)
      const up = await fetch(`${base}/healthz`).then(
        (response) => response.ok,
        () => false,
      )
      if (up) return base
      if (Date.now() > deadline) throw new Error(`replica on ${port} did not come up`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-replicas-'))
    const database = await databaseForProcess('postgres')
    drop = database.drop
    queryDatabase = async (work) => {
      const db = database.open()
      try {
        return await work(db)
      } finally {
        await db.close()
      }
    }
    const [portA, portB] = [await freePort(), await freePort()]
    const fixture = makePaymentFixture({ dir, apiBase: `http://127.0.0.1:${portA}`, encrypted: true })
    simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
    sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
    const env = {
      ...fixture.server,
      ...database.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      WECHAT_API_BASE: sim,
      WECHATPAY_API_BASE: sim,
      PAYMENT_RAIL: 'xpay',
      LOGIN_RATE_PER_IP: String(LOGINS_PER_ADDRESS),
      VIEW_FLUSH_INTERVAL_MS: '600000',
      RECONCILE_INTERVAL_MS: '100',
      RECONCILE_AFTER_MS: '0',
      SCHEDULE_SWEEP_SECONDS: '1',
    }
    // One after the other: the first imports the sample content into the empty database.
    a = await startReplica(portA, env, path.join(dir, 'media-a'))
    b = await startReplica(portB, env, path.join(dir, 'media-b'))
  })

  afterAll(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
          }),
      ),
    )
    await fetch(`${sim}/__control/reset`, { method: 'POST' }).catch(() => undefined)
    await simulator?.close()
    await drop?.()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const post = async (url: string, body: unknown, token?: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  const get = async (url: string, token?: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  const signIn = async (user: string, at: string) => {
    const { code } = (await post(`${sim}/__phone/login`, { user })).body
    const answer = await post(`${at}/api/auth/login`, { code })
    if (answer.status !== 200) throw new Error(JSON.stringify(answer.body))
    return answer.body.token as string
  }

  it('an avatar uploaded through one replica is served by the other', async () => {
    const token = await signIn('avatar-reader', a)
    const upload = pngUpload()
    const stored = await fetch(`${a}/api/me/avatar`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': upload.contentType },
      body: new Uint8Array(upload.body),
    })
    expect(stored.status).toBe(200)
    const { avatarUrl } = (await stored.json()) as { avatarUrl: string }
    const served = await fetch(`${b}${new URL(avatarUrl, b).pathname}`)
    expect(served.status).toBe(200)
    expect(Buffer.from(await served.arrayBuffer()).equals(upload.png)).toBe(true)
    // Neither replica's disk holds it.
    for (const media of ['media-a', 'media-b']) expect(fs.existsSync(path.join(dir, media, 'avatars'))).toBe(false)
  })

  it('a course video URL signed by one replica plays from the other; a forged one from neither', async () => {
    const course: Json = await (await fetch(`${a}/api/courses/1`)).json()
    const preview = course.lessons.find((lesson: Json) => lesson.preview)
    const playback: Json = await (await fetch(`${a}/api/courses/lessons/${preview.id}/play`)).json()
    const fromB = await fetch(`${b}${playback.url}`, { headers: { range: 'bytes=0-1023' } })
    expect(fromB.status).toBe(206)
    expect((await fromB.arrayBuffer()).byteLength).toBe(1024)
    const forged = playback.url.replace(/-[0-9a-f]{32}$/, `-${'f'.repeat(32)}`)
    for (const replica of [a, b]) expect((await fetch(`${replica}${forged}`)).status).toBe(403)
  })

  it('a VIP bought through one replica unlocks on the other on the next request', async () => {
    const token = await signIn('vip-reader', a)
    const seed = (await get(`${b}/api/issues?limit=50`)).body.items.find(
      (item: { slug: string }) => item.slug === 'shanxi-32-zhongbu-chengshiqun',
    )
    // Replica B now holds this reader as not VIP in its viewer cache, for one second.
    expect((await get(`${b}/api/issues/${seed.id}`, token)).body.access.granted).toBe(false)
    const cachedAt = Date.now()
    const created = await post(
      `${a}/api/orders`,
      { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
      token,
    )
    expect(created.status).toBe(200)
    await post(`${sim}/__phone/xpay/pay`, { user: 'vip-reader', ...created.body.payment.xpay, action: 'confirm' })
    const deadline = Date.now() + 10000
    while ((await get(`${a}/api/orders/${created.body.order.id}`, token)).body.status !== 'fulfilled') {
      if (Date.now() > deadline) throw new Error('the order was not fulfilled')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    // Well inside the viewer cache's second: only the change feed can have told B.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const article = await get(`${b}/api/issues/${seed.id}`, token)
    // Past the cache's second the test would prove nothing: the cache would have run out by itself.
    expect(Date.now() - cachedAt).toBeLessThan(1000)
    expect(article.body.access.granted).toBe(true)
  })

  it('the reconciliation sweep runs on one replica at a time: a due order is asked about once', async () => {
    const token = await signIn('stuck-reader', b)
    const created = await post(
      `${b}/api/orders`,
      { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
      token,
    )
    const outTradeNo = created.body.order.outTradeNo as string
    const queries = async () => {
      const stats = (await get(`${sim}/__control/stats`)).body
      return stats.calls['/xpay/query_order'] as number
    }
    // A new order is due at once (RECONCILE_AFTER_MS=0): wait for its first query to be over.
    const attempts = () =>
      queryDatabase(async (db) =>
        Number(
          (
            await db.kysely
              .selectFrom('orders')
              .select('query_attempts')
              .where('out_trade_no', '=', outTradeNo)
              .executeTakeFirstOrThrow()
          ).query_attempts,
        ),
      )
    const deadline = Date.now() + 10000
    while ((await attempts()) < 1) {
      if (Date.now() > deadline) throw new Error('the order was never asked about')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const before = await queries()
    // Due now, on both replicas' sweeps (every 100 ms); each query pushes it 30 s away.
    await queryDatabase((db) =>
      db.kysely
        .updateTable('orders')
        .set({ next_query_at: Date.now() - 1 })
        .where('out_trade_no', '=', outTradeNo)
        .execute(),
    )
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await queries()) - before).toBe(1)
  })

  it('a scheduled issue is published once by the replicas, and both list it at once', async () => {
    const file = path.join(dir, 'scheduled.md')
    fs.writeFileSync(
      file,
      fs
        .readFileSync(SEED_ISSUE_FILE, 'utf8')
        .replace(/^slug: .*$/m, 'slug: replicas-scheduled')
        .replace(/^number: .*$/m, 'number: 88')
        .replace(/^author: (.*)$/m, 'author: $1\nstatus: draft'),
    )
    const id = await queryDatabase(async (db) => {
      expect((await importContent(db, [file])).problems).toEqual([])
      const operator = await new Operators(db.kysely).add(
        { name: 'replicas-editor', role: 'editor', openid: 'o-replicas-editor' },
        Date.now(),
      )
      const row = await db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'replicas-scheduled')
        .executeTakeFirstOrThrow()
      // As POST /api/admin/issues/:id/schedule leaves it, a moment ahead.
      await db.kysely
        .updateTable('issues')
        .set({ status: 'scheduled', publish_at: Date.now() + 1500, scheduled_by: operator.id })
        .where('id', '=', row.id)
        .execute()
      return row.id
    })
    const listed = async (at: string) =>
      (await get(`${at}/api/issues?limit=50`)).body.items.some((item: { id: number }) => item.id === id)
    // Both replicas now hold a list without it, for ISSUE_CACHE_TTL_MS (5 s).
    expect([await listed(a), await listed(b)]).toEqual([false, false])
    const cachedAt = Date.now()
    const status = () =>
      queryDatabase(
        async (db) =>
          (await db.kysely.selectFrom('issues').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status,
      )
    while ((await status()) !== 'published') await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const seen = [await listed(a), await listed(b)]
    // Past the lists' 5 s the test would prove nothing: they would have run out by themselves.
    expect(Date.now() - cachedAt).toBeLessThan(5000)
    expect(seen).toEqual([true, true])
    // Both replicas run the job every second; a few more runs publish nothing more.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const audits = await queryDatabase((db) =>
      db.kysely
        .selectFrom('admin_audit')
        .select(['operator_name', 'reason'])
        .where('action', '=', 'issue.publish')
        .where('target', '=', `issue:${id}`)
        .execute(),
    )
    expect(audits).toEqual([{ operator_name: 'replicas-editor', reason: SCHEDULED_PUBLISH_REASON }])
  })

  it('a per-address limit holds in total across the replicas', async () => {
    const statuses: number[] = []
    for (let i = 0; i < LOGINS_PER_ADDRESS + 4; i++)
      statuses.push((await post(`${i % 2 === 0 ? a : b}/api/auth/login`, { code: `no-such-code-${i}` })).status)
    // Earlier sign-ins in this file came from the same address.
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(4)
    expect(statuses.filter((status) => status !== 429).length).toBeLessThanOrEqual(LOGINS_PER_ADDRESS)
  })
})
