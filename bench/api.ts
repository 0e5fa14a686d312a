/**
 * npm run bench:api — the API beside a bare node:http server answering the very same bytes.
 *
 * For each target (the seed issue anonymous and VIP, and the list) it captures the API's
 * response once, starts a bare node:http server that answers those bytes, and runs
 * autocannon (50 connections) against each in alternating rounds. The ratio of req/s is the
 * share of the physical limit left after routing, auth, gating, the database and JSON.
 *
 * Modes (BENCH_MODES, comma-separated; default all of them):
 *   sqlite    one API process on SQLite beside one bare process (the method of the first figures)
 *   postgres  one API process on PostgreSQL beside one bare process
 *   replicas  2 API replicas behind one port (node:cluster, bench/lib/cluster-primary.ts) on one
 *             PostgreSQL, beside the bare server also run as 2 cluster workers
 *   metrics   one API process on PostgreSQL with METRICS_PORT set beside one with it off (0):
 *             the throughput ratio on/off over the three targets: BENCH_METRICS_ROUNDS (default 6)
 *             phases of each, one fresh process at a time, off-on-on-off order. Skipped (and said
 *             so) while the server has no METRICS_PORT setting.
 * PostgreSQL: a database created in BENCH_DATABASE_URL's server, or a throwaway server started
 * here (bench/lib/postgres.ts). Goals (docs/benchmarks.md): SQLite ratio ≥ 0.7; PostgreSQL and
 * per replica ratio ≥ 0.9; p99 ≤ 25 ms everywhere; metrics cost ≤ 5 % (ratio ≥ 0.95).
 * BENCH_SECONDS (default 5) per round, BENCH_ROUNDS (default 3) rounds per target.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import pg from 'pg'
import { ConfigSchema } from '../server/src/config'
import { formatTable, freePort, runCli, startApi, tempDir } from './lib'
import { startApiCluster, startCluster } from './lib/cluster'
import { benchPostgres, type BenchPostgres } from './lib/postgres'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 50
const REPLICAS = 2
const MODES = (process.env.BENCH_MODES ?? 'sqlite,postgres,replicas,metrics').split(',').map((m) => m.trim())
/** Phases (fresh processes) of each, off and on: a cost of a few per cent needs more than the bare comparison */
const METRICS_ROUNDS = Number(process.env.BENCH_METRICS_ROUNDS ?? 6)
const WARM_UP_SECONDS = 2
const METRICS_AVAILABLE = 'METRICS_PORT' in ConfigSchema.properties

interface Result {
  requests: number
  p50: number
  p99: number
  non2xx: number
}

async function load(url: string, headers: Record<string, string>, seconds = SECONDS): Promise<Result> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers })
  return { requests: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx }
}

const BARE_SERVER = `
const http = require('node:http')
const fs = require('node:fs')
const body = fs.readFileSync(process.env.BODY_FILE)
const contentType = process.env.CONTENT_TYPE
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': body.length })
  res.end(body)
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send && process.send('ready'))
`

interface Server {
  url: string
  stop(): Promise<void>
}

/** The bare server: one process (`workers` 1, the original method) or that many cluster workers. */
async function startBare(body: Buffer, contentType: string, workers = 1): Promise<Server> {
  const dir = tempDir('beichen-bare-')
  const bodyFile = path.join(dir, 'body')
  fs.writeFileSync(bodyFile, body)
  const port = await freePort()
  const env = { BODY_FILE: bodyFile, CONTENT_TYPE: contentType, PORT: String(port) }
  if (workers > 1) {
    const script = path.join(dir, 'bare-server.cjs')
    fs.writeFileSync(script, BARE_SERVER)
    const cluster = await startCluster({ script, env, workers, port })
    return { url: `${cluster.url}/`, stop: async () => (await cluster.stop(), fs.rmSync(dir, { recursive: true })) }
  }
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await new Promise((resolve) => child.once('message', resolve))
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>(
        (resolve) => (child.once('exit', () => (fs.rmSync(dir, { recursive: true }), resolve())), child.kill()),
      ),
  }
}

interface Target {
  name: string
  path: string
  headers: Record<string, string>
}

