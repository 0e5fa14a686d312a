import type { Db } from '../db/database'
import type { IssueStatus } from '../db/schema'
import { ApiError, badRequest, notFound } from '../errors'
import { cursorPage, decodeCursor } from '../infra/cursor'
import { shanghaiDate } from '../infra/time'
import type { Catalog } from './catalog'
import { importIssueSource } from './content-import'
import { issuePlace, issueValues } from './content-store'
import { gatedIssue, hasVipPart } from './gating'
import type { ParsedIssue } from './issue-markdown'

/** An issue as the operator console lists it, whatever its status */
export interface DeskIssue {
  id: number
  slug: string
  title: string
  region: { code: string; name: string }
  column: { slug: string; name: string }
  number: number
  status: IssueStatus
  vip: boolean
  /** Asia/Shanghai date of published_at */
  date: string
  publishedAt: number
  updatedAt: number
  views: number
  /** When a scheduled issue goes live (定时发布); null for every other status */
  scheduledAt: number | null
}

/** What a checked file would be */
export interface CheckedIssue {
  slug: string
  title: string
  region: string
  number: number
  status: IssueStatus
  vip: boolean
}

export interface IssueDiff {
  /** No issue has this slug yet: importing creates one */
  created: boolean
  /** Importing would write (the content hash differs, or the issue is new) */
  changed: boolean
  /** Stored fields that differ from what the file makes of them */
  fields: string[]
}

export interface IssueCheck {
  /** "file:line: what to fix", as npm run content:import prints them */
  problems: string[]
  issue?: CheckedIssue
  diff?: IssueDiff
}

/** issues columns as the console names them */
const DIFF_FIELDS = {
  column_id: 'column',
  region_id: 'region',
  number: 'number',
  title: 'title',
  topic: 'topic',
  published_at: 'date',
  author: 'author',
  summary: 'summary',
  cover: 'cover',
  tags_json: 'tags',
  status: 'status',
  access: 'access',
  body_json: 'body',
  paywall_at: 'paywall',
  vip: 'vip',
} as const

function checked(issue: ParsedIssue): CheckedIssue {
  const { meta } = issue
  return {
    slug: meta.slug,
    title: meta.title,
    region: meta.region,
    number: meta.number,
    status: meta.status,
    vip: hasVipPart(gatedIssue(meta.access, issue.body, issue.paywallAt)),
  }
}

/**
 * The editors' desk of the operator console: every issue whatever its status, one file checked
 * or imported exactly as npm run content:import does it, and publishing by hand. Callers announce
 * 'content' after a change so every replica drops its content caches.
 */
export class IssueDesk {
  constructor(
    private readonly db: Db,
    private readonly catalog: Catalog,
  ) {}

