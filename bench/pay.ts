/**
 * npm run bench:pay — verified payment notifications per second, end to end, exactly once.
 *
 * For each rail: the API as its own process on SQLite, the WeChat simulator in this process.
 * BENCH_ORDERS (default 2000) orders are created over HTTP by 50 readers; then every order is
 * paid at the simulator's phone side (50 at a time) and the simulator delivers the signed
 * (xpay: 消息推送 in 安全模式, AES-CBC; WeChat Pay: RSA-signed, AES-GCM) notifications to the
 * API, which verifies, decrypts, checks and fulfils them. Prints notifications per second from
 * the first payment to the last fulfilment, then checks exactly-once in the database.
 * Goal (docs/benchmarks.md): ≥ 500/s.
 */
import crypto from 'node:crypto'
import { openDb } from '../server/src/db/database'
import type { CreateOrderResultDto } from '../server/src/schemas/orders'
import { formatTable, pool, postJson } from './lib'
import { startPaymentBench } from './lib/payment-bench'

const ORDERS = Number(process.env.BENCH_ORDERS ?? 2000)
const READERS = 50
const CONCURRENCY = 50

type Payment = NonNullable<CreateOrderResultDto['payment']>

async function run(rail: 'xpay' | 'wechatpay') {
  const { api, sim, sqlitePath, signIn, stop } = await startPaymentBench({ name: `pay-${rail}`, rail })
  try {
    const readers = await Promise.all(
      Array.from({ length: READERS }, async (_, i) => {
        const user = `bench${i}`
        return { user, token: await signIn(user) }
      }),
    )
    const plans = ['month', 'half_year', 'year']
    const orders: { user: string; payment: Payment; id: number }[] = []
    await pool(
      Array.from({ length: ORDERS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const reader = readers[i % READERS]
        const created = await postJson(
          `${api}/api/orders`,
          { planId: plans[i % 3], platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
          reader.token,
        )
        orders.push({ user: reader.user, payment: created.payment, id: created.order.id })
      },
    )

    const db = openDb({ databaseUrl: '', sqlitePath })
    const fulfilled = async () =>
      Number(
        (
          await db.kysely
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('status', '=', 'fulfilled')
            .executeTakeFirstOrThrow()
        ).n,
      )
    const started = process.hrtime.bigint()
    await pool(orders, CONCURRENCY, async ({ user, payment }) => {
      if (payment.rail === 'xpay')
        await postJson(`${sim}/__phone/xpay/pay`, { user, ...payment.xpay, action: 'confirm' })
      else await postJson(`${sim}/__phone/pay/jsapi`, { user, ...payment.wechatpay, action: 'confirm' })
    })
    const deadline = Date.now() + 120000
    while ((await fulfilled()) < ORDERS) {
      if (Date.now() > deadline) throw new Error(`only ${await fulfilled()} of ${ORDERS} fulfilled`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9

    const ledger = await db.kysely
      .selectFrom('ledger')
      .select(['order_id', 'event'])
      .where('event', 'in', ['paid', 'fulfilled'])
      .execute()
    const perOrder = new Map<number, number>()
    for (const row of ledger)
      if (row.event === 'fulfilled')
        perOrder.set(row.order_id as number, (perOrder.get(row.order_id as number) ?? 0) + 1)
    const exactlyOnce = orders.every((order) => perOrder.get(order.id) === 1) && ledger.length === ORDERS * 2
    const log = (await (await fetch(`${sim}/__control/notifications`)).json()) as { deliveries: { result: string }[] }
    await db.close()
    return {
      rail: rail === 'xpay' ? 'xpay (消息推送, 安全模式)' : 'WeChat Pay v3',
      orders: ORDERS,
      deliveries: log.deliveries.length,
      seconds: seconds.toFixed(2),
      'notifications/s': Math.round(ORDERS / seconds),
      'exactly once': exactlyOnce ? 'yes' : 'NO',
    }
  } finally {
    await stop()
  }
}

async function main(): Promise<void> {
  const rows = [await run('xpay'), await run('wechatpay')]
  process.stdout.write(
    `\nbench:pay — ${ORDERS} orders per rail, ${CONCURRENCY} payments at a time, SQLite\n\n${formatTable(rows)}\n\n`,
  )
  const worst = Math.min(...rows.map((row) => row['notifications/s']))
  const once = rows.every((row) => row['exactly once'] === 'yes')
  process.stdout.write(
    `worst ${worst}/s (goal ≥ 500/s): ${worst >= 500 ? 'met' : 'NOT met'}; exactly once: ${once ? 'yes' : 'NO'}\n`,
  )
  if (!once) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:pay failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
