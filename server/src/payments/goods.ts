import type { Kysely, Selectable } from 'kysely'
import type { Database, OrderAddressTable, OrderRow, OrderStatus } from '../db/schema'
import { lockUser } from '../db/locks'
import { ApiError } from '../errors'
import { EXPRESS_COMPANIES } from '../domain/shipping-companies'
import type { Accounts } from '../domain/accounts'
import type { Shipping, ShipmentRow } from '../domain/shipping'
import type { GoodsOrderDetailDto, ShippingAddressDto } from '../schemas/orders'
import { takeStock } from './goods-stock'
import { ledger } from './ledger'
import type { Payments } from './payments'

/**
 * Checkout of books and magazines (docs/store.md). A goods order is a row of `orders` (kind
 * 'goods') on the WeChat Pay JSAPI rail, so the one state machine, ledger and reconciler settle it
 * exactly once; its copies are taken off the shelf when it is made (one conditional update) and go
 * back once if it closes unpaid (payments.ts close/giveUp → goods-stock.ts).
 */

/** The reserved plan every goods order names (migration 017): orders.plan_id is not null */
export const GOODS_PLAN_ID = 'goods'

/** Goods are paid with WeChat Pay JSAPI: physical goods are not virtual payment */
const GOODS_RAIL = 'wechatpay' as const

/** Statuses whose copies count against the reader's limit: everything but closed and refunded */
const HOLDING: OrderStatus[] = ['created', 'pending', 'paid', 'fulfilled', 'refunding']

export interface GoodsCheckout {
  productId: number
  quantity: number
  address: ShippingAddressDto
  platform: string
  requestKey: string
}

export interface OrderLineView {
  productId: number
  title: string
  unitPriceFen: number
  quantity: number
}

/** A goods order as the operator's 待发货 queue shows it */
export interface AwaitingShipment {
  order: OrderRow
  lines: OrderLineView[]
  address: ShippingAddressDto | null
  /** Paid after it had closed, when the copies were gone: restock or refund */
  short: boolean
  /** WeChat's 提醒发货 pushes for it (trade_manage_remind_shipping) */
  reminders: number
}

export interface GoodsOrdersDeps {
  db: Kysely<Database>
  payments: Payments
  shipping: Shipping
  /** Who pays: the buyer's openid (403 WECHAT_ACCOUNT_REQUIRED without one) */
  accounts: Pick<Accounts, 'openidOf'>
  now: () => number
}

/**
 * What a reader sees of where a goods order stands. A shipped goods order is `fulfilled`
 * (fulfilled_at: when it shipped); its shipment says whether WeChat saw it received or settled.
 */
export function goodsStage(status: OrderStatus, shipment?: ShipmentRow): GoodsOrderDetailDto['stage'] {
  if (status === 'fulfilled' && shipment)
    return shipment.settled_at !== null ? 'completed' : shipment.received_at !== null ? 'received' : 'shipped'
  switch (status) {
    case 'created':
    case 'pending':
      return 'awaiting_payment'
    case 'paid':
      return 'awaiting_shipment'
    case 'closed':
      return 'closed'
    case 'refunding':
      return 'refunding'
    case 'refunded':
      return 'refunded'
    case 'fulfilled':
      return 'completed'
  }
}

const addressView = (row: Selectable<OrderAddressTable>): ShippingAddressDto => ({
  userName: row.user_name,
  telNumber: row.tel_number,
  provinceName: row.province_name,
  cityName: row.city_name,
  countyName: row.county_name,
  detailInfo: row.detail_info,
  postalCode: row.postal_code,
})

/** What WeChat's cashier and the bill say the reader is paying for (at most 127 characters) */
const description = (title: string, quantity: number) => `${title}${quantity > 1 ? ` ×${quantity}` : ''}`.slice(0, 127)

const soldOut = (title: string, stock: number) =>
  new ApiError(409, 'SOLD_OUT', stock === 0 ? `《${title}》已售罄` : `《${title}》库存不足，仅剩 ${stock} 件`)

/** Rolls a checkout transaction back, taking its stock reservation with it */
class Rollback extends Error {}

export class GoodsOrders {
  constructor(private readonly deps: GoodsOrdersDeps) {}

