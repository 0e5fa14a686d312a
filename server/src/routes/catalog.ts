import { Type } from '@sinclair/typebox'
import { ApiError } from '../errors'
import type { App } from '../plugins/types'
import { ErrorBody, errorResponses } from '../schemas/common'
import { Contacts } from '../schemas/contacts'
import { ColumnList, RegionList } from '../schemas/taxonomy'
import { Catalog } from '../domain/catalog'

export async function catalogRoutes(app: App): Promise<void> {
  const { catalog, caches, settings } = app.services
  const mediaBase = app.config.PUBLIC_BASE_URL.replace(/\/+$/, '')

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
        description:
          'The operator’s settings (console 设置, PUT /api/admin/settings), else the server’s environment (SERVICE_PHONE …): changing them needs no new mini-program release.',
        tags: ['catalog'],
        response: { 200: Contacts },
      },
    },
    async (_request, reply) => {
      const { contacts, officialAccountQr } = await settings.get(Date.now())
      reply.header('cache-control', 'public, max-age=60')
      return {
        service: { phone: contacts.servicePhone, hours: contacts.serviceHours },
        business: { phone: contacts.businessPhone },
        officialAccount: {
          name: contacts.officialAccountName,
          qrUrl: officialAccountQr
            ? `${mediaBase}/api/contacts/official-account-qr?v=${officialAccountQr.updatedAt}`
            : null,
        },
        channels: { name: contacts.channelsName, finderUserName: contacts.channelsFinderUserName || null },
        weibo: { name: contacts.weiboName },
      }
    },
  )

  app.get(
    '/contacts/official-account-qr',
    {
      schema: {
        summary: 'The 公众号 QR image the operator uploaded (PNG or JPEG); 404 when there is none',
        tags: ['catalog'],
        querystring: Type.Object({ v: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9]+$' })) }),
        response: { 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const qr = await settings.readQr()
      if (!qr) throw new ApiError(404, 'NOT_FOUND', 'no 公众号 QR image has been uploaded')
      return (
        reply
          .header('content-type', qr.contentType)
          // The versioned link (?v=) changes with every upload; the bare one is revalidated hourly.
          .header('cache-control', request.query.v ? 'public, max-age=86400' : 'public, max-age=3600')
          .header('x-content-type-options', 'nosniff')
          .send(qr.data as never)
      )
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
