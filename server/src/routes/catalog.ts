import type { App } from '../plugins/types'
import { ErrorBody } from '../schemas/common'
import { ColumnList, RegionList } from '../schemas/taxonomy'
import { Catalog } from '../domain/catalog'

export async function catalogRoutes(app: App): Promise<void> {
  const { catalog, caches } = app.services

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
      const snapshot = await catalog.get(now)
      const byRegion = await caches.regionCounts.remember('all', now, () => catalog.issueCountsByRegion(now))
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
      const snapshot = await catalog.get()
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
