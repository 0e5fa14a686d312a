import crypto from 'node:crypto'
import { sql, type Kysely, type SelectQueryBuilder, type Transaction } from 'kysely'
import type { Database, FunnelStep, SceneBucket } from '../db/schema'
import { notFound } from '../errors'
import { LeasedJob } from '../infra/leased-job'
import type { Logger } from '../infra/log'
import { shanghaiDate, shanghaiMidnight } from '../infra/time'
import { TtlCache } from '../infra/ttl-cache'
import { maskShareCode } from './sharing'

export type { FunnelStep, SceneBucket } from '../db/schema'

const DAY_MS = 86400000
/** How far back a client's event time may go: a batch kept offline a while still lands on its day */
export const EVENT_BACKDATE_MS = DAY_MS
/** Events created this recently are left to the next roll-up: a request may still be writing them */
const SETTLE_MS = 5000

/** The whole funnel: what the app reports, then what the server's own orders say */
export const FUNNEL_STEPS = ['opened', 'paywall', 'plan_sheet', 'order_created', 'paid'] as const
export type FunnelStepName = (typeof FUNNEL_STEPS)[number]
export const SCENE_BUCKETS: readonly SceneBucket[] = ['chat', 'group', 'moments', 'code', 'search', 'other']

const SEARCH_SCENES = new Set([1005, 1006, 1027, 1042, 1053, 1106])
const CODE_SCENES = new Set([1047, 1048, 1049])

/** WeChat's launch scene (场景值) in the buckets the funnel splits by; null (H5, unknown) is other. */
export function sceneBucket(scene: number | null | undefined): SceneBucket {
  if (scene === 1007) return 'chat'
  if (scene === 1008) return 'group'
  if (scene === 1154 || scene === 1155) return 'moments'
  if (scene !== null && scene !== undefined && CODE_SCENES.has(scene)) return 'code'
  if (scene !== null && scene !== undefined && SEARCH_SCENES.has(scene)) return 'search'
  return 'other'
}

/** The app's anonymous viewer key, hashed: the same key always gives the same 32 hex characters. */
export function hashViewerKey(key: string): string {
  return crypto.createHash('sha256').update(`funnel:${key}`).digest('hex').slice(0, 32)
}

export interface FunnelEventInput {
  step: FunnelStep
  issueId: number
  scene?: number
  share?: string
  /** The client's time, epoch ms; clamped to [now − 1 day, now] */
  at?: number
}

/** Where an order came from, as the app sends it with the order */
export interface OrderSourceInput {
  issueId: number
  share?: string
  scene?: number
}

/** The attribution columns of a new order */
export interface OrderSource {
  source_issue_id: number
  source_sharer_user_id: number | null
  source_scene: SceneBucket
}

export type StepCounts = Record<FunnelStepName, number>

export interface FunnelQuery {
  issueId?: number
  regionId?: number
  days: number
  now: number
}

export interface FunnelReport {
  /** First and last day counted (Asia/Shanghai, inclusive) */
  from: string
  to: string
  totals: StepCounts
  byScene: { scene: SceneBucket; counts: StepCounts }[]
  /** The sharers who brought the most readers, masked like the share report */
  bySharer: { sharer: string; counts: StepCounts }[]
  /** Raw events created before this time were read from roll-ups, later ones as they are; null: none rolled up */
  countedBefore: number | null
}

export interface FunnelOptions {
  now: () => number
  log: Logger
  /** How often the roll-up job runs, ms; 0: never by itself */
  rollupIntervalMs: number
  /** Raw events are kept this many days after their day was rolled up */
  rawRetentionDays: number
}

export interface RollupReport {
  rolled: string[]
  pruned: number
}

const emptyCounts = (): StepCounts => ({ opened: 0, paywall: 0, plan_sheet: 0, order_created: 0, paid: 0 })
const TOP_SHARERS = 20

/**
 * The paywall funnel. The app reports opened → paywall → plan sheet (one row per viewer, issue, step and
 * day, under a hashed random key: no account, address or device); orders carry the issue, share and
 * scene they were bought from. A leased job rolls closed days into funnel_daily and prunes raw rows.
 */
