/**
 * The paywall funnel's budgets (docs/funnel.md):
 * (a) POST /api/events on SQLite over real HTTP: events per second, against ≥ 5,000;
 * (b) the funnel of one issue over roll-ups worth 10 million events in 90 days plus today's raw
 *     events: p50/p99 of the report query, against p99 ≤ 100 ms.
 * Writing 10 million raw events one by one would take most of an hour here, so (b) writes the daily
 * roll-up rows those events would have made (and today's raw rows as events), and says so.
 *   npm run bench:funnel   (BENCH_SECONDS, BENCH_QUERY_RUNS to change the lengths)
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import pino from 'pino'
import { migrateToLatest, openDb } from '../server/src/db/database'
import type { Database } from '../server/src/db/schema'
import { importContent } from '../server/src/domain/content-import'
import { generateDemoIssues } from '../server/src/domain/demo-content'
import { Funnel, hashViewerKey, SCENE_BUCKETS } from '../server/src/domain/funnel'
import { shanghaiDate } from '../server/src/infra/time'
import { fillDemoDatabase, formatTable, REPO_ROOT, startApi, tempDir } from './lib'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const QUERY_RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 100)
const CONNECTIONS = 20
/** Events per batch: the app sends up to 20 at a time, the endpoint takes 50 */
const BATCH = 25
const EVENTS_GOAL = 5000
const QUERY_BUDGET_MS = 100
const TOTAL_EVENTS = 10_000_000
const DAYS = 90
const DAY_MS = 86400000

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

/** (a) The event endpoint of a production-like API process on a fresh SQLite file. */
async function eventThroughput(): Promise<Record<string, string | number>> {
  const dir = tempDir('beichen-funnel-')
  const env = await fillDemoDatabase(dir, 50)
  const api = await startApi({
    ...env,
    EVENTS_PER_IP: '1000000',
    EVENTS_PER_VIEWER: '1000000',
    FUNNEL_ROLLUP_INTERVAL_MS: '0',
  })
  try {
    const list = (await (await fetch(`${api.url}/api/issues?limit=50`)).json()) as { items: { id: number }[] }
    const ids = list.items.map((item) => item.id)
    const steps = ['opened', 'paywall', 'plan_sheet'] as const
    const scenes = [1007, 1008, 1154, 1047, 1005, 1001]
    // Each request a new viewer: every event is a real insert, not a repeat the primary key drops.
    const body = () =>
      JSON.stringify({
        viewer: crypto.randomBytes(12).toString('hex'),
        events: Array.from({ length: BATCH }, (_, i) => ({
          step: steps[i % 3],
          issueId: ids[(i * 7 + Math.floor(Math.random() * ids.length)) % ids.length],
          scene: scenes[i % scenes.length],
        })),
      })
    const warm = await autocannon({
      url: `${api.url}/api/events`,
      connections: CONNECTIONS,
      duration: 2,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (r) => ({ ...r, body: body() }),
        },
      ],
    })
    if (warm.non2xx > 0) throw new Error(`warm-up: ${warm.non2xx} answers were not 2xx`)
    const result = await autocannon({
      url: `${api.url}/api/events`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (r) => ({ ...r, body: body() }),
        },
      ],
    })
    const eventsPerSecond = result.requests.average * BATCH
    return {
      measure: `POST /api/events, SQLite, ${BATCH} events/batch, ${CONNECTIONS} connections, ${SECONDS} s`,
      'batches/s': result.requests.average.toFixed(0),
      'events/s': eventsPerSecond.toFixed(0),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      non2xx: result.non2xx,
      goal: `≥ ${EVENTS_GOAL} events/s`,
      ratio: (eventsPerSecond / EVENTS_GOAL).toFixed(2),
    }
  } finally {
    await api.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Deterministic numbers for the generated rows */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state / 0x7fffffff
  }
}

