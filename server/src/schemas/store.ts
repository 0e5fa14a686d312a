import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'
import { Platform, ShippingAddress } from './orders'

/** Most copies of one product one order may hold (the product's own limit per reader is usually lower) */
export const MAX_ORDER_QUANTITY = 99

export const ProductKind = Type.Union(
  [Type.Literal('in_stock'), Type.Literal('preorder'), Type.Literal('subscription')],
  {
    description: 'in_stock 现货, preorder 预售 (ships on shipDate), subscription 预定 (issuesCount issues over months)',
  },
)

export const Product = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  /** An https URL or a path under this API */
  cover: Nullable(Type.String()),
  priceFen: Type.Integer(),
  /** 原价, struck through; null when there is none */
  originalPriceFen: Nullable(Type.Integer()),
  kind: ProductKind,
  /** When a preorder is expected to ship (Asia/Shanghai YYYY-MM-DD); null for other kinds */
  shipDate: Nullable(Type.String()),
  /** How many issues a subscription ships; null for other kinds */
  issuesCount: Nullable(Type.Integer()),
  /** Copies left to order now (held by unpaid orders not counted) */
  stock: Type.Integer(),
  soldOut: Type.Boolean(),
  limitPerReader: Type.Integer(),
  /** 销售 N件: copies in paid orders, refunded ones not counted */
  sold: Type.Integer(),
  /** 浏览 N人: viewers, one per viewer and day */
  views: Type.Integer(),
})
export type ProductDto = Static<typeof Product>

export const ProductList = Type.Object({ items: Type.Array(Product) })

export const ProductParams = Type.Object({ id: IdInteger() })

export const CreateGoodsOrderBody = Type.Object(
  {
    productId: IdInteger(),
    quantity: BoundedInteger({ minimum: 1, maximum: MAX_ORDER_QUANTITY }),
    address: ShippingAddress,
    platform: Platform,
    /** Made once per purchase attempt by the client: a double tap sends the same key and gets the same order */
    requestKey: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
)
