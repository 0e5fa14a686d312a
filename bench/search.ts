/**
 * npm run bench:search — full-text search with 100k demo issues in SQLite (issue 5: p99 ≤ 50 ms).
 *
 * Fills a fresh SQLite database with BENCH_ISSUES (default 100000) demo issues and the sample,
 * then runs autocannon on several queries with the response cache off (ISSUE_CACHE_TTL_MS=0:
 * every request runs the search): 3-character words common, rare and absent (FTS5 trigram
 * index), 2-character words common, in one region and absent (the newest issues scanned with
 * LIKE, then the trigrams that start with the word), two words, and a region filter.
 * Prints req/s, p50 and p99 per query.
 */
import fs from 'node:fs'
import autocannon from 'autocannon'
import { fillDemoDatabase, formatTable, startApi, tempDir } from './lib'

const ISSUES = Number(process.env.BENCH_ISSUES ?? 100000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const GOAL_P99_MS = 50

const QUERIES: { name: string; q: string; extra?: string }[] = [
  { name: '3 chars, common (高质量)', q: '高质量' },
  { name: '3 chars, rare (城市群)', q: '城市群' },
  { name: '3+ chars, no match (量子纠缠)', q: '量子纠缠' },
  { name: '2 chars, common (示例)', q: '示例' },
  { name: '2 chars, one region (山西)', q: '山西' },
  { name: '2 chars, no match (量子)', q: '量子' },
  { name: 'two words (乡村振兴 共同富裕)', q: '乡村振兴 共同富裕' },
  { name: '3 chars + region=jiangsu', q: '高质量', extra: '&region=jiangsu' },
]

async function main(): Promise<void> {
  const dir = tempDir('beichen-bench-search-')
  const env = await fillDemoDatabase(dir, ISSUES)

  const api = await startApi({ ...env, ISSUE_CACHE_TTL_MS: '0' })
  const rows: Record<string, string | number>[] = []
  let worstP99 = 0
  for (const query of QUERIES) {
    const url = `/api/search?q=${encodeURIComponent(query.q)}&limit=20${query.extra ?? ''}`
    const probe = await fetch(`${api.url}${url}`)
    if (!probe.ok) throw new Error(`${url} answered ${probe.status}: ${await probe.text()}`)
    const hits = ((await probe.json()) as { items: unknown[] }).items.length
    const result = await autocannon({
      url: api.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [{ path: url }],
    })
    worstP99 = Math.max(worstP99, result.latency.p99)
    rows.push({
      query: query.name,
      'hits (page)': hits,
      'req/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      'non-2xx': result.non2xx,
    })
  }
  await api.stop()
  fs.rmSync(dir, { recursive: true, force: true })
  process.stdout.write(
    `\nbench:search — ${ISSUES} issues in SQLite, cache off, ${CONNECTIONS} connections, ${SECONDS} s each\n\n`,
  )
  process.stdout.write(`${formatTable(rows)}\n`)
  process.stdout.write(
    `\nworst p99 ${worstP99} ms (goal ≤ ${GOAL_P99_MS} ms): ${worstP99 <= GOAL_P99_MS ? 'met' : 'NOT met'}\n`,
  )
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:search failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
