/**
 * npm run bench:list — list and get with 100k demo issues in SQLite (goal: p99 ≤ 10 ms).
 *
 * Fills a fresh SQLite database with BENCH_ISSUES (default 100000) demo issues, then runs
 * autocannon on the first page, a deep page (cursor), a region filter and GET of random issues,
 * twice: with the response caches off (ISSUE_CACHE_TTL_MS=0: every request reads the database)
 * and on (the default 5 s). Prints req/s, p50 and p99 per target.
 */
import fs from 'node:fs'
import autocannon from 'autocannon'
import { fillDemoDatabase, formatTable, startApi, tempDir } from './lib'

const ISSUES = Number(process.env.BENCH_ISSUES ?? 100000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)

async function main(): Promise<void> {
  const dir = tempDir('beichen-bench-list-')
  const env = await fillDemoDatabase(dir, ISSUES)

  let worstP99 = 0
  for (const cacheTtl of ['0', '5000']) {
    const api = await startApi({ ...env, ISSUE_CACHE_TTL_MS: cacheTtl })
    let cursor = ''
    for (let page = 0; page < 100; page++) {
      const body = (await (
        await fetch(`${api.url}/api/issues?limit=50${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()) as {
        nextCursor: string
      }
      cursor = body.nextCursor
    }
    const ids = Array.from({ length: 500 }, () => 1 + Math.floor(Math.random() * ISSUES))
    const targets: { name: string; requests: autocannon.Request[] }[] = [
      { name: 'list, first page (20)', requests: [{ path: '/api/issues?limit=20' }] },
      { name: 'list, page 101 (cursor)', requests: [{ path: `/api/issues?limit=20&cursor=${cursor}` }] },
      { name: 'list, region=jiangsu', requests: [{ path: '/api/issues?region=jiangsu&limit=20' }] },
      { name: 'get, 500 random issues', requests: ids.map((id) => ({ path: `/api/issues/${id}` })) },
    ]
    const rows: Record<string, string | number>[] = []
    for (const target of targets) {
      const result = await autocannon({
        url: api.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        requests: target.requests,
      })
      if (cacheTtl === '0') worstP99 = Math.max(worstP99, result.latency.p99)
      rows.push({
        target: target.name,
        'req/s': Math.round(result.requests.average),
        'p50 ms': result.latency.p50,
        'p99 ms': result.latency.p99,
        'non-2xx': result.non2xx,
      })
    }
    await api.stop()
    const mode = cacheTtl === '0' ? 'caches off: every request reads the database' : 'caches on (5 s)'
    process.stdout.write(
      `\nbench:list — ${ISSUES} issues in SQLite, ${mode}, ${CONNECTIONS} connections, ${SECONDS} s each\n\n`,
    )
    process.stdout.write(`${formatTable(rows)}\n`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
  process.stdout.write(
    `\nworst p99 with caches off ${worstP99} ms (goal ≤ 10 ms): ${worstP99 <= 10 ? 'met' : 'NOT met'}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:list failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
