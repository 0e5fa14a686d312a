import { Type } from '@sinclair/typebox'
import { EXPRESS_COMPANIES } from '../../domain/shipping-companies'
import { shipCsv, type ShipInput, type ShipmentRow } from '../../domain/shipping'
import { productFields, type ProductFields, type ProductRow } from '../../domain/store'
import type { App } from '../../plugins/types'
import type { Operator } from '../../domain/operators'
import {
  AdminProduct,
  AdminProductList,
  AdminShipment,
  AdminShipmentList,
  AwaitingQueue,
  CreateProductBody,
  RetryUploadBody,
  DeliveredBody,
  ShipBody,
  ShipCsvBody,
  ShipCsvResult,
  ShipmentsQuery,
  StockBody,
  TradeManaged,
  UpdateProductBody,
  type AdminProductDto,
  type AdminShipmentDto,
  type CreateProductBodyDto,
} from '../../schemas/admin-store'
import { errorResponses, IdInteger } from '../../schemas/common'
import { iso, isoOrNull } from './views'

/** WeChat's 48 h rule: a paid order should ship within two days */
const OVERDUE_MS = 48 * 3600000
/** Room for a 1 MB CSV in JSON, its escapes and the reason */
const CSV_BODY_LIMIT = 2 * 1024 * 1024

export function shipmentView(row: ShipmentRow): AdminShipmentDto {
  return {
    orderId: row.order_id,
    company: row.express_company,
    companyName: EXPRESS_COMPANIES[row.express_company] ?? row.express_company,
    trackingNo: row.tracking_no,
    itemDesc: row.item_desc,
    status: row.status,
    attempts: row.attempts,
    wechatAnswer: row.wechat_answer,
    shippedAt: iso(row.created_at),
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    uploadedAt: isoOrNull(row.uploaded_at),
    receivedAt: isoOrNull(row.received_at),
    settledAt: isoOrNull(row.settled_at),
    deliveredAt: isoOrNull(row.delivered_at),
  }
}

const actor = (operator: Operator) => ({ id: operator.id, name: operator.name })

/** 已发货 through the one domain call the CLI uses, audited as order.ship */
export async function shipAudited(services: App['services'], operator: Operator, input: ShipInput, reason: string) {
  const shipped = await services.shipping.ship(input)
  await services.audit.record({
    operator: actor(operator),
    action: 'order.ship',
    target: `order:${input.orderId}`,
    reason,
    before: { status: 'paid' },
    after: { status: shipped.order.status, company: input.company, trackingNo: input.trackingNo },
  })
  return shipped
}

/**
 * The store's operator routes (docs/store.md#the-console): the shelf for editors, the 待发货 queue,
 * shipping, uploads and is_trade_managed for finance (admins may do both). Each is a thin layer over
 * the services `npm run admin -- product …` uses, audited the same way.
 */