  /** Issues of every status, newest published_at first, with cursor paging */
  async list(
    query: { status?: IssueStatus; region?: string; cursor?: string; limit?: number },
    now: number,
  ): Promise<{ items: DeskIssue[]; nextCursor: string | null }> {
    const snapshot = await this.catalog.get(now)
    const limit = query.limit ?? 50
    let builder = this.db.kysely
      .selectFrom('issues')
      .select([
        'id',
        'slug',
        'title',
        'region_id',
        'column_id',
        'number',
        'status',
        'vip',
        'published_at',
        'updated_at',
        'view_count',
        'publish_at',
      ])
    if (query.status) builder = builder.where('status', '=', query.status)
    if (query.region !== undefined) {
      const region = snapshot.regionsByCode.get(query.region)
      if (!region) throw badRequest('UNKNOWN_REGION', `query parameter "region": there is no region "${query.region}"`)
      builder = builder.where('region_id', '=', region.id)
    }
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor)
      builder = builder.where((eb) =>
        eb(eb.refTuple('published_at', 'id'), '<', eb.tuple(cursor.publishedAt, cursor.id)),
      )
    }
    const rows = await builder
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute()
    return cursorPage(
      rows,
      limit,
      (row) => row.published_at,
      (row) => {
        const region = snapshot.regionsById.get(row.region_id)
        const column = snapshot.columnsById.get(row.column_id)
        return {
          id: row.id,
          slug: row.slug,
          title: row.title,
          region: { code: region?.code ?? '', name: region?.name ?? '' },
          column: { slug: column?.slug ?? '', name: column?.name ?? '' },
          number: row.number,
          status: row.status,
          vip: row.vip === 1,
          date: shanghaiDate(row.published_at),
          publishedAt: row.published_at,
          updatedAt: row.updated_at,
          views: row.view_count,
          scheduledAt: row.status === 'scheduled' && row.publish_at !== null ? Number(row.publish_at) : null,
        }
      },
    )
  }

  /** The checks of content:import (nothing saved), and how the file differs from the stored issue */
  async check(markdown: string, fileName: string, now: number): Promise<IssueCheck> {
    const result = await importIssueSource(this.db, markdown, fileName, { dryRun: true, now })
    if (!result.issue) return { problems: result.problems }
    const issue = checked(result.issue)
    if (result.problems.length > 0) return { problems: result.problems, issue }
    return { problems: [], issue, diff: await this.diff(result.issue, now) }
  }

  /** Saves the file when it checks, through content:import's own code path; nothing is saved otherwise */
  async import(
    markdown: string,
    fileName: string,
    now: number,
  ): Promise<IssueCheck & { saved: boolean; id: number | null; outcome: 'created' | 'updated' | 'unchanged' | null }> {
    const before = await this.check(markdown, fileName, now)
    if (before.problems.length > 0) return { ...before, saved: false, id: null, outcome: null }
    const result = await importIssueSource(this.db, markdown, fileName, { now })
    if (!result.issue || result.problems.length > 0 || !result.outcome)
      return { problems: result.problems, saved: false, id: null, outcome: null }
    const row = await this.db.kysely
      .selectFrom('issues')
      .select('id')
      .where('slug', '=', result.issue.meta.slug)
      .executeTakeFirstOrThrow()
    return { ...before, saved: result.outcome !== 'unchanged', id: row.id, outcome: result.outcome }
  }

  private async diff(issue: ParsedIssue, now: number): Promise<IssueDiff> {
    const existing = await this.db.kysely
      .selectFrom('issues')
      .selectAll()
      .where('slug', '=', issue.meta.slug)
      .executeTakeFirst()
    const place = await issuePlace(this.db.kysely, issue)
    if (!existing || !place) return { created: true, changed: true, fields: [] }
    const values = issueValues(issue, place, now)
    const fields = (Object.keys(DIFF_FIELDS) as (keyof typeof DIFF_FIELDS)[])
      .filter((key) => values[key] !== existing[key])
      .map((key) => DIFF_FIELDS[key])
    return { created: false, changed: values.content_hash !== existing.content_hash, fields }
  }

  /**
   * Publishes an issue (a draft, or one scheduled in the console, is dated now and its schedule
   * ends; an archived one, or one a file marks scheduled, keeps its date) or takes it down
   * (archived: it keeps its date, and publishing brings it back as it was).
   */
  async setPublished(
    id: number,
    published: boolean,
    now: number,
  ): Promise<{
    before: { status: IssueStatus; publishedAt: number }
    after: { status: IssueStatus; publishedAt: number }
  }> {
    const row = await this.db.kysely
      .selectFrom('issues')
      .select(['status', 'published_at', 'publish_at'])
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${id}`)
    if (published && row.status === 'published')
      throw new ApiError(409, 'ISSUE_ALREADY_PUBLISHED', `issue ${id} is already published`)
    if (!published && row.status !== 'published')
      throw new ApiError(409, 'ISSUE_NOT_PUBLISHED', `issue ${id} is ${row.status}, not published`)
    const status: IssueStatus = published ? 'published' : 'archived'
    const publishedAt = published && (row.status === 'draft' || row.publish_at !== null) ? now : row.published_at
    const updated = await this.db.kysely
      .updateTable('issues')
      .set({ status, published_at: publishedAt, publish_at: null, scheduled_by: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', row.status)
      .where('publish_at', row.publish_at === null ? 'is' : '=', row.publish_at)
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) !== 1)
      throw new ApiError(409, 'ISSUE_CHANGED', `issue ${id} changed meanwhile: reload it and try again`)
    return {
      before: { status: row.status, publishedAt: row.published_at },
      after: { status, publishedAt },
    }
  }
}