/** Migrates and fills a database through the CLIs; returns the targets (seed issue, VIP token). */
async function prepare(env: Record<string, string>): Promise<{ targets: Target[]; seedPath: string }> {
  await runCli('server/src/cli/migrate.ts', [], env)
  await runCli('server/src/cli/content-import.ts', ['content'], env)
  // A full first page: twenty cards, as readers see it.
  await runCli('server/src/cli/content-demo.ts', ['--issues', '200'], env)
  const token = /token (\S+)/.exec(await runCli('server/src/cli/admin.ts', ['token', 'bench-vip'], env))?.[1] as string
  await runCli('server/src/cli/admin.ts', ['grant-vip', 'bench-vip', '30'], env)
  const api = await startApi(env)
  try {
    const shanxi = (await (await fetch(`${api.url}/api/issues?region=shanxi&limit=50`)).json()) as {
      items: { id: number; slug: string }[]
    }
    const seedId = shanxi.items.find((item) => item.slug === 'shanxi-32-zhongbu-chengshiqun')?.id
    if (!seedId) throw new Error('the seed issue was not imported')
    return {
      seedPath: `/api/issues/${seedId}`,
      targets: [
        { name: 'GET issue (anonymous)', path: `/api/issues/${seedId}`, headers: {} },
        { name: 'GET issue (VIP)', path: `/api/issues/${seedId}`, headers: { authorization: `Bearer ${token}` } },
        { name: 'GET list', path: '/api/issues?limit=20', headers: {} },
      ],
    }
  } finally {
    await api.stop()
  }
}

const mean = (runs: Result[], key: keyof Result) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length

interface ModeResult {
  mode: string
  rows: Record<string, string | number>[]
  /** The worst per-target ratio (metrics: over all targets) */
  worstRatio: number
  ratioName?: string
  worstP99: number
  ratioGoal: number
}

/** The original method: per target, alternating rounds of the API and a bare server with its bytes. */
async function againstBare(mode: string, api: Server, targets: Target[], workers: number, ratioGoal: number) {
  const rows: Record<string, string | number>[] = []
  let worstRatio = Infinity
  let worstP99 = 0
  for (const target of targets) {
    const captured = await fetch(`${api.url}${target.path}`, { headers: target.headers })
    const body = Buffer.from(await captured.arrayBuffer())
    const bare = await startBare(body, captured.headers.get('content-type') ?? 'application/json', workers)
    const apiRuns: Result[] = []
    const bareRuns: Result[] = []
    try {
      await load(`${api.url}${target.path}`, target.headers) // warm-up, not counted
      for (let round = 0; round < ROUNDS; round++) {
        apiRuns.push(await load(`${api.url}${target.path}`, target.headers))
        bareRuns.push(await load(bare.url, {}))
      }
    } finally {
      await bare.stop()
    }
    const ratio = mean(apiRuns, 'requests') / mean(bareRuns, 'requests')
    worstRatio = Math.min(worstRatio, ratio)
    worstP99 = Math.max(worstP99, mean(apiRuns, 'p99'))
    const errors = apiRuns.reduce((sum, run) => sum + run.non2xx, 0)
    rows.push({
      target: target.name,
      bytes: body.length,
      'api req/s': Math.round(mean(apiRuns, 'requests')),
      'api p50 ms': mean(apiRuns, 'p50').toFixed(1),
      'api p99 ms': mean(apiRuns, 'p99').toFixed(1),
      'bare req/s': Math.round(mean(bareRuns, 'requests')),
      'bare p99 ms': mean(bareRuns, 'p99').toFixed(1),
      ratio: ratio.toFixed(2),
      'non-2xx': errors,
    })
  }
  return { mode, rows, worstRatio, worstP99, ratioGoal }
}

/**
 * Metrics on against metrics off, same database; ratio = on / off req/s. One API process at a time,
 * a fresh one per phase, phases in off-on-on-off… order: with both processes up at once the one
 * started first was 10–15 % slower here whichever it was (an A/A effect larger than the cost
 * measured), and a machine getting busier or quieter weighs on both alike.
 */
