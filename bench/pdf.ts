/**
 * PDF download budget (文档PDF下载): GET /api/issues/:id/pdf for the seed issue through the real
 * app (in process, app.inject, SQLite). Cold: a reader whose PDF is not cached yet, so the route
 * renders it (each run a new VIP reader, since PDFs are cached per reader); cached: the same reader
 * again, read from disk. Also the PDF's size, and the event loop's longest stall during cold renders
 * (rendering yields between blocks, so other requests go on).
 */
import fs from 'node:fs'
import path from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import pino from 'pino'
import { buildApp } from '../server/src/app'
import { loadConfig } from '../server/src/config'
import { migrateToLatest, openDb } from '../server/src/db/database'
import { importContent } from '../server/src/domain/content-import'
import { ensureTaxonomy } from '../server/src/domain/content-store'
import { pdfRenderStats } from '../server/src/domain/issue-pdf'
import { grantMembership } from '../server/src/domain/membership'
import { issueToken } from '../server/src/domain/users'
import { PRODUCTION_BENCH_ENV, REPO_ROOT, tempDir } from './lib'

const COLD_RUNS = 21
const CACHED_RUNS = 200
/** A reader waits for the download: a cache miss should not keep them long. */
const COLD_BUDGET_MS = 500
const CACHED_BUDGET_MS = 20

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b)
  return `median ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms (${samples.length} runs)`
}

async function main(): Promise<void> {
  const dir = tempDir('beichen-bench-pdf-')
  const db = openDb({ databaseUrl: '', sqlitePath: path.join(dir, 'bench.db') })
  await migrateToLatest(db)
  await ensureTaxonomy(db.kysely)
  await importContent(db, [path.join(REPO_ROOT, 'content')])
  const config = loadConfig({ ...PRODUCTION_BENCH_ENV, MEDIA_DIR: path.join(dir, 'media') })
  const app = await buildApp({ config, db, logger: pino({ level: 'warn' }) })
  await app.ready()
  try {
    const seed = await db.kysely
      .selectFrom('issues')
      .select('id')
      .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
      .executeTakeFirstOrThrow()
    const url = `/api/issues/${seed.id}/pdf`
    const readers: string[] = []
    for (let i = 0; i < COLD_RUNS; i += 1) {
      const { userId, token } = await issueToken(db.kysely, `bench-pdf-${i}`, Date.now())
      await grantMembership(db.kysely, userId, 30, 'bench', 'admin', Date.now())
      readers.push(token)
    }
    const get = async (token: string) => {
      const started = performance.now()
      const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })
      const ms = performance.now() - started
      if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${response.body}`)
      return { ms, bytes: response.rawPayload.length }
    }

    const rendersBefore = pdfRenderStats.renders
    // The first render of a process also parses the fonts; it is reported on its own.
    const first = await get(readers[0])
    const stalls = monitorEventLoopDelay({ resolution: 5 })
    const cold: number[] = []
    stalls.enable()
    for (const token of readers.slice(1)) cold.push((await get(token)).ms)
    stalls.disable()
    if (pdfRenderStats.renders - rendersBefore !== readers.length) throw new Error('a cold request was not a render')

    const cached: number[] = []
    for (let i = 0; i < CACHED_RUNS; i += 1) cached.push((await get(readers[i % readers.length])).ms)
    if (pdfRenderStats.renders - rendersBefore !== readers.length) throw new Error('a cached request rendered again')

    const coldSorted = [...cold].sort((a, b) => a - b)
    const cachedSorted = [...cached].sort((a, b) => a - b)
    console.log(
      'PDF of the seed issue 【山西·第32期】中部城市群高质量发展 via GET /api/issues/:id/pdf (SQLite, in process)',
    )
    console.log(`  first render    ${first.ms.toFixed(1)} ms (first PDF of the process: fonts parsed)`)
    console.log(`  cold (render)   ${summary(cold)}`)
    console.log(`  cached (disk)   ${summary(cached)}`)
    console.log(`  size            ${(first.bytes / 1024).toFixed(1)} KB`)
    console.log(`  event loop      longest stall during cold renders ${(stalls.max / 1e6).toFixed(1)} ms`)
    const ok = percentile(coldSorted, 95) <= COLD_BUDGET_MS && percentile(cachedSorted, 95) <= CACHED_BUDGET_MS
    console.log(
      ok
        ? `within budget (cold p95 ≤ ${COLD_BUDGET_MS} ms, cached p95 ≤ ${CACHED_BUDGET_MS} ms)`
        : `OVER BUDGET (cold p95 ≤ ${COLD_BUDGET_MS} ms, cached p95 ≤ ${CACHED_BUDGET_MS} ms)`,
    )
    process.exitCode = ok ? 0 : 1
  } finally {
    await app.close()
    await db.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

void main()