/** (b) The report over roll-ups worth TOTAL_EVENTS events for one issue, written straight into funnel_daily. */
async function reportLatency(): Promise<Record<string, string | number>[]> {
  const dir = tempDir('beichen-funnel-q-')
  const db = openDb({ databaseUrl: '', sqlitePath: path.join(dir, 'funnel.db') })
  const rand = random(42)
  try {
    await migrateToLatest(db)
    await importContent(db, [path.join(REPO_ROOT, 'content')])
    const now = Date.now()
    await generateDemoIssues(db.kysely, 200, { now: now - DAYS * DAY_MS })
    const issues = await db.kysely.selectFrom('issues').select(['id', 'region_id']).orderBy('id').execute()
    const target = issues[0]
    const today = shanghaiDate(now)
    const days = Array.from({ length: DAYS }, (_, i) => shanghaiDate(now - (DAYS - i) * DAY_MS))

    // Sharers: 500 readers with share codes; about 100 of them bring readers on any one day.
    const users = await db.kysely
      .insertInto('users')
      .values(
        Array.from({ length: 500 }, (_, i) => ({
          name: `sharer-${i}`,
          openid: `o-${i}`,
          unionid: null,
          created_at: now,
          session_key_enc: null,
          avatar: null,
          phone: null,
          last_login_at: null,
        })),
      )
      .returning('id')
      .execute()
    const sharerIds = users.map((user) => user.id)
    await db.kysely
      .insertInto('share_codes')
      .values(sharerIds.map((id, i) => ({ user_id: id, code: `c${String(i).padStart(11, '0')}`, created_at: now })))
      .execute()

    // The target issue: per day, 3 steps × (6 scenes without a sharer + chat/group/Moments × 100 sharers).
    const stepShare = { opened: 1, paywall: 0.45, plan_sheet: 0.12 } as const
    const perDayOpened = TOTAL_EVENTS / DAYS / (1 + 0.45 + 0.12)
    const rows: Database['funnel_daily'][] = []
    let events = 0
    const addDay = (issue: { id: number; region_id: number }, day: string, opened: number, sharersToday: number) => {
      const groups: { scene: (typeof SCENE_BUCKETS)[number]; sharer: number; weight: number }[] = SCENE_BUCKETS.map(
        (scene) => ({ scene, sharer: 0, weight: 1 }),
      )
      for (let s = 0; s < sharersToday; s += 1) {
        groups.push({
          scene: (['chat', 'group', 'moments'] as const)[s % 3],
          sharer: sharerIds[Math.floor(rand() * sharerIds.length)],
          weight: 0.06,
        })
      }
      const seen = new Set<string>()
      const total = groups.reduce((sum, group) => sum + group.weight, 0)
      for (const group of groups) {
        const key = `${group.scene}|${group.sharer}`
        if (seen.has(key)) continue
        seen.add(key)
        for (const step of ['opened', 'paywall', 'plan_sheet'] as const) {
          const viewers = Math.max(1, Math.round((opened * stepShare[step] * group.weight) / total))
          events += issue === target ? viewers : 0
          rows.push({
            day,
            issue_id: issue.id,
            region_id: issue.region_id,
            step,
            scene: group.scene,
            sharer_user_id: group.sharer,
            viewers,
          })
        }
      }
    }
    for (const day of days.slice(0, -1)) addDay(target, day, perDayOpened, 100)
    // Every other issue: a quieter funnel, so the table is as big as a real one.
    for (const issue of issues.slice(1)) for (const day of days.slice(0, -1)) addDay(issue, day, 200 + rand() * 800, 4)
    const started = performance.now()
    await db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 1000)
        await trx
          .insertInto('funnel_daily')
          .values(rows.slice(i, i + 1000))
          .execute()
    })

    // Yesterday and today: a day of raw events for the target issue each.
    const raw: Database['funnel_events'][] = []
    for (const day of days.slice(-1).concat(today)) {
      for (let v = 0; v < perDayOpened; v += 1) {
        const scene = SCENE_BUCKETS[v % SCENE_BUCKETS.length]
        const sharer = scene === 'chat' || scene === 'group' ? sharerIds[v % 97] : 0
        for (const step of ['opened', 'paywall', 'plan_sheet'] as const) {
          if (rand() > stepShare[step]) continue
          raw.push({
            day,
            issue_id: target.id,
            region_id: target.region_id,
            step,
            scene,
            sharer_user_id: sharer,
            viewer_hash: hashViewerKey(`${day}-${v}`),
            // Created over the last 36 hours: all but the last 10 minutes are rolled up below.
            created_at: now - Math.floor(rand() * 36 * 3600000),
          })
        }
      }
    }
    events += raw.length
    await db.kysely.transaction().execute(async (trx) => {
      for (let i = 0; i < raw.length; i += 1000)
        await trx
          .insertInto('funnel_events')
          .values(raw.slice(i, i + 1000))
          .execute()
    })
    // Orders bought from the issue: 2,000 over the 90 days, two in three paid.
    await db.kysely.transaction().execute(async (trx) => {
      const orders = Array.from({ length: 2000 }, (_, i) => {
        const created = now - Math.floor(rand() * DAYS * DAY_MS)
        return {
          out_trade_no: `BENCH${i}`,
          user_id: sharerIds[i % sharerIds.length],
          plan_id: 'month',
          months: 1,
          amount_fen: 1200,
          rail: 'xpay' as const,
          status: i % 3 === 0 ? ('closed' as const) : ('fulfilled' as const),
          openid: `o-${i % sharerIds.length}`,
          platform: 'android',
          request_key: `bench-${i}`,
          created_at: created,
          expires_at: created + 900000,
          paid_at: i % 3 === 0 ? null : created + 60000,
          source_issue_id: target.id,
          source_sharer_user_id: i % 2 === 0 ? sharerIds[i % 97] : null,
          source_scene: SCENE_BUCKETS[i % SCENE_BUCKETS.length],
        }
      })
      for (let i = 0; i < orders.length; i += 500)
        await trx
          .insertInto('orders')
          .values(orders.slice(i, i + 500))
          .execute()
    })
    const dailyRows = Number(
      (
        await db.kysely
          .selectFrom('funnel_daily')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    process.stdout.write(
      `generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${dailyRows.toLocaleString('en')} roll-up rows (201 issues × 89 days), ` +
        `${raw.length.toLocaleString('en')} raw events (yesterday and today) and 2,000 orders; the measured issue's rows stand for ` +
        `${events.toLocaleString('en')} events (roll-up rows written directly, not rolled from 10M raw events)\n`,
    )

    // The roll-up job as it would have run 10 minutes ago (it runs every 5 minutes).
    const rollupStarted = performance.now()
    const rollup = await new Funnel(db.kysely, {
      now: () => now - 600000,
      log: pino({ level: 'silent' }),
      rollupIntervalMs: 0,
      rawRetentionDays: 14,
    }).rollUpNewEvents()
    const rawAfter = raw.filter((row) => row.created_at >= now - 600000 - 5000).length
    process.stdout.write(
      `roll-up of ${rollup.rolled.join(' and ')} (every issue) took ${((performance.now() - rollupStarted) / 1000).toFixed(2)} s; ` +
        `${rawAfter.toLocaleString('en')} raw events of the last 10 minutes are read raw\n`,
    )
    const funnel = new Funnel(db.kysely, {
      now: () => now,
      log: pino({ level: 'silent' }),
      rollupIntervalMs: 0,
      rawRetentionDays: 14,
    })
    const results: Record<string, string | number>[] = []
    for (const [label, query] of [
      ['one issue, 90 days', { issueId: target.id, days: 90 }],
      ['one issue, 30 days', { issueId: target.id, days: 30 }],
      ['one issue, 7 days', { issueId: target.id, days: 7 }],
      ['its region, 90 days', { regionId: target.region_id, days: 90 }],
    ] as const) {
      for (let i = 0; i < 10; i += 1) await funnel.report({ ...query, now })
      const times: number[] = []
      let opened = 0
      for (let i = 0; i < QUERY_RUNS; i += 1) {
        const begun = performance.now()
        const report = await funnel.report({ ...query, now })
        times.push(performance.now() - begun)
        opened = report.totals.opened
      }
      times.sort((a, b) => a - b)
      const p99 = percentile(times, 0.99)
      results.push({
        measure: `funnel report, ${label}`,
        runs: QUERY_RUNS,
        opened: opened.toLocaleString('en'),
        'p50 ms': percentile(times, 0.5).toFixed(1),
        'p99 ms': p99.toFixed(1),
        budget: `p99 ≤ ${QUERY_BUDGET_MS} ms`,
        ratio: (p99 / QUERY_BUDGET_MS).toFixed(2),
      })
    }
    return results
  } finally {
    await db.close()
    if (process.env.BENCH_KEEP_DB) process.stdout.write(`database kept: ${path.join(dir, 'funnel.db')}\n`)
    else fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  const modes = (process.env.BENCH_MODES ?? 'events,query').split(',')
  if (modes.includes('events')) {
    process.stdout.write(`(a) event endpoint\n${formatTable([await eventThroughput()])}\n\n`)
  }
  if (modes.includes('query')) {
    const rows = await reportLatency()
    process.stdout.write(`(b) funnel query (in process, the report's queries on SQLite)\n${formatTable(rows)}\n`)
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