export async function adminStoreRoutes(app: App): Promise<void> {
  const { services } = app
  const { store, shipping, goods, audit } = services
  const editors = ['editor' as const]
  const finance = ['finance' as const]

  const products = async (): Promise<AdminProductDto[]> => {
    const rows = await store.all()
    const sales = await store.sales(rows.map((row) => row.id))
    return rows.map(({ soldOut: _soldOut, ...row }) => ({ ...row, revenueFen: sales.get(row.id)?.revenueFen ?? 0 }))
  }
  const product = async (id: number) => {
    const found = (await products()).find((row) => row.id === id)
    if (!found) throw new Error(`product ${id} vanished`)
    return found
  }
  const fieldsOf = (body: Omit<CreateProductBodyDto, 'stock' | 'reason'>, stock: number): ProductFields => ({
    slug: body.slug,
    title: body.title,
    cover: body.cover,
    priceFen: body.priceFen,
    originalPriceFen: body.originalPriceFen,
    kind: body.kind,
    shipDate: body.shipDate,
    issuesCount: body.issuesCount,
    stock,
    limitPerReader: body.limitPerReader,
    onShelf: body.onShelf,
    sortOrder: body.sortOrder,
  })
  const audited = (row: ProductRow) => productFields(row)

  app.get(
    '/admin/store/products',
    {
      schema: {
        summary: 'Every product, on the shelf or not, with its stock, 销售 N件, 浏览 N人 and revenue (any operator)',
        tags: ['admin'],
        response: { 200: AdminProductList, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request)
      return { items: await products() }
    },
  )

  app.post(
    '/admin/store/products',
    {
      schema: {
        summary: 'Add a product, as npm run admin -- product add; audited product.add (editor, admin)',
        tags: ['admin'],
        body: CreateProductBody,
        response: { 200: AdminProduct, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, editors)
      const { reason, stock, ...body } = request.body
      const row = await store.add(fieldsOf(body, stock), Date.now())
      await audit.record({
        operator: actor(operator),
        action: 'product.add',
        target: `product:${row.id}`,
        reason,
        after: audited(row),
      })
      return product(row.id)
    },
  )

  app.put(
    '/admin/store/products/:id',
    {
      schema: {
        summary:
          'Change what a product is and whether it is on the shelf (not its stock), as product update / shelf; audited (editor, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: UpdateProductBody,
        response: { 200: AdminProduct, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, editors)
      const { reason, ...body } = request.body
      const { before, after } = await store.update(
        `#${request.params.id}`,
        (current) => fieldsOf(body, current.stock),
        Date.now(),
      )
      await audit.record({
        operator: actor(operator),
        action: before.on_shelf !== after.on_shelf ? 'product.shelf' : 'product.update',
        target: `product:${after.id}`,
        reason,
        before: audited(before),
        after: audited(after),
      })
      return product(after.id)
    },
  )

  app.post(
    '/admin/store/products/:id/stock',
    {
      schema: {
        summary:
          'Add copies to the shelf or take them off in one conditional update, never below 0 (409 STOCK_CONFLICT), as product stock; audited (editor, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: StockBody,
        response: { 200: AdminProduct, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, editors)
      const { change, reason } = request.body
      const after = await store.adjustStock(`#${request.params.id}`, change, Date.now())
      await audit.record({
        operator: actor(operator),
        action: 'product.stock',
        target: `product:${after.id}`,
        reason,
        // The stock right before this change (a checkout may have taken copies since it was read)
        before: { stock: after.stock - change },
        after: { stock: after.stock },
      })
      return product(after.id)
    },
  )

  app.get(
    '/admin/store/awaiting',
    {
      schema: {
        summary:
          '待发货: paid goods orders waiting to be shipped, oldest payment first, with the address, the 48 h mark, the short-of-stock mark and 提醒发货 count; the delivery companies and is_trade_managed (finance, admin)',
        tags: ['admin'],
        response: { 200: AwaitingQueue, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, finance)
      const [queue, managed] = await Promise.all([goods.awaitingShipment(500), shipping.tradeManaged()])
      const now = Date.now()
      return {
        items: queue.map(({ order, lines, address, short, reminders }) => ({
          orderId: order.id,
          outTradeNo: order.out_trade_no,
          userId: order.user_id,
          amountFen: order.amount_fen,
          paidAt: isoOrNull(order.paid_at),
          lines,
          address,
          overdue: order.paid_at !== null && now - order.paid_at >= OVERDUE_MS,
          short,
          reminders,
        })),
        companies: Object.entries(EXPRESS_COMPANIES).map(([code, name]) => ({ code, name })),
        tradeManaged: managed && { managed: managed.managed, checkedAt: iso(managed.checkedAt) },
      }
    },
  )

  app.post(
    '/admin/store/orders/:id/ship',
    {
      schema: {
        summary:
          '已发货: the order and its shipment in one transaction, as product ship; the shipping-upload job uploads it to WeChat; audited order.ship (finance, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: ShipBody,
        response: { 200: AdminShipment, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, finance)
      const { company, trackingNo, reason = '' } = request.body
      const input = { orderId: request.params.id, company: company.toUpperCase(), trackingNo: trackingNo.trim() }
      const { shipment } = await shipAudited(services, operator, input, reason.trim())
      return shipmentView(shipment)
    },
  )

  app.post(
    '/admin/store/ship-csv',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        summary:
          '批量发货: one "order,company,tracking" per line (≤ 1 MB, ≤ 5000 lines), as product ship-csv; a report per line, a refused line does not stop the others; each shipped order audited (finance, admin)',
        tags: ['admin'],
        body: ShipCsvBody,
        response: { 200: ShipCsvResult, 413: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, finance)
      const { csv, reason = '' } = request.body
      return shipCsv(csv, (input, where) =>
        shipAudited(services, operator, input, `${reason.trim() || '批量发货'} (${where})`),
      )
    },
  )

  app.get(
    '/admin/store/shipments',
    {
      schema: {
        summary:
          'The newest shipments, by upload status: pending, uploaded or failed, with WeChat’s answer (finance, admin)',
        tags: ['admin'],
        querystring: ShipmentsQuery,
        response: { 200: AdminShipmentList, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, finance)
      const { status, limit = 50 } = request.query
      return { items: (await shipping.recent(status, limit)).map(shipmentView) }
    },
  )

  app.post(
    '/admin/store/orders/:id/retry-upload',
    {
      schema: {
        summary:
          '重新上传: a failed shipment back in the upload queue, as product retry-upload (409 SHIPMENT_NOT_FAILED otherwise); audited order.ship_retry (finance, admin)',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: RetryUploadBody,
        response: { 200: AdminShipment, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, finance)
      const orderId = request.params.id
      const before = (await shipping.shipmentsOf([orderId])).get(orderId)
      const row = await shipping.retry(orderId)
      await audit.record({
        operator: actor(operator),
        action: 'order.ship_retry',
        target: `order:${orderId}`,
        reason: request.body.reason,
        before: { status: before?.status, wechatAnswer: before?.wechat_answer },
        after: { status: row.status },
      })
      return shipmentView(row)
    },
  )

  app.post(
    '/admin/store/orders/:id/delivered',
    {
      schema: {
        summary:
          '已签收: the parcel was delivered; WeChat reminds the reader to confirm receipt (notify_confirm_receive, once per order), as product delivered; audited order.delivered (finance, admin)',
        description:
          '409 NOT_SHIPPED before WeChat took the shipment, ALREADY_RECEIVED, ALREADY_DELIVERED, NOT_GOODS_ORDER; 400 INVALID_DELIVERY_TIME before it shipped or in the future; 503 WECHAT_BUSY when WeChat refused (nothing is recorded then).',
        tags: ['admin'],
        params: Type.Object({ id: IdInteger() }),
        body: DeliveredBody,
        response: { 200: AdminShipment, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const operator = app.requireOperator(request, finance)
      const orderId = request.params.id
      const { deliveredAt, reason } = request.body
      const row = await shipping.markDelivered(orderId, deliveredAt ? Date.parse(deliveredAt) : services.clock())
      await audit.record({
        operator: actor(operator),
        action: 'order.delivered',
        target: `order:${orderId}`,
        reason: reason ?? '',
        after: { deliveredAt: isoOrNull(row.delivered_at) },
      })
      return shipmentView(row)
    },
  )

  app.post(
    '/admin/store/trade-managed',
    {
      schema: {
        summary:
          'Ask WeChat is_trade_managed (发货信息管理) now and store the answer, as product trade-managed (finance, admin)',
        tags: ['admin'],
        response: { 200: TradeManaged, 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request, finance)
      const { managed, checkedAt } = await shipping.checkTradeManaged()
      return { managed, checkedAt: iso(checkedAt) }
    },
  )
}
