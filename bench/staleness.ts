/**
 * npm run bench:staleness — how long after a purchase another replica still treats the buyer as
 * not VIP.
 *
 * Two API processes (A and B, each its own MEDIA_DIR) on one PostgreSQL database; the WeChat
 * simulator in this process (buildSimulator + makePaymentFixture, keys made for this run)
 * delivers the payment notifications to A. BENCH_READERS (default 200) readers, BENCH_CONCURRENCY
 * (default 4) at a time, each:
 *   1. signs in: a code from the simulator's phone login, POST /api/auth/login at A or B in turn
 *      (sessions live in the database);
 *   2. reads the seed VIP issue at B once, which must answer access.granted false (B now holds the
 *      reader as not VIP in its viewer cache);
 *   3. buys a month at A: POST /api/orders at A, paid at the simulator's phone side (xpay);
 *   4. waits until the order is fulfilled, watching the orders row in the database every ~2 ms;
 *   5. from that moment polls B (GET /api/issues/:id with the reader's token) every ~2 ms until it
 *      answers access.granted true. The time from 4 to that answer is the reader's staleness.
 * Prints p50/p95/p99/max in ms. Goal (docs/benchmarks.md): p99 ≤ 100 ms.
 * PostgreSQL: a database in BENCH_DATABASE_URL's server, or a throwaway server (bench/lib/postgres.ts).
 */
import crypto from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { buildSimulator } from '../simulator/src/app'
import { makePaymentFixture } from '../simulator/src/fixture'
import { formatTable, freePort, REPO_ROOT, runCli, startApi, tempDir } from './lib'
import { benchPostgres } from './lib/postgres'