async function metricsCost(env: Record<string, string>, targets: Target[]): Promise<ModeResult> {
  const runs = targets.map(() => ({ off: [] as Result[], on: [] as Result[] }))
  let buckets = 0
  for (let phase = 0; phase < 2 * METRICS_ROUNDS; phase++) {
    const metricsOn = [false, true, true, false][phase % 4]
    const metricsPort = metricsOn ? await freePort() : 0
    const api = await startApi({ ...env, METRICS_PORT: String(metricsPort) })
    try {
      for (const [i, target] of targets.entries()) {
        await load(`${api.url}${target.path}`, target.headers, WARM_UP_SECONDS) // warm-up, not counted
        runs[i][metricsOn ? 'on' : 'off'].push(await load(`${api.url}${target.path}`, target.headers))
      }
      if (metricsOn) {
        // The histograms must have recorded the load, or "on" measured nothing.
        const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
        if (!scrape.ok) throw new Error(`METRICS_PORT set but /metrics answered ${scrape.status}`)
        buckets = (await scrape.text()).split('\n').filter((line) => /_bucket\{/.test(line)).length
        if (buckets === 0) throw new Error('/metrics has no histogram bucket after the load: were requests recorded?')
      }
    } finally {
      await api.stop()
    }
  }
  process.stdout.write(`metrics: /metrics served ${buckets} histogram bucket lines after a phase's load\n`)
  let totalOn = 0
  let totalOff = 0
  let worstP99 = 0
  const rows = targets.map((target, i) => {
    const { on, off } = runs[i]
    totalOn += mean(on, 'requests')
    totalOff += mean(off, 'requests')
    worstP99 = Math.max(worstP99, mean(on, 'p99'))
    return {
      target: target.name,
      'off req/s': Math.round(mean(off, 'requests')),
      'off p99 ms': mean(off, 'p99').toFixed(1),
      'on req/s': Math.round(mean(on, 'requests')),
      'on p99 ms': mean(on, 'p99').toFixed(1),
      'on/off': (mean(on, 'requests') / mean(off, 'requests')).toFixed(3),
      'non-2xx': [...on, ...off].reduce((sum, run) => sum + run.non2xx, 0),
    }
  })
  // The goal is on the cost over all three targets: one target's figure moves by ±5 % between runs here.
  return {
    mode: `metrics on vs off (PostgreSQL, 1 process, ${METRICS_ROUNDS} phases each)`,
    rows,
    worstRatio: totalOn / totalOff,
    ratioName: 'on/off req/s, 3 targets',
    worstP99,
    ratioGoal: 0.95,
  }
}

async function main(): Promise<void> {
  const results: ModeResult[] = []
  const notes: string[] = []
  const load1 = os.loadavg()[0]

  if (MODES.includes('sqlite')) {
    const dir = tempDir('beichen-bench-api-')
    const env = { SQLITE_PATH: path.join(dir, 'bench.db'), DATABASE_URL: '' }
    const { targets } = await prepare(env)
    const api = await startApi(env)
    try {
      results.push(await againstBare('SQLite, 1 process', api, targets, 1, 0.7))
    } finally {
      await api.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  const pgModes = ['postgres', 'replicas', 'metrics'].filter((mode) => MODES.includes(mode))
  if (pgModes.length > 0) {
    let postgres: BenchPostgres | null = null
    const dir = tempDir('beichen-bench-api-pg-')
    try {
      postgres = await benchPostgres()
      notes.push(`PostgreSQL: ${postgres.describe}`)
      const env = { DATABASE_URL: postgres.url, MEDIA_DIR: path.join(dir, 'media') }
      const { targets } = await prepare(env)
      // The fill leaves autovacuum work that would run during the first target: do it now, as a
      // database that has served for a while would have it done.
      const client = new pg.Client({ connectionString: postgres.url })
      await client.connect()
      await client.query('VACUUM ANALYZE').finally(() => client.end())
      if (MODES.includes('postgres')) {
        const api = await startApi(env)
        try {
          results.push(await againstBare('PostgreSQL, 1 process', api, targets, 1, 0.9))
        } finally {
          await api.stop()
        }
      }
      if (MODES.includes('replicas')) {
        const api = await startApiCluster(env, REPLICAS)
        try {
          results.push(
            await againstBare(
              `PostgreSQL, ${REPLICAS} replicas (cluster) vs bare ×${REPLICAS}`,
              api,
              targets,
              REPLICAS,
              0.9,
            ),
          )
        } finally {
          await api.stop()
        }
      }
      if (MODES.includes('metrics')) {
        if (METRICS_AVAILABLE) results.push(await metricsCost(env, targets))
        else notes.push('metrics: skipped, the server has no METRICS_PORT setting yet (server/src/config.ts)')
      }
    } finally {
      await postgres?.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  process.stdout.write(
    `\nbench:api — ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s per server; ` +
      `${os.cpus().length} cores, load average ${load1.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end\n`,
  )
  for (const note of notes) process.stdout.write(`${note}\n`)
  for (const result of results) process.stdout.write(`\n${result.mode}\n\n${formatTable(result.rows)}\n`)
  process.stdout.write('\n')
  const summary = results.map((result) => ({
    mode: result.mode,
    ratio: `${result.worstRatio.toFixed(2)} (${result.ratioName ?? 'worst target'})`,
    'ratio goal': `≥ ${result.ratioGoal.toFixed(2)}`,
    'ratio met': result.worstRatio >= result.ratioGoal ? 'met' : 'NOT met',
    'worst p99 ms': result.worstP99.toFixed(1),
    'p99 ≤ 25 ms': result.worstP99 <= 25 ? 'met' : 'NOT met',
  }))
  process.stdout.write(`${formatTable(summary)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
