import type { App } from '../plugins/types'
import { ErrorBody } from '../schemas/common'
import { Contacts } from '../schemas/contacts'
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
    '/contacts',
    {
      schema: {
        summary: 'How readers reach the publisher: service line and hours, 商务合作, 公众号, 视频号, 微博',
        description: 'From the server’s settings (SERVICE_PHONE …): changing them needs no new mini-program release.',
        tags: ['catalog'],
        response: { 200: Contacts },
      },
    },
    async (_request, reply) => {
      const { config } = app.services
      reply.header('cache-control', 'public, max-age=300')
      return {
        service: { phone: config.SERVICE_PHONE, hours: config.SERVICE_HOURS },
        business: { phone: config.BUSINESS_PHONE },
        officialAccount: { name: config.OFFICIAL_ACCOUNT_NAME },
        channels: { name: config.CHANNELS_NAME, finderUserName: config.CHANNELS_FINDER_USER_NAME || null },
        weibo: { name: config.WEIBO_NAME },
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
