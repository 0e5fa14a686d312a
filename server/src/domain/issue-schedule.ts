import type { Kysely } from 'kysely'
import type { Database, IssueStatus } from '../db/schema'
import { ApiError, badRequest, notFound } from '../errors'
import { LeasedJob } from '../infra/leased-job'
import type { Logger } from '../infra/log'
import { Audit, type AuditActor } from './audit'

/** A schedule closer than this could pass before the request is even answered. */
export const MIN_SCHEDULE_LEAD_MS = 10_000
/** Nobody plans an issue further ahead; a date past it is a typo (a wrong year). */
export const MAX_SCHEDULE_LEAD_MS = 365 * 24 * 3600 * 1000
/** Issues published per run; a longer backlog goes on in the next run. */
const ISSUES_PER_RUN = 100
/** The audit reason of a publication the job made */
export const SCHEDULED_PUBLISH_REASON = '定时发布'

/** What the console shows of an issue's publication */
export interface PublicationState {
  status: IssueStatus
  publishedAt: number
  /** When a scheduled issue goes live; null for every other status */
  scheduledAt: number | null
}

export interface ScheduleChange {
  before: PublicationState
  after: PublicationState
}

export interface PublishedIssue {
  id: number
  regionId: number
  publishedAt: number
  /** The operator who scheduled it, in whose name it was published */
  operator: AuditActor
}

export interface ScheduleOptions {
  /** 0 or less: the job never runs by itself (tests call runOnce) */
  intervalMs: number
  now: () => number
  log: Logger
  /** After a run published something: drop content caches everywhere, announce to subscribers */
  onPublished: (issues: PublishedIssue[]) => Promise<void>
}

/** "2026-12-06T21:00:00+08:00" (seconds and milliseconds optional, Z or ±hh:mm) as epoch ms; null when not a real moment. */
export function parseOffsetTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
    text,
  )
  if (!match) return null
  const [year, month, day, hour, minute, second = '0', fraction = '0'] = match.slice(1, 8)
  const parts = [year, month, day, hour, minute, second].map(Number)
  const local = Date.UTC(
    parts[0],
    parts[1] - 1,
    parts[2],
    parts[3],
    parts[4],
    parts[5],
    Number(fraction.padEnd(3, '0')),
  )
  const back = new Date(local)
  // Date.UTC rolls 30 February over into March: a moment that does not exist is refused instead.
  if (
    back.getUTCFullYear() !== parts[0] ||
    back.getUTCMonth() !== parts[1] - 1 ||
    back.getUTCDate() !== parts[2] ||
    back.getUTCHours() !== parts[3] ||
    back.getUTCMinutes() !== parts[4] ||
    back.getUTCSeconds() !== parts[5]
  )
    return null
  if (match[8] === 'Z') return local
  const [sign, offsetHours, offsetMinutes] = [match[9], Number(match[10]), Number(match[11])]
  if (offsetHours > 14 || offsetMinutes > 59) return null
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60000
  return sign === '+' ? local - offsetMs : local + offsetMs
}

/**
 * 定时发布: an editor schedules a draft or archived issue for a moment; a leased job publishes
 * every due one. A scheduled issue is status `scheduled`, which every reader query leaves out
 * (they all read `status = 'published' and published_at <= now`), so it stays hidden until the job
 * flips it. Exactly once: the flip is a conditional update (`where status = 'scheduled' and
 * publish_at = <the one read>`) in one transaction with its audit row, so of two replicas only one
 * publishes and audits; the announcement to subscribers is the subscription sweep's, which is
 * exactly once by itself. The lease only keeps replicas from doing the same work at once.
 */
