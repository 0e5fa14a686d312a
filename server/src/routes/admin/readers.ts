import { Type } from '@sinclair/typebox'
import { badRequest } from '../../errors'
import type { App } from '../../plugins/types'
import { ReaderDetail, ReaderList, ReadersQuery, VipBody, VipResult } from '../../schemas/admin'
import { errorResponses, IdInteger } from '../../schemas/common'
import { isoOrNull, iso, ledgerView, orderView, readerView } from './views'

/** Ledger events that change a reader's VIP period */
const VIP_EVENTS = ['vip_granted', 'vip_revoked', 'fulfilled', 'refunded', 'partially_refunded'] as const

/** Readers: search and one reader for every role; VIP grants and revocations for finance and admin. */
export async function adminReaderRoutes(app: App): Promise<void> {
  const { services } = app
  const { readers, payments, audit } = services
  const now = services.clock

  app.get(
    '/admin/readers',
    {
      schema: {
        summary:
          'Find readers by #id, a nickname fragment, the last 4+ digits of a phone or a share code (at most 50; phones masked unless admin)',
        tags: ['admin'],
        querystring: ReadersQuery,
        response: { 200: ReaderList, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request)
      const at = now()
      const rows = await readers.search(request.query.q)
      return { items: rows.map((row) => readerView(row, operator.role, at)) }
    },
  )

  app.get(
    '/admin/readers/:id',
    {
      schema: {
        summary: 'One reader: membership, VIP history (ledger) and orders',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        response: { 200: ReaderDetail, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request)
      const { id } = request.params
      const reader = await readers.reader(id)
      const [history, orders, names] = await Promise.all([
        payments.ledgerOf({ userId: id, events: [...VIP_EVENTS], limit: 200 }),
        payments.listOrders({ userId: id, limit: 100 }),
        payments.planNames(),
      ])
      const titles = await services.courses.titles(orders)
      return {
        reader: { ...readerView(reader, operator.role, now()), shareCode: reader.shareCode },
        vipHistory: history.map(ledgerView),
        orders: orders.map((order) => orderView(order, names, titles)),
      }
    },
  )

  app.post(
    '/admin/readers/:id/vip',
    {
      schema: {
        summary:
          'Give VIP days, or take them back with negative days (never below now), as npm run admin -- grant-vip / revoke-vip (finance, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: VipBody,
        response: { 200: VipResult, ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, ['finance'])
      const { id } = request.params
      const { days, reason } = request.body
      if (days === 0)
        throw badRequest('INVALID_BODY', 'body/days must not be 0: give days (positive) or take them back (negative)')
      const change = await readers.grantVip(id, days, reason, now())
      // This process's cached viewers go at once; other replicas hear it on the change feed.
      services.announce('membership')
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'reader.vip',
        target: `reader:${id}`,
        reason,
        before: { expiresAt: isoOrNull(change.before) },
        after: { expiresAt: iso(change.after), days },
      })
      return {
        reader: readerView(await readers.reader(id), operator.role, now()),
        before: isoOrNull(change.before),
        after: iso(change.after),
      }
    },
  )
}
