import { Type } from '@sinclair/typebox'
import { preselectedPlan } from '../domain/site-settings'
import type { OrderRow } from '../payments/payments'
import type { App } from '../plugins/types'
import { errorResponses, IdInteger } from '../schemas/common'
import {
  CreateOrderBody,
  CreateOrderResult,
  Order,
  OrderList,
  PlansQuery,
  PlansWithPurchase,
  type GoodsOrderDetailDto,
  type OrderDto,
} from '../schemas/orders'

/** Reading a pending order asks the rail at most this often. */
const QUERY_AT_MOST_EVERY_MS = 2000

/** An order as its reader sees it; goods orders with their lines and address (services.goods.details) */
export function orderView(
  order: OrderRow,
  names: Map<string, string>,
  goods: Map<number, GoodsOrderDetailDto>,
  /** Course titles by id, for course orders (services.courses.titles) */
  courses: Map<number, string> = new Map(),
): OrderDto {
  const detail = goods.get(order.id)
  const courseTitle = order.course_id === null ? undefined : courses.get(order.course_id)
  return {
    id: order.id,
    outTradeNo: order.out_trade_no,
    planId: order.plan_id,
    planName: names.get(order.plan_id) ?? order.plan_id,
    months: order.months,
    amountFen: order.amount_fen,
    rail: order.rail,
    status: order.status,
    createdAt: new Date(order.created_at).toISOString(),
    paidAt: order.paid_at === null ? null : new Date(order.paid_at).toISOString(),
    expiresAt: new Date(order.expires_at).toISOString(),
    kind: order.kind,
    ...(detail ? { goods: detail } : {}),
    ...(order.course_id !== null && courseTitle !== undefined
      ? { course: { id: order.course_id, title: courseTitle } }
      : {}),
  }
}

export async function orderRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { catalog, courses, funnel, goods, payments, throttles } = services
  const secured = { tags: ['orders'], security: [{ bearer: [] }] }

  const planNames = () => payments.planNames()
  const view = async (order: OrderRow, names: Map<string, string>): Promise<OrderDto> => {
    const [details, titles] = await Promise.all([goods.details([order]), courses.titles([order])])
    return orderView(order, names, details, titles)
  }

  app.get(
    '/plans',
    {
      schema: {
        summary: 'VIP plans on sale (prices set by the server, fen) and whether this platform may buy them',
        tags: ['membership'],
        querystring: PlansQuery,
        response: { 200: PlansWithPurchase, ...errorResponses },
      },
    },
    async (request) => {
      const [{ plans }, settings] = await Promise.all([catalog.get(), services.settings.get(now())])
      return {
        items: plans,
        preselected: preselectedPlan(plans, settings.preselectedPlan),
        purchase: payments.purchaseFor(request.query.platform ?? 'other'),
      }
    },
  )

  app.post(
    '/orders',
    {
      schema: {
        ...secured,
        summary: 'Create an order for a plan; the server sets the price. Returns what the client pays with',
        description:
          '`source` names the issue (and share code and launch scene) the reader bought from, for the paywall funnel: the issue must exist (404 ISSUE_NOT_FOUND), a share code nobody has is stored as none, and the price never depends on it.',
        body: CreateOrderBody,
        response: {
          200: CreateOrderResult,
          409: errorResponses[400],
          503: errorResponses[500],
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      const at = now()
      await throttles.hit('orders', userId, at)
      const { source } = request.body
      const { order, payment } = await payments.createOrder(
        userId,
        request.body.planId,
        request.body.platform,
        request.body.requestKey,
        source ? await funnel.orderSource(source, userId, at) : undefined,
      )
      return { order: await view(order, await planNames()), payment }
    },
  )

  app.get(
    '/orders',
    {
      schema: {
        ...secured,
        summary: "The reader's orders, newest first",
        response: { 200: OrderList, ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      const rows = await payments.ordersOf(userId)
      const [names, details, titles] = await Promise.all([planNames(), goods.details(rows), courses.titles(rows)])
      return { items: rows.map((row) => orderView(row, names, details, titles)) }
    },
  )

  app.post(
    '/orders/:id/pay',
    {
      schema: {
        ...secured,
        summary: '继续支付: what the client pays a pending order of its own with, again',
        description:
          'Same order, same price and rail. 409 ORDER_NOT_PAYABLE once it is paid, closed or expired: then only a new order can be paid.',
        params: Type.Object({ id: IdInteger() }),
        response: { 200: CreateOrderResult, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      await throttles.hit('orders', userId, now())
      const { order, payment } = await payments.resumePayment(await payments.orderOf(userId, request.params.id))
      return { order: await view(order, await planNames()), payment }
    },
  )

  app.post(
    '/orders/:id/cancel',
    {
      schema: {
        ...secured,
        summary:
          'Give up on a pending order: checked with the rail first (a payment that went through is kept), then closed',
        params: Type.Object({ id: IdInteger() }),
        response: { 200: Order, 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      const order = await payments.orderOf(userId, request.params.id)
      return view(await payments.cancel(order), await planNames())
    },
  )

  app.get(
    '/orders/:id',
    {
      schema: {
        ...secured,
        summary: 'One order; a pending one is first checked with the payment rail',
        params: Type.Object({ id: IdInteger() }),
        response: { 200: Order, ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      let order = await payments.orderOf(userId, request.params.id)
      const at = now()
      if (
        order.status === 'pending' &&
        (order.last_queried_at === null || at - order.last_queried_at >= QUERY_AT_MOST_EVERY_MS)
      ) {
        order = await payments.check(order, 'query')
      }
      return view(order, await planNames())
    },
  )
}