export class IssueSchedule {
  private readonly job: LeasedJob<PublishedIssue[]>

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: ScheduleOptions,
  ) {
    this.job = new LeasedJob(db, {
      name: 'issue-schedule',
      intervalMs: options.intervalMs,
      now: options.now,
      log: options.log,
      work: () => this.publishAndAnnounce(),
      idle: () => [],
    })
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One run under the lease: publish every due issue, then announce them. */
  runOnce(): Promise<PublishedIssue[]> {
    return this.job.runOnce()
  }

  /** Schedules a draft, archived or already scheduled issue for `publishAt`, in `operator`'s name. */
  async schedule(id: number, publishAt: number, operator: AuditActor, now: number): Promise<ScheduleChange> {
    if (publishAt < now + MIN_SCHEDULE_LEAD_MS) {
      throw badRequest(
        'SCHEDULE_TOO_SOON',
        `publishAt must be at least ${MIN_SCHEDULE_LEAD_MS / 1000} seconds from now: pick a later time, or publish now`,
      )
    }
    if (publishAt > now + MAX_SCHEDULE_LEAD_MS) {
      throw badRequest('SCHEDULE_TOO_FAR', 'publishAt must be within a year from now: check the year')
    }
    const before = await this.state(id)
    if (before.status === 'published')
      throw new ApiError(409, 'ISSUE_ALREADY_PUBLISHED', `issue ${id} is already published: take it down first`)
    const after: PublicationState = { status: 'scheduled', publishedAt: before.publishedAt, scheduledAt: publishAt }
    await this.change(id, before, {
      status: 'scheduled',
      publish_at: publishAt,
      scheduled_by: operator.id,
      updated_at: now,
    })
    return { before, after }
  }

  /** Cancels a schedule: the issue goes back to draft (publishing by hand then dates it that day). */
  async cancel(id: number, now: number): Promise<ScheduleChange> {
    const before = await this.state(id)
    if (before.status !== 'scheduled' || before.scheduledAt === null)
      throw new ApiError(409, 'ISSUE_NOT_SCHEDULED', `issue ${id} is ${before.status}, not scheduled`)
    await this.change(id, before, { status: 'draft', publish_at: null, scheduled_by: null, updated_at: now })
    return { before, after: { status: 'draft', publishedAt: before.publishedAt, scheduledAt: null } }
  }

  /**
   * Publishes every scheduled issue whose moment has come, dated that moment, each exactly once
   * with an audit row in the scheduling operator's name. Safe to call from several processes at once.
   */
  async publishDue(now: number): Promise<PublishedIssue[]> {
    const due = await this.db
      .selectFrom('issues')
      .leftJoin('operators', 'operators.id', 'issues.scheduled_by')
      .select([
        'issues.id',
        'issues.region_id',
        'issues.publish_at',
        'issues.published_at',
        'issues.scheduled_by',
        'operators.name as operatorName',
      ])
      .where('issues.status', '=', 'scheduled')
      .where('issues.publish_at', '<=', now)
      .orderBy('issues.publish_at')
      .orderBy('issues.id')
      .limit(ISSUES_PER_RUN)
      .execute()
    const published: PublishedIssue[] = []
    for (const issue of due) {
      const publishAt = Number(issue.publish_at)
      const operator = { id: issue.scheduled_by, name: issue.operatorName ?? 'schedule' }
      const won = await this.db.transaction().execute(async (trx) => {
        // The write comes first: SQLite takes its write lock at once, and on PostgreSQL a second
        // replica's update waits for this commit and then matches nothing.
        const flipped = await trx
          .updateTable('issues')
          .set({ status: 'published', published_at: publishAt, publish_at: null, scheduled_by: null, updated_at: now })
          .where('id', '=', issue.id)
          .where('status', '=', 'scheduled')
          .where('publish_at', '=', publishAt)
          .executeTakeFirst()
        if (Number(flipped.numUpdatedRows) !== 1) return false
        await new Audit(trx, () => now).record({
          operator,
          action: 'issue.publish',
          target: `issue:${issue.id}`,
          reason: SCHEDULED_PUBLISH_REASON,
          before: { status: 'scheduled', publishedAt: iso(issue.published_at), scheduledAt: iso(publishAt) },
          after: { status: 'published', publishedAt: iso(publishAt), scheduledAt: null },
        })
        return true
      })
      if (won) published.push({ id: issue.id, regionId: issue.region_id, publishedAt: publishAt, operator })
    }
    if (published.length > 0)
      this.options.log.info({ issues: published.map((issue) => issue.id) }, 'scheduled issues published')
    return published
  }

  private async publishAndAnnounce(): Promise<PublishedIssue[]> {
    const published = await this.publishDue(this.options.now())
    if (published.length > 0) await this.options.onPublished(published)
    return published
  }

  private async state(id: number): Promise<PublicationState> {
    const row = await this.db
      .selectFrom('issues')
      .select(['status', 'published_at', 'publish_at'])
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${id}`)
    return {
      status: row.status,
      publishedAt: Number(row.published_at),
      scheduledAt: row.status === 'scheduled' && row.publish_at !== null ? Number(row.publish_at) : null,
    }
  }

  /** Writes `values` when the issue is still as read, else 409 ISSUE_CHANGED (another operator or the job was first). */
  private async change(
    id: number,
    before: PublicationState,
    values: { status: IssueStatus; publish_at: number | null; scheduled_by: number | null; updated_at: number },
  ): Promise<void> {
    const updated = await this.db
      .updateTable('issues')
      .set(values)
      .where('id', '=', id)
      .where('status', '=', before.status)
      .where('publish_at', before.scheduledAt === null ? 'is' : '=', before.scheduledAt)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1)
      throw new ApiError(409, 'ISSUE_CHANGED', `issue ${id} changed meanwhile: reload it and try again`)
  }
}

const iso = (ms: number) => new Date(ms).toISOString()