  /**
   * Makes (or, for the same request key, returns) a goods order at the server's price and what
   * the client pays it with. The copies are reserved in the same transaction, with one conditional
   * update: 409 SOLD_OUT when there are not enough, 409 LIMIT_EXCEEDED past the reader's limit.
   */
  async checkout(userId: number, input: GoodsCheckout) {
    const { db, payments, now: clock } = this.deps
    if (!payments.railOf(GOODS_RAIL))
      throw new ApiError(503, 'PAYMENT_UNAVAILABLE', '微信支付暂未开通，暂时不能购买图书，敬请期待')
    const openid = await this.deps.accounts.openidOf(userId, 'buying')

    const existing = await this.byRequestKey(userId, input)
    if (existing) return { ...(await payments.payable(existing.order, existing.description)), timing: null }

    // Most checkouts of a book that sold out are refused here, without a write or a lock; the
    // conditional update below stays the one that decides.
    const shelf = await db
      .selectFrom('products')
      .select(['title', 'stock', 'on_shelf'])
      .where('id', '=', input.productId)
      .executeTakeFirst()
    if (shelf?.on_shelf === 1 && shelf.stock < input.quantity) {
      // A double tap whose twin took the last copies since the look above has its twin's order.
      const twin = await this.byRequestKey(userId, input)
      if (twin) return { ...(await payments.payable(twin.order, twin.description)), timing: null }
      throw soldOut(shelf.title, shelf.stock)
    }

    const now = clock()
    let made: { order: OrderRow; description: string } | undefined
    let began = 0
    try {
      made = await db.transaction().execute(async (trx) => {
        began = performance.now()
        // One checkout per reader at a time: the limit below counts what the reader already holds.
        await lockUser(trx, userId)
        // A double tap whose twin got the lock first: the twin's order is the answer, not a refusal.
        const twin = await trx
          .selectFrom('orders')
          .select('id')
          .where('user_id', '=', userId)
          .where('request_key', '=', input.requestKey)
          .executeTakeFirst()
        if (twin) throw new Rollback()
        const product = await trx
          .selectFrom('products')
          .selectAll()
          .where('id', '=', input.productId)
          .executeTakeFirst()
        if (!product) throw new ApiError(404, 'PRODUCT_NOT_FOUND', `没有编号为 ${input.productId} 的商品`)
        if (product.on_shelf !== 1) throw new ApiError(409, 'PRODUCT_OFF_SHELF', `《${product.title}》已下架`)
        const held = await trx
          .selectFrom('order_lines')
          .innerJoin('orders', 'orders.id', 'order_lines.order_id')
          .select((eb) => eb.fn.sum<number | string | null>('order_lines.quantity').as('held'))
          .where('orders.user_id', '=', userId)
          .where('order_lines.product_id', '=', product.id)
          .where('orders.status', 'in', HOLDING)
          .executeTakeFirst()
        const holding = Number(held?.held ?? 0)
        if (holding + input.quantity > product.limit_per_reader) {
          throw new ApiError(
            409,
            'LIMIT_EXCEEDED',
            holding > 0
              ? `每人限购 ${product.limit_per_reader} 件，你已购买或待支付 ${holding} 件`
              : `每人限购 ${product.limit_per_reader} 件`,
          )
        }
        const amount = product.price_fen * input.quantity
        const order = await trx
          .insertInto('orders')
          .values(
            payments.newOrder(
              {
                user_id: userId,
                plan_id: GOODS_PLAN_ID,
                months: 0,
                amount_fen: amount,
                rail: GOODS_RAIL,
                openid,
                platform: input.platform,
                request_key: input.requestKey,
                kind: 'goods',
                stock_held: 1,
              },
              now,
            ),
          )
          .onConflict((oc) => oc.columns(['user_id', 'request_key']).doNothing())
          .returningAll()
          .executeTakeFirst()
        // The same key made an order meanwhile (only without the lock's help): that order is the answer.
        if (!order) throw new Rollback()
        await trx
          .insertInto('order_lines')
          .values({
            order_id: order.id,
            product_id: product.id,
            title: product.title,
            unit_price_fen: product.price_fen,
            quantity: input.quantity,
          })
          .execute()
        const address = input.address
        await trx
          .insertInto('order_addresses')
          .values({
            order_id: order.id,
            user_name: address.userName.trim(),
            tel_number: address.telNumber,
            province_name: address.provinceName.trim(),
            city_name: address.cityName.trim(),
            county_name: address.countyName.trim(),
            detail_info: address.detailInfo.trim(),
            postal_code: address.postalCode,
          })
          .execute()
        await ledger(
          trx,
          {
            orderId: order.id,
            userId,
            event: 'order_created',
            amountFen: amount,
            source: 'client',
            detail: `${product.slug} ×${input.quantity} at ${product.price_fen} fen via ${GOODS_RAIL}`,
          },
          now,
        )
        // Last, so the product's row stays locked (PostgreSQL) only from here to the commit: no row
        // means too few copies, and everything above is rolled back with the refusal.
        if (!(await takeStock(trx, product.id, input.quantity, true))) {
          const left = await trx.selectFrom('products').select('stock').where('id', '=', product.id).executeTakeFirst()
          throw soldOut(product.title, left?.stock ?? 0)
        }
        return { order, description: description(product.title, input.quantity) }
      })
    } catch (error) {
      if (!(error instanceof Rollback)) throw error
    }
    // From the transaction's first statement to its commit: the order, its line and address, the ledger row and the copies
    const creationMs = began === 0 ? 0 : performance.now() - began
    const result = made ?? (await this.byRequestKey(userId, input))
    if (!result) throw new Error('a goods order vanished after its request key was taken')
    const paying = performance.now()
    const payable = await payments.payable(result.order, result.description)
    return { ...payable, timing: { creationMs, paymentMs: performance.now() - paying } }
  }

