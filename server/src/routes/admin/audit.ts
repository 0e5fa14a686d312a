import type { App } from '../../plugins/types'
import { AuditPage, AuditQuery } from '../../schemas/admin'
import { errorResponses } from '../../schemas/common'
import { iso } from './views'

export async function adminAuditRoutes(app: App): Promise<void> {
  const { audit } = app.services

  app.get(
    '/admin/audit',
    {
      schema: {
        summary: 'The audit trail: what operators did, newest first (admin)',
        tags: ['admin'],
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, ['admin'])
      const page = await audit.list(request.query)
      return {
        items: page.items.map((item) => ({ ...item, createdAt: iso(item.createdAt) })),
        nextCursor: page.nextCursor,
      }
    },
  )
}
