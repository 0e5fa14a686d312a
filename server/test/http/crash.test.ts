import { spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildSimulator } from '../../../simulator/src/app'
import { makePaymentFixture } from '../../../simulator/src/fixture'
import type { PaymentRail } from '../../src/db/schema'
import { databaseForProcess, dialects, freePort, REPO_ROOT } from '../helpers'

jest.setTimeout(120000)

const ORDERS = 40

/** The server as one process (node with tsx's loader, not tsx's CLI, which would outlive a SIGKILL in a child). */
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

const cases = dialects().flatMap((dialect) =>
  (['xpay', 'wechatpay'] as PaymentRail[]).map((rail) => [dialect, rail] as const),
)

describe.each(cases)('a server killed with SIGKILL during a burst of payments (%s, %s)', (dialect, rail) => {
  it('after a restart every paid order is fulfilled exactly once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-crash-'))
    const port = await freePort()
    const api = `http://127.0.0.1:${port}`
    const fixture = makePaymentFixture({ dir, apiBase: api })
    // Retries 15 s × 0.01: WeChat keeps delivering while the server is down.
    const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.01 })
    const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
    const database = await databaseForProcess(dialect)
    const env = {
      ...fixture.server,
      ...database.env,
      WECHAT_API_BASE: sim,
      WECHATPAY_API_BASE: sim,
      PAYMENT_RAIL: rail,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MEDIA_DIR: path.join(dir, 'media'),
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_AFTER_MS: '1000',
      LOGIN_RATE_PER_IP: '1000',
    }
    let server = startApi(env)
    try {
      await waitHealthy(api, server)
      const post = async (url: string, body: unknown, token?: string) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        })
        return response.json()
      }
      const buyers = await Promise.all(
        Array.from({ length: ORDERS }, async (_, i) => {
          const user = `crash${i}`
          const { code } = await post(`${sim}/__phone/login`, { user })
          const { token } = await post(`${api}/api/auth/login`, { code })
          const created = await post(
            `${api}/api/orders`,
            { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
            token,
          )
          return { user, token, created }
        }),
      )
      // The burst: every reader pays at once; the server dies while the notifications arrive.
      // Half of them are held back so they are sure to meet the dead server.
      await post(`${sim}/__control/notifications`, {
        rail: rail === 'xpay' ? 'xpay' : 'pay',
        mode: 'delay',
        delayMs: 1500,
        count: ORDERS / 2,
      })
      const payments = buyers.map(({ user, created }) =>
        created.payment.rail === 'xpay'
          ? post(`${sim}/__phone/xpay/pay`, { user, ...created.payment.xpay, action: 'confirm' })
          : post(`${sim}/__phone/pay/jsapi`, { user, ...created.payment.wechatpay, action: 'confirm' }),
      )
      // Kill as soon as the first notification got through: the others are in flight.
      for (let waited = 0; waited < 10000; waited += 2) {
        const log = (await (await fetch(`${sim}/__control/notifications`)).json()) as {
          deliveries: { result: string }[]
        }
        if (log.deliveries.some((delivery) => delivery.result === 'ok')) break
        await new Promise((resolve) => setTimeout(resolve, 2))
      }
      const exited = new Promise((resolve) =>
        server.exitCode !== null || server.signalCode !== null ? resolve(null) : server.once('exit', resolve),
      )
      server.kill('SIGKILL')
      await Promise.all(payments)
      await exited
      await new Promise((resolve) => setTimeout(resolve, 2000))

      server = startApi(env)
      await waitHealthy(api, server)
      const db = database.open()
      try {
        const ids = buyers.map((buyer) => buyer.created.order.id as number)
        const deadline = Date.now() + 60000
        for (;;) {
          const rows = await db.kysely.selectFrom('orders').select('status').where('id', 'in', ids).execute()
          if (rows.every((row) => row.status === 'fulfilled')) break
          if (Date.now() > deadline) throw new Error(`not all fulfilled: ${rows.map((row) => row.status).join(',')}`)
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
        // The server really was down for part of the burst: some deliveries failed and were retried.
        const log = (await (await fetch(`${sim}/__control/notifications`)).json()) as {
          deliveries: { result: string }[]
        }
        expect(log.deliveries.some((delivery) => delivery.result !== 'ok')).toBe(true)
        const memberships = await db.kysely.selectFrom('memberships').select('expires_at').execute()
        const oneMonth = 31 * 86400000
        for (const row of memberships) expect(row.expires_at - Date.now()).toBeLessThanOrEqual(oneMonth)
        expect(memberships.length).toBeGreaterThanOrEqual(ORDERS)
      } finally {
        await db.close()
      }
    } finally {
      const stopped = new Promise((resolve) =>
        server.exitCode !== null || server.signalCode !== null ? resolve(null) : server.once('exit', resolve),
      )
      server.kill('SIGTERM')
      await stopped
      // Cancels WeChat's pending retries, whose timers would keep the test process alive.
      await fetch(`${sim}/__control/reset`, { method: 'POST' })
      await simulator.close()
      await database.drop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
