import { Type } from '@sinclair/typebox'
import { notFound } from '../../errors'
import { cursorPage, decodeCursor } from '../../infra/cursor'
import type { App } from '../../plugins/types'
import { AdminOrderDetail, AdminOrderPage, AdminOrdersQuery, RefundBody } from '../../schemas/admin'
import { errorResponses, IdInteger } from '../../schemas/common'
import { dayRange } from './exports'
import type { OrderRow } from '../../payments/payments'
import { shipmentView } from './store'
import { iso, ledgerView, orderView } from './views'

/** Orders for finance: the list, one order with its ledger, and refunds (as npm run admin -- refund). */
export async function adminOrderRoutes(app: App): Promise<void> {
  const { services } = app
  const { payments, audit } = services
  const roles = ['finance' as const]

  /** A goods order's parcel: lines, address, its shipment as WeChat took it, and what a refund may ask */
  const goodsOf = async (order: OrderRow) => {
    if (order.kind !== 'goods') return null
    const [details, shipments] = await Promise.all([
      services.goods.details([order]),
      services.shipping.shipmentsOf([order.id]),
    ])
    const detail = details.get(order.id)
    const shipment = shipments.get(order.id)
    return {
      stage: detail?.stage ?? 'awaiting_payment',
      lines: detail?.lines ?? [],
      address: detail?.address ?? null,
      shipment: shipment ? shipmentView(shipment) : null,
      refundableFen: order.amount_fen - order.refunded_fen,
      partialRefund: order.status === 'fulfilled',
    }
  }

  const detail = async (id: number) => {
    const order = await payments.findOrder(id)
    if (!order) throw notFound('ORDER_NOT_FOUND', `there is no order ${id}`)
    const [names, ledger, notifications, goods, titles] = await Promise.all([
      payments.planNames(),
      payments.ledgerOf({ orderId: id }),
      services.adminReports.notificationsOf(id),
      goodsOf(order),
      services.courses.titles([order]),
    ])
    return {
      order: orderView(order, names, titles),
      ...(goods ? { goods } : {}),
      ledger: ledger.map(ledgerView),
      notifications: notifications.map((row) => ({ ...row, receivedAt: iso(row.receivedAt) })),
    }
  }

  app.get(
    '/admin/orders',
    {
      schema: {
        summary:
          'Orders, newest first, by status, rail, plan, reader and Asia/Shanghai days from/to, with cursor paging (finance, admin)',
        tags: ['admin'],
        querystring: AdminOrdersQuery,
        response: { 200: AdminOrderPage, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, roles)
      const { status, rail, userId, planId, from, to, cursor, limit = 50 } = request.query
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      const [rows, names] = await Promise.all([
        payments.listOrders({
          status,
          rail,
          userId,
          planId,
          ...dayRange(from, to),
          limit: limit + 1,
          before: after && { createdAt: after.publishedAt, id: after.id },
        }),
        payments.planNames(),
      ])
      const titles = await services.courses.titles(rows)
      return cursorPage(
        rows,
        limit,
        (row) => row.created_at,
        (row) => orderView(row, names, titles),
      )
    },
  )

  app.get(
    '/admin/orders/:id',
    {
      schema: {
        summary:
          'One order with its ledger rows and the notifications WeChat sent about it, newest first (finance, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        response: { 200: AdminOrderDetail, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, roles)
      return detail(request.params.id)
    },
  )

  app.post(
    '/admin/orders/:id/refund',
    {
      schema: {
        summary:
          'Refund of what is left of a fulfilled order, as npm run admin -- refund; a goods order in full before shipping, any amountFen up to what is left after (docs/store.md); a refusal by the rail comes back in refundFailure (finance, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: RefundBody,
        response: { 200: AdminOrderDetail, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, roles)
      const { id } = request.params
      const { reason, amountFen } = request.body
      const before = await payments.findOrder(id)
      if (!before) throw notFound('ORDER_NOT_FOUND', `there is no order ${id}`)
      const after = await payments.refund(id, reason, amountFen)
      await audit.record({
        operator: { id: operator.id, name: operator.name },
        action: 'order.refund',
        target: `order:${id}`,
        reason,
        before: { status: before.status, refundedFen: before.refunded_fen },
        after: {
          status: after.status,
          refundedFen: after.refunded_fen,
          askedFen: amountFen ?? 'all that is left',
          refundFailure: after.refund_failure,
        },
      })
      return detail(id)
    },
  )
}