const READERS = Number(process.env.BENCH_READERS ?? 200)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4)
const POLL_MS = 2
/** Longest wait for a fulfilment, and for B to grant access after it */
const FULFIL_TIMEOUT_MS = 10000
const GRANT_TIMEOUT_MS = 5000
const SEED_SLUG = 'shanxi-32-zhongbu-chengshiqun'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
async function call(method: string, url: string, body?: unknown, token?: string): Promise<any> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = await response.json()
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${JSON.stringify(json)}`)
  return json
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Calls `probe` every ~POLL_MS (start to start) until it returns true; the time it did, or null at the deadline. */
async function pollUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs
  for (let i = 0; i < Math.ceil(timeoutMs / POLL_MS) + 1; i++) {
    const started = performance.now()
    if (await probe()) return performance.now()
    if (performance.now() > deadline) return null
    await sleep(Math.max(0, started + POLL_MS - performance.now()))
  }
  return null
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** Whether the working tree's services.ts wires the change feed, and the commit, for the printed header. */
function codeState(): string {
  const services = fs.readFileSync(path.join(REPO_ROOT, 'server/src/services.ts'), 'utf8')
  const wired = /change-feed/.test(services)
  let head = 'unknown commit'
  try {
    head = execFileSync('git', ['log', '--oneline', '-1'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    /* not a git checkout */
  }
  return `change feed ${wired ? 'wired in' : 'NOT wired in'} server/src/services.ts; HEAD ${head}`
}

async function main(): Promise<void> {
  const state = codeState()
  const load1 = os.loadavg()[0]
  const dir = tempDir('beichen-bench-staleness-')
  const postgres = await benchPostgres()
  const portA = await freePort()
  const apiA = `http://127.0.0.1:${portA}`
  const fixture = makePaymentFixture({ dir, apiBase: apiA, encrypted: true })
  const simulator = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
  const sim = await simulator.listen({ port: 0, host: '127.0.0.1' })
  const env = {
    ...fixture.server,
    WECHAT_API_BASE: sim,
    WECHATPAY_API_BASE: sim,
    DATABASE_URL: postgres.url,
    PAYMENT_RAIL: 'xpay',
    LOGIN_RATE_PER_IP: '100000',
    RECONCILE_INTERVAL_MS: '0',
    SUBSCRIBE_SWEEP_INTERVAL_MS: '0',
  }
  const db = new pg.Pool({ connectionString: postgres.url, max: CONCURRENCY + 1 })
  const servers: { stop(): Promise<void> }[] = []
  try {
    await runCli('server/src/cli/migrate.ts', [], env)
    await runCli('server/src/cli/content-import.ts', ['content'], env)
    const a = await startApi({ ...env, MEDIA_DIR: path.join(dir, 'media-a') }, portA)
    servers.push(a)
    const b = await startApi({ ...env, MEDIA_DIR: path.join(dir, 'media-b') })
    servers.push(b)

    const region = (await call('GET', `${b.url}/api/issues?region=shanxi&limit=50`)) as {
      items: { id: number; slug: string }[]
    }
    const seedId = region.items.find((item) => item.slug === SEED_SLUG)?.id
    if (!seedId) throw new Error('the seed issue was not imported')
    const granted = async (token: string) =>
      ((await call('GET', `${b.url}/api/issues/${seedId}`, undefined, token)) as { access: { granted: boolean } })
        .access.granted

    const delays: number[] = []
    const problems: string[] = []
    let next = 0
    const reader = async (i: number) => {
      const user = `stale${i}`
      const { code } = await call('POST', `${sim}/__phone/login`, { user })
      const { token } = await call('POST', `${i % 2 === 0 ? a.url : b.url}/api/auth/login`, { code })
      if (await granted(token)) throw new Error(`${user} had access before buying`)
      const { order, payment } = await call(
        'POST',
        `${a.url}/api/orders`,
        { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
        token,
      )
      await call('POST', `${sim}/__phone/xpay/pay`, { user, ...payment.xpay, action: 'confirm' })
      const fulfilled = await pollUntil(async () => {
        const row = await db.query<{ status: string }>('select status from orders where id = $1', [order.id])
        return row.rows[0]?.status === 'fulfilled'
      }, FULFIL_TIMEOUT_MS)
      if (fulfilled === null)
        return void problems.push(`${user}: order ${order.id} not fulfilled in ${FULFIL_TIMEOUT_MS} ms`)
      const seen = await pollUntil(() => granted(token), GRANT_TIMEOUT_MS)
      if (seen === null) return void problems.push(`${user}: B did not grant access within ${GRANT_TIMEOUT_MS} ms`)
      delays.push(seen - fulfilled)
    }
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < READERS) await reader(next++)
      }),
    )
    const seconds = (performance.now() - started) / 1000

    const sorted = [...delays].sort((x, y) => x - y)
    if (sorted.length === 0) throw new Error(`no reader measured:\n${problems.slice(0, 10).join('\n')}`)
    const row = {
      readers: READERS,
      measured: sorted.length,
      'p50 ms': percentile(sorted, 50).toFixed(1),
      'p95 ms': percentile(sorted, 95).toFixed(1),
      'p99 ms': percentile(sorted, 99).toFixed(1),
      'max ms': sorted[sorted.length - 1].toFixed(1),
      'min ms': sorted[0].toFixed(1),
      'run s': seconds.toFixed(1),
    }
    process.stdout.write(
      `\nbench:staleness — ${READERS} readers, ${CONCURRENCY} at a time, polls every ~${POLL_MS} ms; replica A fulfils, ` +
        `replica B is asked; ${postgres.describe}\n${state}\n` +
        `${os.cpus().length} cores, load average ${load1.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end\n\n`,
    )
    process.stdout.write(`${formatTable([row])}\n\n`)
    for (const problem of problems.slice(0, 10)) process.stdout.write(`problem: ${problem}\n`)
    const p99 = percentile(sorted, 99)
    process.stdout.write(`p99 ${p99.toFixed(1)} ms (goal ≤ 100 ms): ${p99 <= 100 ? 'met' : 'NOT met'}\n`)
    if (problems.length > 0) process.exitCode = 1
  } finally {
    for (const server of servers) await server.stop()
    await db.end()
    await fetch(`${sim}/__control/reset`, { method: 'POST' }).catch(() => undefined)
    await simulator.close()
    await postgres.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:staleness failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
