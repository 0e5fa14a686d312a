import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { buildSimulator } from '../../../simulator/src/app'
import { makePaymentFixture } from '../../../simulator/src/fixture'
import pino from 'pino'
import { buildApp } from '../../src/app'
import { databaseForProcess, dialects, freePort, freshDb, REPO_ROOT, testConfig } from '../helpers'

jest.setTimeout(180000)

const BUYERS = 16
const READERS = 8

function startApi(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

async function waitHealthy(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`)
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('the API did not come up')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode })
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
}

/**
 * SIGTERM during a load of issue reads and payment notifications: the server stops accepting,
 * finishes what is in flight, flushes the buffered view counts (only the shutdown flush writes
 * them here) and exits 0. Every read answered 200 was counted, every notification answered 2xx was
 * fulfilled, and the ones refused while it closed are settled once it is back, exactly once.
 */
describe.each(dialects())('SIGTERM under load on %s', (dialect) => {
  it('finishes in-flight work, counts every view, fulfils every payment once, exits 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-shutdown-'))
    const port = await freePort()
    const metricsPort = await freePort()
    const api = `http://127.0.0.1:${port}`
    const fixture = makePaymentFixture({ dir, apiBase: api })
    const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.01 })
    const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
    const database = await databaseForProcess(dialect)
    const env = {
      ...fixture.server,
      ...database.env,
      WECHAT_API_BASE: sim,
      WECHATPAY_API_BASE: sim,
      PAYMENT_RAIL: 'wechatpay',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      MEDIA_DIR: path.join(dir, 'media'),
      // Only the shutdown flush writes view counts; no sweep runs in the first process.
      VIEW_FLUSH_INTERVAL_MS: '600000',
      RECONCILE_INTERVAL_MS: '0',
      RECONCILE_AFTER_MS: '0',
      LOGIN_RATE_PER_IP: '1000',
      SHUTDOWN_TIMEOUT_MS: '10000',
    }
    let server = startApi(env)
    const db = database.open()
    try {
      await waitHealthy(api, server)
      // The metrics port of main.ts answers; the public port does not serve metrics.
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
      expect(scraped.status).toBe(200)
      expect(await scraped.text()).toContain('beichen_http_requests_total')
      expect((await fetch(`${api}/metrics`)).status).toBe(404)

      const post = async (url: string, body: unknown, token?: string) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        })
        return response.json()
      }
      const issueId = ((await (await fetch(`${api}/api/issues`)).json()) as { items: { id: number }[] }).items[0].id
      const buyers = await Promise.all(
        Array.from({ length: BUYERS }, async (_, i) => {
          const user = `leaving${i}`
          const { code } = await post(`${sim}/__phone/login`, { user })
          const { token } = await post(`${api}/api/auth/login`, { code })
          const created = await post(
            `${api}/api/orders`,
            { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
            token,
          )
          return { user, created }
        }),
      )
      const ids = buyers.map((buyer) => buyer.created.order.id as number)

      // The load: anonymous readers, one browser (user agent) each, so each 200 is one view.
      const answered = new Map<string, number>()
      let next = 0
      let loading = true
      const readers = Array.from({ length: READERS }, async () => {
        while (loading) {
          const agent = `shutdown-reader-${next++}`
          try {
            const response = await fetch(`${api}/api/issues/${issueId}`, { headers: { 'user-agent': agent } })
            await response.arrayBuffer()
            answered.set(agent, response.status)
          } catch {
            answered.set(agent, 0)
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
        }
      })
      // Payments at the phone, a few milliseconds apart: their notifications meet the closing server.
      const payments = (async () => {
        for (const { user, created } of buyers) {
          await post(`${sim}/__phone/pay/jsapi`, { user, ...created.payment.wechatpay, action: 'confirm' })
          await new Promise((resolve) => setTimeout(resolve, 15))
        }
      })()
      // SIGTERM once reads and notifications are flowing.
      for (let waited = 0; waited < 10000; waited += 5) {
        const log = (await (await fetch(`${sim}/__control/notifications`)).json()) as {
          deliveries: { result: string }[]
        }
        if (log.deliveries.filter((delivery) => delivery.result === 'ok').length >= 3 && answered.size >= 20) break
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      const exited = exitOf(server)
      server.kill('SIGTERM')
      const started = Date.now()
      expect(await exited).toEqual({ code: 0, signal: null })
      expect(Date.now() - started).toBeLessThan(10000)
      loading = false
      await Promise.all([...readers, payments])

      // Every read answered 200 counted once: the flush at shutdown wrote them all.
      const viewers = [...answered].filter(([, status]) => status === 200).length
      expect(viewers).toBeGreaterThanOrEqual(20)
      const issue = await db.kysely
        .selectFrom('issues')
        .select('view_count')
        .where('id', '=', issueId)
        .executeTakeFirstOrThrow()
      expect(issue.view_count).toBe(viewers)

      // Every notification answered 2xx was fulfilled.
      const log = (await (await fetch(`${sim}/__control/notifications`)).json()) as {
        deliveries: { result: string; out_trade_no: string; status: number | null }[]
      }
      const accepted = new Set(log.deliveries.filter((d) => d.result === 'ok').map((d) => d.out_trade_no))
      expect(accepted.size).toBeGreaterThanOrEqual(3)
      const rows = await db.kysely
        .selectFrom('orders')
        .select(['out_trade_no', 'status'])
        .where('id', 'in', ids)
        .execute()
      for (const row of rows) if (accepted.has(row.out_trade_no)) expect(row.status).toBe('fulfilled')
      expect(rows.filter((row) => row.status === 'paid')).toEqual([])

      // Back up with the sweep on: WeChat's retries and the sweep settle the rest, each exactly once.
      server = startApi({ ...env, RECONCILE_INTERVAL_MS: '200' })
      await waitHealthy(api, server)
      const deadline = Date.now() + 60000
      for (;;) {
        const now = await db.kysely.selectFrom('orders').select('status').where('id', 'in', ids).execute()
        if (now.every((row) => row.status === 'fulfilled')) break
        if (Date.now() > deadline) throw new Error(`not all fulfilled: ${now.map((row) => row.status).join(',')}`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
      const ledger = await db.kysely
        .selectFrom('ledger')
        .select(['order_id', 'event'])
        .where('order_id', 'in', ids)
        .execute()
      for (const id of ids) {
        const events = ledger.filter((row) => row.order_id === id).map((row) => row.event)
        expect(events.filter((event) => event === 'paid')).toHaveLength(1)
        expect(events.filter((event) => event === 'fulfilled')).toHaveLength(1)
      }
      const stopped = exitOf(server)
      server.kill('SIGTERM')
      expect(await stopped).toEqual({ code: 0, signal: null })
    } finally {
      if (server.exitCode === null && server.signalCode === null) {
        const stopped = exitOf(server)
        server.kill('SIGKILL')
        await stopped
      }
      await db.close()
      // Cancels WeChat's pending retries, whose timers would keep the test process alive.
      await fetch(`${sim}/__control/reset`, { method: 'POST' })
      await simulator.close()
      await database.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('closing with a keep-alive request in flight', () => {
  it('answers it with Connection: close and does not wait for the keep-alive timeout', async () => {
    const { db, drop } = await freshDb('sqlite')
    const app = await buildApp({ config: testConfig(), db, logger: pino({ level: 'silent' }) })
    app.get('/slow', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      return { ok: true }
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const { port } = app.server.address() as net.AddressInfo
    const agent = new http.Agent({ keepAlive: true })
    try {
      const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        http
          .get({ port, host: '127.0.0.1', path: '/slow', agent }, (response) => {
            response.resume()
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
            )
          })
          .on('error', reject)
      })
      await new Promise((resolve) => setTimeout(resolve, 100))
      const started = Date.now()
      await app.close()
      // Without the drain the busy socket stays open for Fastify's 72 s keep-alive timeout.
      expect(Date.now() - started).toBeLessThan(3000)
      expect(await answer).toEqual({ status: 200, connection: 'close' })
    } finally {
      agent.destroy()
      await drop()
    }
  })
})
