import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'
import { OrderSourceBody } from './funnel'
import { Plan } from './plans'

export const Platform = Type.Union(
  ['ios', 'android', 'devtools', 'windows', 'mac', 'ohos', 'h5', 'other'].map((name) => Type.Literal(name)),
  { description: 'wx.getDeviceInfo().platform, or h5' },
)

export const OrderStatus = Type.Union(
  ['created', 'pending', 'paid', 'fulfilled', 'closed', 'refunding', 'refunded'].map((name) => Type.Literal(name)),
)

export const Order = Type.Object({
  id: Type.Integer(),
  outTradeNo: Type.String(),
  planId: Type.String(),
  planName: Type.String(),
  months: Type.Integer(),
  amountFen: Type.Integer(),
  rail: Type.Union([Type.Literal('xpay'), Type.Literal('wechatpay')]),
  status: OrderStatus,
  createdAt: Type.String(),
  paidAt: Nullable(Type.String()),
  /** Until when the order can be paid */
  expiresAt: Type.String(),
})
export type OrderDto = Static<typeof Order>

export const CreateOrderBody = Type.Object(
  {
    planId: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9_]+$' }),
    platform: Platform,
    /** Made once per purchase attempt by the client: a double tap sends the same key and gets the same order */
    requestKey: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    /** The issue (and share, and launch scene) the reader bought from, for the funnel; never changes the price */
    source: Type.Optional(OrderSourceBody),
  },
  { additionalProperties: false },
)

export const XpayParams = Type.Object({
  mode: Type.Literal('short_series_goods'),
  signData: Type.String(),
  paySig: Type.String(),
  signature: Type.String(),
})

export const RequestPaymentParams = Type.Object({
  timeStamp: Type.String(),
  nonceStr: Type.String(),
  package: Type.String(),
  signType: Type.Literal('RSA'),
  paySign: Type.String(),
})

export const PaymentParams = Type.Union([
  Type.Object({ rail: Type.Literal('xpay'), xpay: XpayParams }),
  Type.Object({ rail: Type.Literal('wechatpay'), wechatpay: RequestPaymentParams }),
])

export const CreateOrderResult = Type.Object({
  order: Order,
  /** What wx.requestVirtualPayment / wx.requestPayment takes; null when the order can no longer be paid */
  payment: Type.Union([PaymentParams, Type.Null()]),
})
export type CreateOrderResultDto = Static<typeof CreateOrderResult>

export const OrderList = Type.Object({ items: Type.Array(Order) })

export const PlansQuery = Type.Object({ platform: Type.Optional(Platform) }, { additionalProperties: false })

export const PlansWithPurchase = Type.Object({
  items: Type.Array(Plan),
  /** The plan the purchase page preselects (an operator setting, GET /api/admin/settings) */
  preselected: Type.String(),
  purchase: Type.Object({
    rail: Type.Union([Type.Literal('xpay'), Type.Literal('wechatpay')]),
    /** False where this platform may not show a price or a buy button (iOS on the JSAPI rail) */
    available: Type.Boolean(),
    /** What to show instead, when not available */
    notice: Type.String(),
  }),
})
export type PlansWithPurchaseDto = Static<typeof PlansWithPurchase>
