/**
 * npm run bench:store — 1,000 readers check out the same book, whose stock is 100.
 *
 * The API runs as its own process (SQLite; PostgreSQL too when BENCH_DATABASE_URL is set), the
 * WeChat simulator in this process plays WeChat Pay. Each of BENCH_READERS (1,000) signed-in
 * readers orders one copy of a product with BENCH_STOCK (100) copies: all at once, then again
 * (a fresh product each time) 50 requests in flight, then one at a time (no queueing). Prints p50/p99 of POST
 * /api/store/orders (the winners include WeChat Pay's prepay call), checkouts per second, and
 * checks in the database that exactly BENCH_STOCK orders hold exactly BENCH_STOCK copies with the
 * stock at 0: anything oversold (or undersold) exits non-zero. Goal (docs/benchmarks.md): no
 * oversell, order creation p99 ≤ 50 ms on SQLite: judged on the order's own transaction, which the
 * API reports in Server-Timing (`order;dur=`), with all 1,000 at once; what a client waits (queued
 * behind the other requests and WeChat Pay's signing) is printed beside it.
 *
 * Then the course videos' signed URLs (docs/courses.md): how many URL checks one process makes per
 * second (MediaUrlSigner.verify: the type-A signature and its expiry, goal ≥ 10,000/s), and, through
 * the SQLite API, signed range requests of a sample clip (`Range: bytes=0-65535`, 206) and forged
 * signatures (403) per second, 50 in flight.
 */
import crypto from 'node:crypto'
import { openDb, type Db } from '../server/src/db/database'
import { Store } from '../server/src/domain/store'
import { MediaUrlSigner } from '../server/src/infra/signed-media-url'
import { SAMPLE_ADDRESS as ADDRESS, bookFields } from '../server/test/store-fixtures'
import { formatTable, pool } from './lib'
import { startPaymentBench } from './lib/payment-bench'
import { benchPostgres } from './lib/postgres'

const READERS = Number(process.env.BENCH_READERS ?? 1000)
const STOCK = Number(process.env.BENCH_STOCK ?? 100)
const IN_FLIGHT = 50
const BUDGET_MS = 50
/** Signed URL checks per second one process must make */
const URL_CHECKS_GOAL = 10000
const URL_CHECKS = Number(process.env.BENCH_URL_CHECKS ?? 200000)
const MEDIA_REQUESTS = Number(process.env.BENCH_MEDIA_REQUESTS ?? 3000)

type Row = Record<string, string | number>

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

