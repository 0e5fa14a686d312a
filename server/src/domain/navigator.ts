import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { notFound } from '../errors'
import {
  NAVIGATOR_DEFAULT_LIMIT,
  type NavigatorIssueDto,
  type NavigatorPageDto,
  type NavigatorQueryDto,
  type NavigatorRegionListDto,
} from '../schemas/navigator'
import type { Catalog } from './catalog'
import { cursorPage, decodeCursor } from '../infra/cursor'
import { shanghaiDate } from '../infra/time'

/** A region's page of issues as every viewer sees it: no reader's state, no body text. */
export type PublicNavigatorPage = Omit<NavigatorPageDto, 'items'> & {
  items: Omit<NavigatorIssueDto, 'readState' | 'lastSectionId'>[]
}

/**
 * The region × issue navigator: regions with their issue counts, and a region's published issues
 * by number. Reads summary columns only (never body_json): the grid shows number, title, date and
 * the VIP flag. The reader's read state is a separate query scoped by the reader's user id, so the
 * public part can be cached for everyone.
 */
export class Navigator {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
  ) {}

  async regions(now: number): Promise<NavigatorRegionListDto> {
    const snapshot = await this.catalog.get(now)
    const rows = await this.db
      .selectFrom('issues')
      .select([
        'region_id',
        (eb) => eb.fn.countAll<number | string>().as('count'),
        (eb) => eb.fn.max<number | string>('number').as('latest'),
      ])
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .groupBy('region_id')
      .execute()
    const byRegion = new Map(rows.map((row) => [row.region_id, row]))
    return {
      items: [...snapshot.regionsById.values()]
        .sort((a, b) => a.sort_order - b.sort_order)
        .map((region) => {
          const row = byRegion.get(region.id)
          return {
            code: region.code,
            name: region.name,
            issueCount: row ? Number(row.count) : 0,
            latestNumber: row ? Number(row.latest) : null,
          }
        }),
    }
  }

  /** Published issues of a region by number (then id), oldest first, with cursor paging. */
  async regionIssues(regionCode: string, query: NavigatorQueryDto, now: number): Promise<PublicNavigatorPage> {
    const snapshot = await this.catalog.get(now)
    const region = snapshot.regionsByCode.get(regionCode)
    if (!region)
      throw notFound('REGION_NOT_FOUND', `there is no region "${regionCode}": pick one from GET /api/navigator`)
    const limit = query.limit ?? NAVIGATOR_DEFAULT_LIMIT
    // The cursor's "publishedAt" slot carries the issue number here.
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'number')
    let builder = this.db
      .selectFrom('issues')
      .select(['id', 'number', 'title', 'published_at', 'vip'])
      .where('region_id', '=', region.id)
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
    if (cursor) {
      builder = builder.where((eb) => eb(eb.refTuple('number', 'id'), '>', eb.tuple(cursor.publishedAt, cursor.id)))
    }
    const rows = await builder
      .orderBy('number', 'asc')
      .orderBy('id', 'asc')
      .limit(limit + 1)
      .execute()
    return {
      region: { code: region.code, name: region.name },
      ...cursorPage(
        rows,
        limit,
        (row) => row.number,
        (row) => ({
          id: row.id,
          number: row.number,
          title: row.title,
          date: shanghaiDate(row.published_at),
          vip: row.vip === 1,
        }),
      ),
    }
  }

  /** The page with this viewer's read states: null for an anonymous viewer, the reader's own otherwise. */
  async withReadStates(page: PublicNavigatorPage, userId: number | null): Promise<NavigatorPageDto> {
    if (userId === null) {
      return { ...page, items: page.items.map((item) => ({ ...item, readState: null, lastSectionId: null })) }
    }
    const ids = page.items.map((item) => item.id)
    const rows =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('reading_progress')
            .select(['issue_id', 'section_id'])
            .where('user_id', '=', userId)
            .where('issue_id', 'in', ids)
            .execute()
    const lastSection = new Map(rows.map((row) => [row.issue_id, row.section_id]))
    return {
      ...page,
      items: page.items.map((item) => {
        const sectionId = lastSection.get(item.id)
        return { ...item, readState: sectionId ? 'read' : 'unread', lastSectionId: sectionId ?? null }
      }),
    }
  }
}
