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

/** No control characters or line breaks in what goes on a parcel */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$'
const text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: PRINTABLE, description })

/** A shipping address as wx.chooseAddress gives it (the fields the parcel needs) */
export const ShippingAddress = Type.Object(
  {
    userName: text(50, '收货人'),
    /** A mobile number (11 digits) or a landline with its area code, as wx.chooseAddress gives it */
    telNumber: Type.String({
      minLength: 7,
      maxLength: 24,
      pattern: '^(\\+?86[- ]?)?(1\\d{10}|0\\d{2,3}-?\\d{7,8}(-\\d{1,6})?)$',
      description: '手机号码或带区号的固定电话',
    }),
    provinceName: text(32, '省'),
    cityName: text(32, '市'),
    countyName: text(32, '区/县'),
    detailInfo: text(200, '详细地址'),
    /** Six digits, or empty when wx.chooseAddress has none */
    postalCode: Type.String({ maxLength: 6, pattern: '^(\\d{6})?$' }),
  },
  // wx.chooseAddress gives more (errMsg, nationalCode …): the client sends these fields only.
  { additionalProperties: false },
)
export type ShippingAddressDto = Static<typeof ShippingAddress>

export const OrderLine = Type.Object({
  productId: Type.Integer(),
  /** Title and unit price as they were when the order was made */
  title: Type.String(),
  unitPriceFen: Type.Integer(),
  quantity: Type.Integer(),
})

/** Where a goods order stands, for the reader: the money status read for a parcel */
export const GoodsStage = Type.Union(
  ['awaiting_payment', 'awaiting_shipment', 'shipped', 'received', 'closed', 'refunding', 'refunded', 'completed'].map(
    (name) => Type.Literal(name),
  ),
  {
    description:
      'awaiting_payment 待支付, awaiting_shipment 待发货, shipped 已发货, received 已收货, closed 已关闭, refunding 退款中, refunded 已退款, completed 已完成 (settled)',
  },
)

/** A goods order's parcel, once shipped */
export const Shipment = Type.Object({
  company: Type.String({ description: "WeChat's delivery company code, e.g. SF" }),
  companyName: Type.String({ description: '顺丰速运, 中通快递, …' }),
  trackingNo: Type.String(),
  shippedAt: Type.Integer(),
  receivedAt: Nullable(Type.Integer()),
})
export type ShipmentDto = Static<typeof Shipment>

export const GoodsOrderDetail = Type.Object({
  stage: GoodsStage,
  lines: Type.Array(OrderLine),
  address: Nullable(ShippingAddress),
  shipment: Type.Optional(Nullable(Shipment)),
})
export type GoodsOrderDetailDto = Static<typeof GoodsOrderDetail>

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
  /** vip: a membership plan; goods: books and magazines from the store (docs/store.md); course: a course sold alone (docs/courses.md) */
  kind: Type.Union([Type.Literal('vip'), Type.Literal('goods'), Type.Literal('course')]),
  /** A goods order's lines, address and stage; absent for other orders */
  goods: Type.Optional(GoodsOrderDetail),
  /** The course a course order buys; absent for other orders */
  course: Type.Optional(Type.Object({ id: Type.Integer(), title: Type.String() })),
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
