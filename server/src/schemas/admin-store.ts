import { Type, type Static } from '@sinclair/typebox'
import { MAX_LIMIT_PER_READER, MAX_PRICE_FEN, MAX_STOCK } from '../domain/store'
import { BoundedInteger, Nullable } from './common'
import { GoodsStage, OrderLine, ShippingAddress } from './orders'
import { Product, ProductKind } from './store'

/** Schemas of the console's store routes (/api/admin/store/*; docs/api.md#operator-console, docs/store.md). */

/** A CSV of tracking numbers: a day's parcels, with room (domain/shipping.ts reads it) */
export const MAX_SHIP_CSV_BYTES = 1_000_000
export const MAX_SHIP_CSV_LINES = 5000
/** WeChat's longest tracking number */
export const MAX_TRACKING_NO = 64

const Time = Type.String({ description: 'ISO 8601, UTC' })
const Reason = Type.String({ minLength: 1, maxLength: 200, description: 'Why, in the operator’s words' })
const Fen = BoundedInteger({ minimum: 1, maximum: MAX_PRICE_FEN })

/** A product as the shelf shows it (without soldOut), with what only the operator sees */
export const AdminProduct = Type.Composite([
  Type.Omit(Product, ['soldOut']),
  Type.Object({
    onShelf: Type.Boolean(),
    sortOrder: Type.Integer(),
    /** What paid orders of it brought, less refunds */
    revenueFen: Type.Integer(),
  }),
])
export type AdminProductDto = Static<typeof AdminProduct>

export const AdminProductList = Type.Object({ items: Type.Array(AdminProduct) })

/** What the operator sets on a product; the stock only when adding it (then by +n/−n) */
const PRODUCT_FIELDS = {
  slug: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' }),
  title: Type.String({ minLength: 1, maxLength: 100 }),
  cover: Nullable(Type.String({ minLength: 1, maxLength: 300 })),
  priceFen: Fen,
  originalPriceFen: Nullable(Fen),
  kind: ProductKind,
  shipDate: Nullable(Type.String({ minLength: 10, maxLength: 10, pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
  issuesCount: Nullable(BoundedInteger({ minimum: 1, maximum: 120 })),
  limitPerReader: BoundedInteger({ minimum: 1, maximum: MAX_LIMIT_PER_READER }),
  onShelf: Type.Boolean(),
  sortOrder: BoundedInteger({ minimum: -1_000_000, maximum: 1_000_000 }),
  reason: Reason,
}

export const CreateProductBody = Type.Object(
  { ...PRODUCT_FIELDS, stock: BoundedInteger({ minimum: 0, maximum: MAX_STOCK }) },
  { additionalProperties: false },
)
export type CreateProductBodyDto = Static<typeof CreateProductBody>

export const UpdateProductBody = Type.Object(PRODUCT_FIELDS, { additionalProperties: false })

export const StockBody = Type.Object(
  {
    /** Copies added (> 0) or taken off (< 0), in one conditional update: never below 0 */
    change: BoundedInteger({ minimum: -MAX_STOCK, maximum: MAX_STOCK }),
    reason: Reason,
  },
  { additionalProperties: false },
)

export const ShipmentStatus = Type.Union([Type.Literal('pending'), Type.Literal('uploaded'), Type.Literal('failed')], {
  description: 'pending: the job will upload it; uploaded: WeChat has it; failed: WeChat refused it (重新上传)',
})

export const AdminShipment = Type.Object({
  orderId: Type.Integer(),
  company: Type.String(),
  companyName: Type.String(),
  trackingNo: Type.String(),
  itemDesc: Type.String(),
  status: ShipmentStatus,
  attempts: Type.Integer(),
  /** WeChat's last answer to upload_shipping_info ("ok", or its errcode and errmsg) */
  wechatAnswer: Nullable(Type.String()),
  shippedAt: Time,
  nextAttemptAt: Nullable(Time),
  uploadedAt: Nullable(Time),
  receivedAt: Nullable(Time),
  settledAt: Nullable(Time),
  /** 已签收: when the operator said it was delivered (WeChat then reminds the reader to confirm receipt) */
  deliveredAt: Nullable(Time),
})
export type AdminShipmentDto = Static<typeof AdminShipment>

export const ShipmentsQuery = Type.Object(
  {
    status: Type.Optional(ShipmentStatus),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)

export const AdminShipmentList = Type.Object({ items: Type.Array(AdminShipment) })

export const TradeManaged = Type.Object({ managed: Type.Boolean(), checkedAt: Time })

export const AwaitingQueue = Type.Object({
  items: Type.Array(
    Type.Object({
      orderId: Type.Integer(),
      outTradeNo: Type.String(),
      userId: Type.Integer(),
      amountFen: Type.Integer(),
      paidAt: Nullable(Time),
      lines: Type.Array(OrderLine),
      address: Nullable(ShippingAddress),
      /** Paid 48 h ago or more: WeChat's rule for shipping */
      overdue: Type.Boolean(),
      /** Paid after it had closed, when the copies were gone: restock or refund */
      short: Type.Boolean(),
      /** WeChat's 提醒发货 pushes for it */
      reminders: Type.Integer(),
    }),
  ),
  /** WeChat's delivery companies this server knows, code and Chinese name */
  companies: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
  /** The last answer of is_trade_managed (发货信息管理), or null when never asked */
  tradeManaged: Nullable(TradeManaged),
})

export const ShipBody = Type.Object(
  {
    company: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z]+$' }),
    trackingNo: Type.String({ minLength: 1, maxLength: MAX_TRACKING_NO }),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const ShipCsvBody = Type.Object(
  {
    /** "order,company,tracking" per line; a header line starting with "order" is skipped */
    csv: Type.String({ minLength: 1, maxLength: MAX_SHIP_CSV_BYTES }),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const ShipCsvResult = Type.Object({
  shipped: Type.Integer(),
  refused: Type.Integer(),
  lines: Type.Array(
    Type.Object({
      line: Type.Integer(),
      orderId: Nullable(Type.Integer()),
      company: Nullable(Type.String()),
      trackingNo: Nullable(Type.String()),
      shipped: Type.Boolean(),
      code: Nullable(Type.String()),
      message: Type.String(),
    }),
  ),
})

export const RetryUploadBody = Type.Object({ reason: Reason }, { additionalProperties: false })

export const DeliveredBody = Type.Object(
  {
    /** When the courier delivered it (ISO 8601); now when left out */
    deliveredAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    reason: Type.Optional(Reason),
  },
  { additionalProperties: false },
)

/** A goods order's parcel in the console's order detail */
export const AdminGoods = Type.Object({
  stage: GoodsStage,
  lines: Type.Array(OrderLine),
  address: Nullable(ShippingAddress),
  shipment: Nullable(AdminShipment),
  /** The most a refund may ask now: all that is left (before shipping only all of it) */
  refundableFen: Type.Integer(),
  /** Before shipping a refund is all that is left; after, any amount up to it */
  partialRefund: Type.Boolean(),
})
