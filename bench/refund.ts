/**
 * npm run bench:refund — refunds whose notifications were all lost, finished by the refund sweep.
 *
 * For each rail: the API in this process on SQLite (listening, so the simulator can notify it),
 * the WeChat simulator beside it. BENCH_REFUNDS (default 600) orders are bought by 30 readers and
 * fulfilled from their notifications; then every refund notification is dropped, every order is
 * refunded (Payments.refund, as `npm run admin -- refund` does), and the reconciliation sweep is
 * run until no refund is under way. Prints how many refunds the sweeps finished, in how many sweeps
 * and how long, and checks exactly once: one `refunded` ledger row per order and no VIP left.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pino from 'pino'
import { buildSimulator } from '../simulator/src/app'
import { makePaymentFixture } from '../simulator/src/fixture'
import { buildApp } from '../server/src/app'
import { loadConfig } from '../server/src/config'
import { migrateToLatest, openDb } from '../server/src/db/database'
import type { CreateOrderResultDto } from '../server/src/schemas/orders'
import { formatTable, freePort, pool, postJson, tempDir } from './lib'

const REFUNDS = Number(process.env.BENCH_REFUNDS ?? 600)
const READERS = 30
const CONCURRENCY = 30

async function run(rail: 'xpay' | 'wechatpay') {
  const dir = tempDir(`beichen-bench-refund-${rail}-`)
  const port = await freePort()
  const api = `http://127.0.0.1:${port}`
  const fixture = makePaymentFixture({ dir, apiBase: api, encrypted: rail === 'xpay' })
  const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const db = openDb({ databaseUrl: '', sqlitePath: path.join(dir, 'bench.db') })
  await migrateToLatest(db)
  const config = loadConfig({
    ...fixture.server,
    NODE_ENV: 'test',
    WECHAT_API_BASE: sim,
    WECHATPAY_API_BASE: sim,
    PAYMENT_RAIL: rail,
    LOGIN_RATE_PER_IP: '100000',
    ORDERS_PER_READER: '100000',
    RECONCILE_INTERVAL_MS: '0',
    RECONCILE_AFTER_MS: '0',
    IMPORT_SAMPLE_CONTENT: 'false',
    MEDIA_DIR: path.join(dir, 'media'),
  })
  const app = await buildApp({ config, db, logger: pino({ level: 'error' }) })
  await app.listen({ port, host: '127.0.0.1' })
  try {
    const readers = await Promise.all(
      Array.from({ length: READERS }, async (_, i) => {
        const user = `refund${i}`
        const { code } = await postJson(`${sim}/__phone/login`, { user })
        return { user, token: (await postJson(`${api}/api/auth/login`, { code })).token as string }
      }),
    )
    const ids: number[] = []
    await pool(
      Array.from({ length: REFUNDS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const reader = readers[i % READERS]
        const created = await postJson(
          `${api}/api/orders`,
          { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
          reader.token,
        )
        const payment = created.payment as NonNullable<CreateOrderResultDto['payment']>
        if (payment.rail === 'xpay')
          await postJson(`${sim}/__phone/xpay/pay`, { user: reader.user, ...payment.xpay, action: 'confirm' })
        else await postJson(`${sim}/__phone/pay/jsapi`, { user: reader.user, ...payment.wechatpay, action: 'confirm' })
        ids.push(created.order.id)
      },
    )
    const count = async (status: 'fulfilled' | 'refunding' | 'refunded') =>
      Number(
        (
          await db.kysely
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', status)
            .executeTakeFirstOrThrow()
        ).n,
      )
    const deadline = Date.now() + 120000
    while ((await count('fulfilled')) < REFUNDS) {
      if (Date.now() > deadline) throw new Error(`only ${await count('fulfilled')} of ${REFUNDS} fulfilled`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    // Every refund notification is lost.
    await postJson(`${sim}/__control/notifications`, {
      rail: rail === 'xpay' ? 'xpay' : 'pay',
      mode: 'drop',
      count: REFUNDS,
      event: rail === 'xpay' ? 'xpay_refund_notify' : 'REFUND.SUCCESS',
    })
    const requested = process.hrtime.bigint()
    await pool(ids, CONCURRENCY, async (id) => {
      await app.services.payments.refund(id, '基准测试退款')
    })
    const requestSeconds = Number(process.hrtime.bigint() - requested) / 1e9
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lost = await count('refunding')

    const started = process.hrtime.bigint()
    let sweeps = 0
    let finished = 0
    while ((await count('refunding')) > 0) {
      if (sweeps > 100) throw new Error('the sweep did not finish the refunds')
      // As if their first query were due: the sweep takes them 200 at a time.
      await db.kysely
        .updateTable('orders')
        .set({ next_query_at: Date.now() - 1 })
        .where('status', '=', 'refunding')
        .execute()
      finished += (await app.services.reconciler.runOnce()).refunded
      sweeps += 1
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9

    const rows = await db.kysely.selectFrom('ledger').select('order_id').where('event', '=', 'refunded').execute()
    const perOrder = new Map<number, number>()
    for (const row of rows) perOrder.set(row.order_id as number, (perOrder.get(row.order_id as number) ?? 0) + 1)
    const stillVip = await db.kysely
      .selectFrom('memberships')
      .select('user_id')
      .where('expires_at', '>', Date.now() + 60000)
      .execute()
    const exactlyOnce =
      ids.every((id) => perOrder.get(id) === 1) && rows.length === REFUNDS && stillVip.length === 0 && finished === lost
    return {
      rail: rail === 'xpay' ? 'xpay (消息推送, 安全模式)' : 'WeChat Pay v3',
      refunds: REFUNDS,
      'requested/s': Math.round(REFUNDS / requestSeconds),
      'notifications lost': lost,
      'finished by sweep': finished,
      sweeps,
      seconds: seconds.toFixed(2),
      'refunds/s': Math.round(finished / seconds),
      'exactly once': exactlyOnce ? 'yes' : 'NO',
    }
  } finally {
    await app.close()
    await db.close()
    await fetch(`${sim}/__control/reset`, { method: 'POST' })
    await simulator.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const rows = [await run('xpay'), await run('wechatpay')]
  process.stdout.write(
    `\nbench:refund — ${REFUNDS} refunds per rail, every refund notification dropped, SQLite\n\n${formatTable(rows)}\n\n`,
  )
  const complete = rows.every((row) => row['exactly once'] === 'yes' && row['finished by sweep'] === REFUNDS)
  process.stdout.write(`all refunds finished by the sweep, exactly once: ${complete ? 'yes' : 'NO'}\n`)
  if (!complete) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:refund failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