export class Funnel {
  /** Published issue → its region (null: not published), briefly: the event endpoint's hot path */
  private readonly issueRegions = new TtlCache<number | null>(60000, 20000)
  /** Share code → the sharer's user id (0: nobody's) */
  private readonly sharers = new TtlCache<number>(600000, 20000)
  private readonly job: LeasedJob<RollupReport>

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: FunnelOptions,
  ) {
    this.job = new LeasedJob(db, {
      name: 'funnel-rollup',
      intervalMs: options.rollupIntervalMs,
      now: options.now,
      log: options.log,
      work: () => this.rollUpNewEvents(),
      idle: () => ({ rolled: [], pruned: 0 }),
    })
  }

  clear(): void {
    this.issueRegions.clear()
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One run of the roll-up job under its lease */
  runRollup(): Promise<RollupReport> {
    return this.job.runOnce()
  }

  /**
   * Stores a batch of the app's events; events of issues that are not published are dropped.
   * A viewer reaching a step of an issue again on the same day stores nothing. Returns how many
   * events were about published issues.
   */
  async record(viewerKey: string, events: FunnelEventInput[], now: number): Promise<number> {
    const viewerHash = hashViewerKey(viewerKey)
    const regions = await this.regionsOf([...new Set(events.map((event) => event.issueId))], now)
    const sharers = await this.sharerIds([...new Set(events.flatMap((event) => event.share ?? []))], now)
    const rows = new Map<string, Database['funnel_events']>()
    for (const event of events) {
      const region = regions.get(event.issueId)
      if (region === undefined || region === null) continue
      const at = Math.min(now, Math.max(now - EVENT_BACKDATE_MS, event.at ?? now))
      const day = shanghaiDate(at)
      const key = `${event.issueId}|${day}|${event.step}`
      if (rows.has(key)) continue
      rows.set(key, {
        day,
        issue_id: event.issueId,
        region_id: region,
        step: event.step,
        scene: sceneBucket(event.scene),
        sharer_user_id: event.share ? (sharers.get(event.share) ?? 0) : 0,
        viewer_hash: viewerHash,
        created_at: now,
      })
    }
    if (rows.size > 0) {
      await this.db
        .insertInto('funnel_events')
        .values([...rows.values()])
        .onConflict((oc) => oc.columns(['issue_id', 'day', 'step', 'viewer_hash']).doNothing())
        .execute()
    }
    return events.filter((event) => typeof regions.get(event.issueId) === 'number').length
  }

  /**
   * The attribution of a new order: the issue must exist (404 ISSUE_NOT_FOUND otherwise); a share code
   * nobody has, or the buyer's own, is stored as no sharer. It never touches the price.
   */
  async orderSource(input: OrderSourceInput, buyerId: number, now: number): Promise<OrderSource> {
    const issue = await this.db.selectFrom('issues').select('id').where('id', '=', input.issueId).executeTakeFirst()
    if (!issue) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${input.issueId} to buy from`)
    const sharer = input.share ? ((await this.sharerIds([input.share], now)).get(input.share) ?? 0) : 0
    return {
      source_issue_id: issue.id,
      source_sharer_user_id: sharer === 0 || sharer === buyerId ? null : sharer,
      source_scene: sceneBucket(input.scene),
    }
  }

  private regionsOf(issueIds: number[], now: number): Promise<Map<number, number | null>> {
    return cachedMany(this.issueRegions, issueIds, now, null, async (missing) => {
      const rows = await this.db
        .selectFrom('issues')
        .select(['id', 'region_id'])
        .where('id', 'in', missing)
        .where('status', '=', 'published')
        .where('published_at', '<=', now)
        .execute()
      return new Map(rows.map((row) => [row.id, row.region_id]))
    })
  }

  private sharerIds(codes: string[], now: number): Promise<Map<string, number>> {
    return cachedMany(this.sharers, codes, now, 0, async (missing) => {
      const rows = await this.db
        .selectFrom('share_codes')
        .select(['code', 'user_id'])
        .where('code', 'in', missing)
        .execute()
      return new Map(rows.map((row) => [row.code, row.user_id]))
    })
  }

  // ---- roll-ups ---------------------------------------------------------------------------------

  /** Raw events created before this time are counted in funnel_daily; null before the first roll-up */
  async countedBefore(): Promise<number | null> {
    const row = await this.db
      .selectFrom('funnel_rollup_state')
      .select('counted_before')
      .where('id', '=', 1)
      .executeTakeFirst()
    return row ? Number(row.counted_before) : null
  }

  /**
   * Counts one day again into funnel_daily from its raw events counted so far (created before the
   * roll-up mark), replacing its rows: running it again gives the same rows while the raw events are kept.
   */
  async rollUp(day: string): Promise<void> {
    const before = (await this.countedBefore()) ?? 0
    await this.db.transaction().execute((trx) => recount(trx, day, before))
  }

  /**
   * The job's work: the raw events created since the last run, up to a few seconds ago (late requests
   * still writing are left for the next run), are added to the daily rows, and the mark moves there in
   * the same transaction. Then raw events past FUNNEL_RAW_DAYS are pruned: only days long counted (an
   * event lands at most a day back, so a day with new events is never one being pruned).
   */
  async rollUpNewEvents(): Promise<RollupReport> {
    const now = this.options.now()
    const before = now - SETTLE_MS
    const after = (await this.countedBefore()) ?? 0
    const days = (
      await this.db
        .selectFrom('funnel_events')
        .select('day')
        .distinct()
        .where('created_at', '>=', after)
        .where('created_at', '<', before)
        .orderBy('day')
        .execute()
    ).map((row) => row.day)
    if (before > after) {
      await this.db.transaction().execute(async (trx) => {
        // Each raw row is a viewer new to its issue, step and day (the primary key): adding the new rows'
        // counts to the daily rows is the same as counting the days again, and costs only the new rows.
        await addCounts(trx, (events) => events.where('created_at', '>=', after).where('created_at', '<', before))
        await trx
          .insertInto('funnel_rollup_state')
          .values({ id: 1, counted_before: before })
          .onConflict((oc) => oc.column('id').doUpdateSet({ counted_before: before }))
          .execute()
      })
    }
    const result = await this.db
      .deleteFrom('funnel_events')
      .where('created_at', '<', Math.min(before, now - this.options.rawRetentionDays * DAY_MS))
      .executeTakeFirst()
    return { rolled: days, pruned: Number(result.numDeletedRows) }
  }

  // ---- the report -------------------------------------------------------------------------------

  /** An issue of any status, for naming a report's scope */
  issue(issueId: number) {
    return this.db
      .selectFrom('issues')
      .select(['id', 'title', 'number', 'region_id'])
      .where('id', '=', issueId)
      .executeTakeFirst()
  }

  /**
   * The funnel of one issue or one region over the last `days` days (today included): roll-ups up to
   * the latest rolled day, raw events after it, and orders attributed to the issue(s).
   */
  async report(query: FunnelQuery): Promise<FunnelReport> {
    const to = shanghaiDate(query.now)
    const from = shanghaiDate(query.now - (query.days - 1) * DAY_MS)
    let daily = this.db
      .selectFrom('funnel_daily')
      .select(['step', 'scene', 'sharer_user_id'])
      .select((eb) => eb.fn.sum<number | string>('viewers').as('count'))
      .where('day', '>=', from)
      .where('day', '<=', to)
      .groupBy(['step', 'scene', 'sharer_user_id'])
    // Raw rows since the mark are a few minutes' worth: found through the created_at index. `+ 0` keeps
    // planners off the primary key, which would read two whole days of the issue; days are kept in JS.
    const raw = async (countedBefore: number) => {
      let rows = this.db
        .selectFrom('funnel_events')
        .select(['day', 'step', 'scene', 'sharer_user_id'])
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('created_at', '>=', countedBefore)
        .groupBy(['day', 'step', 'scene', 'sharer_user_id'])
      if (query.issueId !== undefined) rows = rows.where(sql<number>`issue_id + 0`, '=', query.issueId)
      else if (query.regionId !== undefined) rows = rows.where(sql<number>`region_id + 0`, '=', query.regionId)
      return (await rows.execute()).filter((row) => row.day >= from && row.day <= to)
    }
    let orders = this.db
      .selectFrom('orders')
      .select(['user_id', 'source_scene', 'source_sharer_user_id', 'paid_at'])
      .where('created_at', '>=', shanghaiMidnight(from))
      .where('created_at', '<=', query.now)
    if (query.issueId !== undefined) {
      daily = daily.where('issue_id', '=', query.issueId)
      orders = orders.where('source_issue_id', '=', query.issueId)
    } else if (query.regionId !== undefined) {
      const regionId = query.regionId
      daily = daily.where('region_id', '=', regionId)
      orders = orders.where('source_issue_id', 'in', (eb) =>
        eb.selectFrom('issues').select('id').where('region_id', '=', regionId),
      )
    } else {
      orders = orders.where('source_issue_id', 'is not', null)
    }
    // Daily rows and raw rows must come from one side of a roll-up: read the mark before and after,
    // and read again when a roll-up moved it in between (rare: one every few minutes).
    let countedBefore = await this.countedBefore()
    let dailyRows: Awaited<ReturnType<typeof daily.execute>> = []
    let rawRows: Awaited<ReturnType<typeof raw>> = []
    for (let attempt = 0; ; attempt += 1) {
      ;[dailyRows, rawRows] = await Promise.all([daily.execute(), raw(countedBefore ?? 0)])
      const mark = await this.countedBefore()
      if (mark === countedBefore || attempt === 3) break
      countedBefore = mark
    }
    const orderRows = await orders.execute()

    const totals = emptyCounts()
    const byScene = new Map<SceneBucket, StepCounts>(SCENE_BUCKETS.map((scene) => [scene, emptyCounts()]))
    const bySharer = new Map<number, StepCounts>()
    const sharerCounts = (id: number) => {
      let counts = bySharer.get(id)
      if (!counts) bySharer.set(id, (counts = emptyCounts()))
      return counts
    }
    for (const row of [...dailyRows, ...rawRows]) {
      const count = Number(row.count)
      totals[row.step] += count
      const scene = byScene.get(row.scene) ?? byScene.get('other')!
      scene[row.step] += count
      if (row.sharer_user_id !== 0) sharerCounts(row.sharer_user_id)[row.step] += count
    }

    // Orders count readers: a reader who made three attempts counts once per step and group.
    const add = (
      seen: Set<string>,
      counts: StepCounts,
      step: 'order_created' | 'paid',
      group: string,
      user: number,
    ) => {
      const key = `${group}|${user}`
      if (seen.has(key)) return
      seen.add(key)
      counts[step] += 1
    }
    const seen = { order_created: new Set<string>(), paid: new Set<string>() }
    for (const order of orderRows) {
      const steps: ('order_created' | 'paid')[] = order.paid_at === null ? ['order_created'] : ['order_created', 'paid']
      const scene = (order.source_scene as SceneBucket | null) ?? 'other'
      for (const step of steps) {
        add(seen[step], totals, step, 'all', order.user_id)
        add(seen[step], byScene.get(scene) ?? byScene.get('other')!, step, `scene:${scene}`, order.user_id)
        if (order.source_sharer_user_id !== null) {
          add(
            seen[step],
            sharerCounts(order.source_sharer_user_id),
            step,
            `sharer:${order.source_sharer_user_id}`,
            order.user_id,
          )
        }
      }
    }

    const top = [...bySharer.entries()]
      .sort(([a, x], [b, y]) => y.paid - x.paid || y.opened - x.opened || a - b)
      .slice(0, TOP_SHARERS)
    const codes =
      top.length === 0
        ? new Map<number, string>()
        : new Map(
            (
              await this.db
                .selectFrom('share_codes')
                .select(['user_id', 'code'])
                .where(
                  'user_id',
                  'in',
                  top.map(([id]) => id),
                )
                .execute()
            ).map((row) => [row.user_id, row.code]),
          )
    return {
      from,
      to,
      totals,
      byScene: SCENE_BUCKETS.map((scene) => ({ scene, counts: byScene.get(scene)! })),
      bySharer: top.map(([id, counts]) => ({ sharer: maskShareCode(codes.get(id) ?? '????????????'), counts })),
      countedBefore,
    }
  }
}

/** The values of `keys`: cached ones, and the rest loaded at once (a key `load` does not find gets `absent`). */
async function cachedMany<K extends string | number, V>(
  cache: TtlCache<V>,
  keys: K[],
  now: number,
  absent: V,
  load: (missing: K[]) => Promise<Map<K, V>>,
): Promise<Map<K, V>> {
  const found = new Map<K, V>()
  const missing: K[] = []
  for (const key of keys) {
    const value = cache.get(String(key), now)
    if (value === undefined) missing.push(key)
    else found.set(key, value)
  }
  if (missing.length > 0) {
    const loaded = await load(missing)
    for (const key of missing) {
      const value = loaded.get(key) ?? absent
      found.set(key, value)
      cache.set(String(key), value, now)
    }
  }
  return found
}

/** Replaces one day's rows of funnel_daily with the count of its raw events created before `before`. */
async function recount(trx: Transaction<Database>, day: string, before: number): Promise<void> {
  await trx.deleteFrom('funnel_daily').where('day', '=', day).execute()
  await addCounts(trx, (events) => events.where('day', '=', day).where('created_at', '<', before))
}

/** Adds the raw events `which` picks to funnel_daily, per day, issue, step, scene and sharer. */
async function addCounts(
  trx: Transaction<Database>,
  which: (
    events: SelectQueryBuilder<Database, 'funnel_events', object>,
  ) => SelectQueryBuilder<Database, 'funnel_events', object>,
): Promise<void> {
  const columns = ['day', 'issue_id', 'region_id', 'step', 'scene', 'sharer_user_id'] as const
  await trx
    .insertInto('funnel_daily')
    .columns([...columns, 'viewers'])
    .expression(
      which(trx.selectFrom('funnel_events'))
        .select(columns)
        .select((eb) => eb.fn.countAll<number>().as('viewers'))
        .groupBy([...columns]),
    )
    .onConflict((oc) =>
      oc
        .columns(['issue_id', 'day', 'step', 'scene', 'sharer_user_id'])
        .doUpdateSet((eb) => ({ viewers: eb('funnel_daily.viewers', '+', eb.ref('excluded.viewers')) })),
    )
    .execute()
}
