/**
 * npm run bench:api — the API beside a bare node:http server answering the very same bytes.
 *
 * For each target (the seed issue anonymous and VIP, and the list) it captures the API's
 * response once, starts a bare node:http server that answers those bytes, and runs
 * autocannon (50 connections) against each in alternating rounds. The ratio of req/s is the
 * share of the physical limit left after routing, auth, gating, the database and JSON.
 * Goals (docs/benchmarks.md): ratio ≥ 0.7, p99 ≤ 25 ms. BENCH_SECONDS (default 5) per round,
 * BENCH_ROUNDS (default 3) rounds per target.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import autocannon from 'autocannon'
import { formatTable, freePort, runCli, startApi, tempDir } from './lib'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = 50

interface Result {
  requests: number
  p50: number
  p99: number
  non2xx: number
}

async function load(url: string, headers: Record<string, string>): Promise<Result> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers })
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

async function startBare(body: Buffer, contentType: string) {
  const dir = tempDir('beichen-bare-')
  const bodyFile = path.join(dir, 'body')
  fs.writeFileSync(bodyFile, body)
  const port = await freePort()
  const child = spawn(process.execPath, ['-e', BARE_SERVER], {
    env: { ...process.env, BODY_FILE: bodyFile, CONTENT_TYPE: contentType, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  await new Promise((resolve) => child.once('message', resolve))
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill())),
  }
}

async function main(): Promise<void> {
  const dir = tempDir('beichen-bench-api-')
  const env = { SQLITE_PATH: path.join(dir, 'bench.db') }
  await runCli('server/src/cli/migrate.ts', [], env)
  await runCli('server/src/cli/content-import.ts', ['content'], env)
  // A full first page: twenty cards, as readers see it.
  await runCli('server/src/cli/content-demo.ts', ['--issues', '200'], env)
  const token = /token (\S+)/.exec(await runCli('server/src/cli/admin.ts', ['token', 'bench-vip'], env))?.[1] as string
  await runCli('server/src/cli/admin.ts', ['grant-vip', 'bench-vip', '30'], env)

  const api = await startApi(env)
  const shanxi = (await (await fetch(`${api.url}/api/issues?region=shanxi&limit=50`)).json()) as {
    items: { id: number; slug: string }[]
  }
  const seedId = shanxi.items.find((item) => item.slug === 'shanxi-32-zhongbu-chengshiqun')?.id
  if (!seedId) throw new Error('the seed issue was not imported')
  const targets = [
    { name: 'GET issue (anonymous)', path: `/api/issues/${seedId}`, headers: {} as Record<string, string> },
    { name: 'GET issue (VIP)', path: `/api/issues/${seedId}`, headers: { authorization: `Bearer ${token}` } },
    { name: 'GET list', path: '/api/issues?limit=20', headers: {} as Record<string, string> },
  ]

  const rows: Record<string, string | number>[] = []
  let worstRatio = Infinity
  let worstP99 = 0
  for (const target of targets) {
    const captured = await fetch(`${api.url}${target.path}`, { headers: target.headers })
    const body = Buffer.from(await captured.arrayBuffer())
    const bare = await startBare(body, captured.headers.get('content-type') ?? 'application/json')
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
    const mean = (runs: Result[], key: keyof Result) => runs.reduce((sum, run) => sum + run[key], 0) / runs.length
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
  await api.stop()
  fs.rmSync(dir, { recursive: true, force: true })

  process.stdout.write(
    `\nbench:api — ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${SECONDS} s per server\n\n`,
  )
  process.stdout.write(`${formatTable(rows)}\n\n`)
  process.stdout.write(`worst ratio ${worstRatio.toFixed(2)} (goal ≥ 0.70): ${worstRatio >= 0.7 ? 'met' : 'NOT met'}\n`)
  process.stdout.write(`worst p99 ${worstP99.toFixed(1)} ms (goal ≤ 25 ms): ${worstP99 <= 25 ? 'met' : 'NOT met'}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
