import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { badRequest } from '../errors'
import { cursorPage, decodeCursor } from '../infra/cursor'
import type { IssueDetailDto, IssuePageDto, IssueSummaryDto, ListIssuesQueryDto } from '../schemas/issues'
import { Catalog, type CatalogSnapshot } from './catalog'
import { cutIssue, freeLength, lockedSummary, type AccessDecision, type GatedIssue, type Viewer } from './gating'
import { preselectedPlan, type SiteSettings } from './site-settings'
import { shanghaiDate } from '../infra/time'

/** The issue columns an IssueSummary is made from (see IssueReader.summary). */
export const SUMMARY_COLUMNS = [
  'id',
  'slug',
  'title',
  'region_id',
  'column_id',
  'number',
  'published_at',
  'author',
  'summary',
  'cover',
  'view_count',
  'vip',
] as const

export type SummaryRow = {
  id: number
  slug: string
  title: string
  region_id: number
  column_id: number
  number: number
  published_at: number
  author: string
  summary: string
  cover: string | null
  view_count: number
  vip: number
}

export function fullTitle(regionName: string, number: number, title: string): string {
  return `【${regionName}·第${number}期】${title}`
}

/** Reads issues for viewers: the list, one issue cut for its viewer, and neighbours. */
export class IssueReader {
  private readonly gates = new Map<number, { gated: GatedIssue; contentHash: string; until: number }>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
    private readonly settings: SiteSettings,
    private readonly gateTtlMs = 5000,
  ) {}

  async list(query: ListIssuesQueryDto, now: number): Promise<IssuePageDto> {
    const snapshot = await this.catalog.get(now)
    const limit = query.limit ?? 20
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    let builder = this.db.selectFrom('issues').select(SUMMARY_COLUMNS).where('status', '=', 'published')
    // Rows before a cursor are older than a row that was visible, so the cursor bounds the
    // scan alone; a row-value comparison lets both databases walk the index from there.
    // A cursor from the future (not one this server made) is bounded by now as well.
    if (!cursor || cursor.publishedAt > now) builder = builder.where('published_at', '<=', now)
    if (cursor) {
      builder = builder.where((eb) =>
        eb(eb.refTuple('published_at', 'id'), '<', eb.tuple(cursor.publishedAt, cursor.id)),
      )
    }

    if (query.region !== undefined) {
      const region = snapshot.regionsByCode.get(query.region)
      if (!region) throw badRequest('UNKNOWN_REGION', `query parameter "region": there is no region "${query.region}"`)
      builder = builder.where('region_id', '=', region.id)
    }
    if (query.column !== undefined) {
      const column = snapshot.columnsBySlug.get(query.column)
      if (!column) throw badRequest('UNKNOWN_COLUMN', `query parameter "column": there is no column "${query.column}"`)
      const ids = Catalog.columnAndDescendants(snapshot, column.id)
      builder = ids.length === 1 ? builder.where('column_id', '=', ids[0]) : builder.where('column_id', 'in', ids)
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
      (row) => this.summary(row, snapshot),
    )
  }

  /**
   * One published issue cut for this viewer, or undefined when there is no such issue. `preview`:
   * any issue, whatever its status (a preview ticket's, see domain/preview-tickets.ts), and nothing
   * of it is kept for later requests.
   */
  async detail(
    id: number,
    viewer: Viewer | null,
    now: number,
    preview = false,
  ): Promise<{ issue: IssueDetailDto; decision: AccessDecision; contentHash: string } | undefined> {
    let query = this.db
      .selectFrom('issues')
      .select([...SUMMARY_COLUMNS, 'access', 'body_json', 'paywall_at', 'content_hash'])
      .where('id', '=', id)
    if (!preview) query = query.where('status', '=', 'published').where('published_at', '<=', now)
    const row = await query.executeTakeFirst()
    if (!row) return undefined
    const snapshot = await this.catalog.get(now)
    const { body, gated, decision, sections } = cutIssue(row, viewer, now)
    const [previous, next] = await Promise.all([this.neighbour(row, 'previous', now), this.neighbour(row, 'next', now)])
    const issue: IssueDetailDto = {
      ...this.summary(row, snapshot),
      breadcrumb: [
        { slug: '', name: '首页' },
        ...Catalog.columnPath(snapshot, row.column_id).map((column) => ({ slug: column.slug, name: column.name })),
      ],
      sections,
      access: decision.granted
        ? { granted: true, reason: decision.reason }
        : {
            granted: false,
            reason: decision.reason,
            paywall: await this.paywall(snapshot, lockedSummary(body, freeLength(gated)), now),
          },
      previous,
      next,
    }
    if (!preview) this.gates.set(id, { gated, contentHash: row.content_hash, until: now + this.gateTtlMs })
    return { issue, decision, contentHash: row.content_hash }
  }

  /**
   * What the paywall needs to know of an issue, kept briefly so a cached cut can be
   * found without reading the body. Undefined when it is not known yet.
   */
  clear(): void {
    this.gates.clear()
  }

  cachedGate(id: number, now: number): { gated: GatedIssue; contentHash: string } | undefined {
    const entry = this.gates.get(id)
    if (!entry || entry.until <= now) return undefined
    return entry
  }

  /** The operator's copy and preselected plan (when it is on sale) around what this issue locks. */
  private async paywall(snapshot: CatalogSnapshot, locked: ReturnType<typeof lockedSummary>, now: number) {
    const settings = await this.settings.get(now)
    const plans = snapshot.plans
    return { ...settings.paywall, plans, preselectedPlan: preselectedPlan(plans, settings.preselectedPlan), locked }
  }

  private async neighbour(row: SummaryRow, direction: 'previous' | 'next', now: number) {
    const found = await this.db
      .selectFrom('issues')
      .select(['id', 'number', 'title'])
      .where('region_id', '=', row.region_id)
      .where('column_id', '=', row.column_id)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .where('number', direction === 'previous' ? '<' : '>', row.number)
      .orderBy('number', direction === 'previous' ? 'desc' : 'asc')
      .limit(1)
      .executeTakeFirst()
    return found ?? null
  }

  /** The card of an issue: free-part fields only, the same for every viewer. */
  summary(row: SummaryRow, snapshot: CatalogSnapshot): IssueSummaryDto {
    const region = snapshot.regionsById.get(row.region_id)
    const regionName = region?.name ?? ''
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      fullTitle: fullTitle(regionName, row.number, row.title),
      region: { code: region?.code ?? '', name: regionName },
      number: row.number,
      date: shanghaiDate(row.published_at),
      author: row.author,
      summary: row.summary,
      cover: row.cover,
      views: row.view_count,
      vip: row.vip === 1,
    }
  }
}
