import type { App } from '../app'
import { ErrorBody } from '../schemas/common'
import { ColumnList, RegionList } from '../schemas/taxonomy'
import { Catalog } from '../domain/catalog'
import { TtlCache } from '../infra/ttl-cache'

export async function catalogRoutes(app: App): Promise<void> {
  // Counting issues per region reads the whole table: the answer is kept like other content reads.
  const regionCounts = new TtlCache<Map<number, number>>(app.config.ISSUE_CACHE_TTL_MS, 1)
  app.registerContentCache(regionCounts)

  app.get(
    '/regions',
    {
      schema: {
        summary: 'Regions (provinces) with their number of published issues, for the filter',
        tags: ['catalog'],
        response: { 200: RegionList, 400: ErrorBody },
      },
    },
    async () => {
      const now = Date.now()
      const snapshot = await app.catalog.get(now)
      const byRegion = await regionCounts.remember('all', now, async () => {
        const counts = await app.db.kysely
          .selectFrom('issues')
          .select(['region_id', (eb) => eb.fn.countAll<number | string>().as('count')])
          .where('status', '=', 'published')
          .where('published_at', '<=', now)
          .groupBy('region_id')
          .execute()
        return new Map(counts.map((row) => [row.region_id, Number(row.count)]))
      })
      return {
        items: [...snapshot.regionsById.values()]
          .sort((a, b) => a.sort_order - b.sort_order)
          .map((region) => ({ code: region.code, name: region.name, issueCount: byRegion.get(region.id) ?? 0 })),
      }
    },
  )

  app.get(
    '/columns',
    {
      schema: {
        summary: 'The column tree, flattened, with each column’s path for the breadcrumb',
        tags: ['catalog'],
        response: { 200: ColumnList },
      },
    },
    async () => {
      const snapshot = await app.catalog.get()
      return {
        items: [...snapshot.columnsById.values()].map((column) => ({
          slug: column.slug,
          name: column.name,
          parentSlug: column.parent_id === null ? null : (snapshot.columnsById.get(column.parent_id)?.slug ?? null),
          path: Catalog.columnPath(snapshot, column.id).map((c) => c.slug),
        })),
      }
    },
  )
}