  /** The reader's order for this request key, when there is one; 409 when the key was used for something else */
  private async byRequestKey(
    userId: number,
    input: GoodsCheckout,
  ): Promise<{ order: OrderRow; description: string } | undefined> {
    const order = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('request_key', '=', input.requestKey)
      .executeTakeFirst()
    if (!order) return undefined
    const [line] =
      order.kind === 'goods'
        ? await this.deps.db.selectFrom('order_lines').selectAll().where('order_id', '=', order.id).execute()
        : []
    if (!line || line.product_id !== input.productId || line.quantity !== input.quantity)
      throw new ApiError(409, 'REQUEST_KEY_REUSED', 'this request key was used for another order')
    return { order, description: description(line.title, line.quantity) }
  }

  /** Lines and address of each goods order among these (VIP orders are left out) */
  async details(orders: OrderRow[]): Promise<Map<number, GoodsOrderDetailDto>> {
    const ids = orders.filter((order) => order.kind === 'goods').map((order) => order.id)
    const details = new Map<number, GoodsOrderDetailDto>()
    if (ids.length === 0) return details
    const [lines, addresses, shipments] = await Promise.all([
      this.deps.db.selectFrom('order_lines').selectAll().where('order_id', 'in', ids).orderBy('id').execute(),
      this.deps.db.selectFrom('order_addresses').selectAll().where('order_id', 'in', ids).execute(),
      this.deps.shipping.shipmentsOf(ids),
    ])
    for (const order of orders) {
      if (order.kind !== 'goods') continue
      const shipment = shipments.get(order.id)
      details.set(order.id, {
        stage: goodsStage(order.status, shipment),
        lines: [],
        address: null,
        shipment: shipment
          ? {
              company: shipment.express_company,
              companyName: EXPRESS_COMPANIES[shipment.express_company] ?? shipment.express_company,
              trackingNo: shipment.tracking_no,
              shippedAt: shipment.created_at,
              receivedAt: shipment.received_at,
            }
          : null,
      })
    }
    for (const line of lines) {
      details.get(line.order_id)?.lines.push({
        productId: line.product_id,
        title: line.title,
        unitPriceFen: line.unit_price_fen,
        quantity: line.quantity,
      })
    }
    for (const address of addresses) {
      const detail = details.get(address.order_id)
      if (detail) detail.address = addressView(address)
    }
    return details
  }

  /**
   * 申请退款: the reader's own goods order, refunded in full while it waits to be shipped (its copies go
   * back once WeChat Pay confirms). Once shipped the parcel is on its way, and a refund is the
   * publisher's call (customer service, the console).
   */
  async requestRefund(userId: number, orderId: number): Promise<OrderRow> {
    const order = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .where('user_id', '=', userId)
      .where('kind', '=', 'goods')
      .executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', '订单不存在')
    if (order.status === 'fulfilled') throw new ApiError(409, 'ALREADY_SHIPPED', '订单已发货，如需退款请联系客服')
    if (order.status !== 'paid')
      throw new ApiError(409, 'ORDER_NOT_REFUNDABLE', '该订单不能申请退款（未支付、退款中或已退款）')
    return this.deps.payments.refund(order.id, '读者申请退款（未发货）', undefined, 'client')
  }

  /** 待发货: paid goods orders waiting to be shipped, oldest first (the 48 h rule runs from payment) */
  async awaitingShipment(limit = 100): Promise<AwaitingShipment[]> {
    const orders = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('kind', '=', 'goods')
      .where('status', '=', 'paid')
      .orderBy('paid_at')
      .orderBy('id')
      .limit(limit)
      .execute()
    const ids = orders.map((order) => order.id)
    const [details, reminders] = await Promise.all([
      this.details(orders),
      ids.length === 0
        ? []
        : this.deps.db
            .selectFrom('shipping_reminders')
            .select(['order_id', 'count'])
            .where('order_id', 'in', ids)
            .execute(),
    ])
    const reminded = new Map(reminders.map((row) => [row.order_id, row.count]))
    return orders.map((order) => {
      const detail = details.get(order.id)
      return {
        order,
        lines: detail?.lines ?? [],
        address: detail?.address ?? null,
        short: order.stock_held === 0,
        reminders: reminded.get(order.id) ?? 0,
      }
    })
  }
}
