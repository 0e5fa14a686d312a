import type { OrderRow } from '../payments/payments'
import type { App } from '../plugins/types'
import { viewerKey } from '../plugins/viewer-key'
import { errorResponses } from '../schemas/common'
import { CreateOrderResult, Order } from '../schemas/orders'
import { CreateGoodsOrderBody, Product, ProductList, ProductParams } from '../schemas/store'
import { orderView } from './orders'

/** The store's books and magazines and their checkout (docs/store.md) */
export async function storeRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { store, goods, shipping, throttles } = services

  app.get(
    '/store/products',
    {
      schema: {
        summary: 'Books and magazines on the shelf, with prices, stock, 销售 and 浏览 counts',
        tags: ['store'],
        response: { 200: ProductList, ...errorResponses },
      },
    },
    async () => ({ items: await store.list() }),
  )

  app.get(
    '/store/products/:id',
    {
      schema: {
        summary: 'One product on the shelf; counts one view per viewer and day (浏览 N人)',
        tags: ['store'],
        security: [{ bearer: [] }, {}],
        params: ProductParams,
        response: { 200: Product, ...errorResponses },
      },
    },
    async (request) => store.detail(request.params.id, viewerKey(request), now()),
  )

  app.post(
    '/store/orders',
    {
      schema: {
        summary: 'Order copies of a product shipped to an address; the server sets the price and reserves the stock',
        description:
          'Paid with WeChat Pay JSAPI (`payment.wechatpay` goes to wx.requestPayment). The copies are reserved at once: 409 SOLD_OUT when there are not enough, 409 LIMIT_EXCEEDED past the limit per reader (unpaid orders count until they close), 409 PRODUCT_OFF_SHELF, 404 PRODUCT_NOT_FOUND. The same `requestKey` returns the same order; an unpaid order closes after ORDER_EXPIRE_MINUTES and its copies go back.',
        tags: ['store'],
        security: [{ bearer: [] }],
        body: CreateGoodsOrderBody,
        response: { 200: CreateOrderResult, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId } = app.requireSession(request)
      await throttles.hit('orders', userId, now())
      const { order, payment, timing } = await goods.checkout(userId, request.body)
      // Server-Timing: how long making the order took (its transaction) and asking WeChat Pay, apart
      // from waiting in queues; bench:store reads it.
      if (timing)
        reply.header(
          'server-timing',
          `order;dur=${timing.creationMs.toFixed(2)};desc="order and stock", pay;dur=${timing.paymentMs.toFixed(2)};desc="WeChat Pay"`,
        )
      const details = await goods.details([order])
      return { order: orderView(order, new Map(), details), payment }
    },
  )

  /** A reader's action on one of their goods orders: throttled like checkouts, answered with the order */
  const orderAction = (
    path: string,
    summary: string,
    description: string,
    act: (userId: number, orderId: number) => Promise<OrderRow>,
  ) =>
    app.post(
      path,
      {
        schema: {
          summary,
          description,
          tags: ['store'],
          security: [{ bearer: [] }],
          params: ProductParams,
          response: { 200: Order, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
        },
      },
      async (request) => {
        const { userId } = app.requireSession(request)
        await throttles.hit('orders', userId, now())
        const order = await act(userId, request.params.id)
        return orderView(order, new Map(), await goods.details([order]))
      },
    )

  orderAction(
    '/store/orders/:id/refund',
    '申请退款: the reader refunds their own goods order in full while it waits to be shipped',
    "The order goes to refunding at once; WeChat Pay refunds what was paid and its copies go back on the shelf when the refund is confirmed. 409 ALREADY_SHIPPED once shipped (a refund is then the publisher's call), 409 ORDER_NOT_REFUNDABLE when unpaid, refunding or refunded, 404 ORDER_NOT_FOUND for another reader's order or a VIP order.",
    (userId, orderId) => goods.requestRefund(userId, orderId),
  )

  orderAction(
    '/store/orders/:id/confirm-receipt',
    '确认收货: marks a shipped goods order received once WeChat says so (get_order), never on the client alone',
    "Call after WeChat's confirm-receipt component (openBusinessView weappOrderConfirm). 409 NOT_RECEIVED while WeChat's order_state is not received, 409 NOT_SHIPPED before shipping, 409 NOT_GOODS_ORDER for a VIP order, 404 ORDER_NOT_FOUND for another reader's order, 503 WECHAT_BUSY when WeChat cannot be asked.",
    (userId, orderId) => shipping.confirmReceipt(userId, orderId),
  )
}