async function checkoutRound(
  db: Db,
  api: string,
  tokens: string[],
  label: string,
  concurrency: number,
): Promise<{ row: Row; wrong: boolean }> {
  const product = await new Store(db.kysely).add(
    bookFields(`bench-${crypto.randomBytes(4).toString('hex')}`, { stock: STOCK, limitPerReader: 1 }),
    Date.now(),
  )
  const latencies: number[] = []
  const made: number[] = []
  /** Server-Timing `order`: the order's transaction alone, from its first statement to the commit */
  const creation: number[] = []
  const statuses = new Map<string, number>()
  const started = process.hrtime.bigint()
  await pool(tokens, concurrency, async (token) => {
    const t0 = process.hrtime.bigint()
    const response = await fetch(`${api}/api/store/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        productId: product.id,
        quantity: 1,
        address: ADDRESS,
        platform: 'android',
        requestKey: crypto.randomBytes(8).toString('hex'),
      }),
    })
    const body = (await response.json()) as { error?: { code: string } }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    latencies.push(ms)
    if (response.status === 200) {
      made.push(ms)
      const order = /(?:^|,\s*)order;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')
      if (order) creation.push(Number(order[1]))
    }
    const key = response.status === 200 ? '200' : `${response.status} ${body.error?.code ?? ''}`
    statuses.set(key, (statuses.get(key) ?? 0) + 1)
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  const left = await db.kysely
    .selectFrom('products')
    .select('stock')
    .where('id', '=', product.id)
    .executeTakeFirstOrThrow()
  const lines = await db.kysely
    .selectFrom('order_lines')
    .select([
      (eb) => eb.fn.countAll<number | string>().as('orders'),
      (eb) => eb.fn.sum<number | string>('quantity').as('copies'),
    ])
    .where('product_id', '=', product.id)
    .executeTakeFirstOrThrow()
  const orders = Number(lines.orders)
  const copies = Number(lines.copies ?? 0)
  const won = statuses.get('200') ?? 0
  const soldOut = statuses.get('409 SOLD_OUT') ?? 0
  const exact =
    left.stock === 0 && orders === STOCK && copies === STOCK && won === STOCK && won + soldOut === tokens.length
  latencies.sort((a, b) => a - b)
  made.sort((a, b) => a - b)
  creation.sort((a, b) => a - b)
  if (creation.length !== made.length) throw new Error('an order was answered without its Server-Timing')
  return {
    wrong: !exact,
    row: {
      run: label,
      checkouts: tokens.length,
      'in flight': concurrency,
      orders: won,
      'sold out': soldOut,
      other: tokens.length - won - soldOut,
      'stock left': left.stock,
      'p50 ms': percentile(latencies, 50).toFixed(1),
      'p99 ms': percentile(latencies, 99).toFixed(1),
      // The orders made: their transaction, then WeChat Pay's prepay call and the signed payment
      'made p50 ms': percentile(made, 50).toFixed(1),
      'made p99 ms': percentile(made, 99).toFixed(1),
      'creation p99 ms': percentile(creation, 99).toFixed(1),
      'checkouts/s': Math.round(tokens.length / seconds),
      exact: exact ? 'yes' : 'NO',
    },
  }
}

/** URL checks per second in this process: valid signatures of many files, as the media route checks them */
async function urlChecksPerSecond(): Promise<number> {
  const signer = new MediaUrlSigner({
    base: 'https://vod.example.com/courses',
    key: crypto.randomBytes(32).toString('hex'),
    ttlSeconds: 600,
    now: Date.now,
  })
  const names = Array.from({ length: 1000 }, (_, i) => `course-bench-lesson-${i}.mp4`)
  const signs = await Promise.all(names.map(async (name) => (await signer.sign(name)).url.split('sign=')[1] ?? ''))
  let ok = 0
  const started = process.hrtime.bigint()
  for (let i = 0; i < URL_CHECKS; i++) {
    if ((await signer.verify(names[i % 1000] as string, signs[i % 1000] as string)) === 'ok') ok++
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (ok !== URL_CHECKS) throw new Error(`only ${ok} of ${URL_CHECKS} signed URLs checked ok`)
  return Math.round(URL_CHECKS / seconds)
}

/** Signed media requests per second through the API, 50 in flight: what a player's range requests cost */
async function mediaRequestsPerSecond(api: string, forged: boolean): Promise<number> {
  const { url } = (await (await fetch(`${api}/api/courses/lessons/1/play`)).json()) as { url: string }
  const target = forged ? url.replace(/-[0-9a-f]{32}$/, `-${'0'.repeat(32)}`) : url
  const expected = forged ? 403 : 206
  const started = process.hrtime.bigint()
  await pool(
    Array.from({ length: MEDIA_REQUESTS }, (_, i) => i),
    IN_FLIGHT,
    async () => {
      const response = await fetch(`${api}${target}`, { headers: { range: 'bytes=0-65535' } })
      await response.arrayBuffer()
      if (response.status !== expected) throw new Error(`media answered ${response.status}, not ${expected}`)
    },
  )
  return Math.round(MEDIA_REQUESTS / (Number(process.hrtime.bigint() - started) / 1e9))
}

async function run(
  database: 'SQLite' | 'PostgreSQL',
  databaseUrl: string,
): Promise<{ rows: Row[]; wrong: boolean; p99: { alone: number; steady: number; creation: number }; media: Row }> {
  const { api, sqlitePath, signIn, stop } = await startPaymentBench({
    name: 'store',
    rail: 'wechatpay',
    databaseUrl,
  })
  const db = openDb({ databaseUrl, sqlitePath })
  try {
    const tokens: string[] = []
    await pool(
      Array.from({ length: READERS }, (_, i) => i),
      IN_FLIGHT,
      async (i) => {
        tokens.push(await signIn(`store${i}`))
      },
    )
    const burst = await checkoutRound(db, api, tokens, `${database}, all at once`, READERS)
    const steady = await checkoutRound(db, api, tokens, `${database}, ${IN_FLIGHT} in flight`, IN_FLIGHT)
    const alone = await checkoutRound(db, api, tokens, `${database}, one at a time`, 1)
    const media = {
      database,
      'signed 206/s': await mediaRequestsPerSecond(api, false),
      'forged 403/s': await mediaRequestsPerSecond(api, true),
    }
    return {
      media,
      rows: [burst.row, steady.row, alone.row],
      wrong: burst.wrong || steady.wrong || alone.wrong,
      p99: {
        alone: Number(alone.row['made p99 ms']),
        steady: Number(steady.row['made p99 ms']),
        creation: Number(burst.row['creation p99 ms']),
      },
    }
  } finally {
    await db.close()
    await stop()
  }
}

async function main(): Promise<void> {
  const sqlite = await run('SQLite', '')
  const rows = [...sqlite.rows]
  const mediaRows = [sqlite.media]
  let wrong = sqlite.wrong
  if (process.env.BENCH_DATABASE_URL) {
    const postgres = await benchPostgres()
    try {
      const result = await run('PostgreSQL', postgres.url)
      rows.push(...result.rows)
      mediaRows.push(result.media)
      wrong ||= result.wrong
    } finally {
      await postgres.stop()
    }
  }
  process.stdout.write(
    `\nbench:store — ${READERS} readers check out one product with ${STOCK} copies\n\n${formatTable(rows)}\n\n`,
  )
  if (!process.env.BENCH_DATABASE_URL)
    process.stdout.write('PostgreSQL: skipped (set BENCH_DATABASE_URL=postgres://… to run it too)\n')
  process.stdout.write(
    `SQLite order creation (the order's transaction, Server-Timing) p99 with all ${READERS} at once ${sqlite.p99.creation.toFixed(1)} ms (goal ≤ ${BUDGET_MS} ms): ${sqlite.p99.creation <= BUDGET_MS ? 'met' : 'NOT met'}\n` +
      `SQLite POST /api/store/orders as the client waits, orders made: p99 one at a time ${sqlite.p99.alone.toFixed(1)} ms (goal ≤ ${BUDGET_MS} ms): ${sqlite.p99.alone <= BUDGET_MS ? 'met' : 'NOT met'}; ` +
      `with ${IN_FLIGHT} in flight ${sqlite.p99.steady.toFixed(1)} ms (${sqlite.p99.steady <= BUDGET_MS ? 'met' : 'NOT met'}: queued behind one another's WeChat Pay signing)\n` +
      `stock exact (no oversell) on every run: ${wrong ? 'NO' : 'yes'}\n`,
  )
  const checks = await urlChecksPerSecond()
  process.stdout.write(
    `\nSigned course video URLs (${URL_CHECKS.toLocaleString('en')} checks in this process; ${MEDIA_REQUESTS} requests of 64 KB through the API, ${IN_FLIGHT} in flight)\n\n` +
      `${formatTable(mediaRows)}\n\nURL checks per second: ${checks.toLocaleString('en')} (goal ≥ ${URL_CHECKS_GOAL.toLocaleString('en')}: ${checks >= URL_CHECKS_GOAL ? 'met' : 'NOT met'}; ${(checks / URL_CHECKS_GOAL).toFixed(1)}× the goal)\n`,
  )
  if (wrong || checks < URL_CHECKS_GOAL) process.exitCode = 1
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:store failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
