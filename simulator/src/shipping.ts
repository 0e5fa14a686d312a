import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from './clock'
import { wechatError, type WechatError } from './errcodes'
import { badRequest } from './http'
import type { PayStore, PayTransaction } from './pay'
import type { SimState } from './state'
import { AccessTokenQuery } from './tokens'

/**
 * 小程序发货信息管理服务 (order shipping) for WeChat Pay orders: upload_shipping_info, get_order,
 * is_trade_managed, notify_confirm_receive, opspecialorder, and the two 消息推送 events
 * trade_manage_remind_shipping and trade_manage_order_settlement (sent through the xpay push
 * settings: one 消息推送 URL per mini-program).
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/order_shipping/api_uploadshippinginfo
 */

/** get_order's order_state: 1 待发货, 2 已发货, 3 确认收货, 4 交易完成, 5 已退款, 6 资金待结算 */
export type OrderState = 1 | 2 | 3 | 4 | 5 | 6

export interface ShippingUploadRecord {
  tracking_no: string
  express_company: string
  item_desc: string
  receiver_contact: string | null
  upload_time: string
  at: number
}

export interface TradeOrder {
  transactionId: string
  outTradeNo: string
  state: OrderState
  /** Every accepted upload: the first, and at most one correction */
  uploads: ShippingUploadRecord[]
  /** opspecialorder reports: type and delay_to (seconds) */
  specialReports: Array<{ type: number; delayTo: number | null; at: number }>
  confirmReminders: number
  receivedAt: number | null
}

/** Named upload faults of `POST /__control/shipping/fault`, as the errcodes WeChat answers them */
export const UPLOAD_FAULTS = {
  /** -1 系统繁忙: WeChat did not take it now */
  refused: -1,
  /** 10060004 支付单处于不可发货的状态 */
  not_shippable: 10060004,
  /** 10060003 支付单已使用重新发货机会 */
  duplicate: 10060003,
} as const

export const UPLOAD_PATH = '/wxa/sec/order/upload_shipping_info'

const DAY_S = 86400

export class ShippingStore {
  private readonly orders = new Map<string, TradeOrder>()
  managed = true

  constructor(
    private readonly pay: PayStore,
    private readonly clock: Clock,
  ) {}

  /** The trade-management view of a paid WeChat Pay transaction; undefined when there is none */
  order(key: {
    transactionId?: string
    outTradeNo?: string
  }): { trade: TradeOrder; paid: Readonly<PayTransaction> } | undefined {
    const paid = this.pay.find(key)
    if (!paid?.transactionId || (paid.tradeState !== 'SUCCESS' && paid.tradeState !== 'REFUND')) return undefined
    let trade = this.orders.get(paid.transactionId)
    if (!trade) {
      trade = {
        transactionId: paid.transactionId,
        outTradeNo: paid.outTradeNo,
        state: 1,
        uploads: [],
        specialReports: [],
        confirmReminders: 0,
        receivedAt: null,
      }
      this.orders.set(paid.transactionId, trade)
    }
    // Refunded in full: nothing left to ship or settle.
    if (paid.refunded >= paid.total && trade.state < 3) trade.state = 5
    return { trade, paid }
  }

  confirm(trade: TradeOrder): void {
    trade.state = 3
    trade.receivedAt = this.clock.nowS()
  }

  snapshot(): TradeOrder[] {
    return [...this.orders.values()].map((order) => structuredClone(order))
  }

  reset(): void {
    this.orders.clear()
    this.managed = true
  }
}

const OrderKeyBody = Type.Object({
  order_number_type: Type.Integer(),
  transaction_id: Type.Optional(Type.String({ maxLength: 64 })),
  mchid: Type.Optional(Type.String({ maxLength: 32 })),
  out_trade_no: Type.Optional(Type.String({ maxLength: 64 })),
})

const UploadBody = Type.Object({
  order_key: OrderKeyBody,
  logistics_type: Type.Integer({ minimum: 1, maximum: 4 }),
  delivery_mode: Type.Integer({ minimum: 1, maximum: 2 }),
  is_all_delivered: Type.Optional(Type.Boolean()),
  shipping_list: Type.Array(
    Type.Object({
      tracking_no: Type.Optional(Type.String()),
      express_company: Type.Optional(Type.String()),
      item_desc: Type.String(),
      contact: Type.Optional(
        Type.Object({
          consignor_contact: Type.Optional(Type.String()),
          receiver_contact: Type.Optional(Type.String()),
        }),
      ),
    }),
    { minItems: 1, maxItems: 15 },
  ),
  upload_time: Type.String({ minLength: 1 }),
  payer: Type.Object({ openid: Type.String({ minLength: 1 }) }),
})

const TradeKeyBody = Type.Object({
  transaction_id: Type.Optional(Type.String({ maxLength: 64 })),
  merchant_id: Type.Optional(Type.String({ maxLength: 32 })),
  merchant_trade_no: Type.Optional(Type.String({ maxLength: 64 })),
  received_time: Type.Optional(Type.Integer()),
})

const SpecialBody = Type.Object({
  order_id: Type.String({ minLength: 1, maxLength: 64 }),
  type: Type.Integer(),
  delay_to: Type.Optional(Type.Integer()),
})

/** 10060001 支付单不存在 unless the key names a paid transaction of this merchant */
function findByKey(state: SimState, store: ShippingStore, key: typeof TradeKeyBody.static) {
  if (key.transaction_id) return store.order({ transactionId: key.transaction_id })
  if (key.merchant_trade_no && key.merchant_id === state.pay?.pay.mchid)
    return store.order({ outTradeNo: key.merchant_trade_no })
  return undefined
}

export async function shippingRoutes(
  app: FastifyInstance,
  { state, store }: { state: SimState; store: ShippingStore },
): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const guard = (token: string | undefined) => {
    const tokenError = state.tokens.check(token)
    return tokenError === 0 ? null : wechatError(state, tokenError)
  }

  /** The paid order a token-guarded call names, or WeChat's errcode for a bad token or an unknown order */
  const orderFor = (
    token: string | undefined,
    key: typeof TradeKeyBody.static,
  ): { found?: NonNullable<ReturnType<ShippingStore['order']>>; error?: WechatError } => {
    const refused = guard(token)
    if (refused) return { error: refused }
    const found = findByKey(state, store, key)
    return found ? { found } : { error: wechatError(state, 10060001) }
  }

  api.post(UPLOAD_PATH, { schema: { querystring: AccessTokenQuery, body: UploadBody } }, async (request) => {
    const refused = guard(request.query.access_token)
    if (refused) return refused
    const body = request.body
    const key = body.order_key
    const found =
      key.order_number_type === 2
        ? findByKey(state, store, { transaction_id: key.transaction_id })
        : findByKey(state, store, { merchant_id: key.mchid, merchant_trade_no: key.out_trade_no })
    if (!found) return wechatError(state, 10060001)
    const { trade, paid } = found
    if (paid.openid !== body.payer.openid) return wechatError(state, 10060031)
    const [parcel] = body.shipping_list
    if (!parcel || (body.delivery_mode === 1 && body.shipping_list.length !== 1)) return wechatError(state, 47001)
    if (body.logistics_type === 1) {
      if (!parcel.tracking_no || !parcel.express_company) return wechatError(state, 47001)
      // 顺丰 wants the receiver's contact, masked.
      const contact = parcel.contact?.receiver_contact
      if (parcel.express_company === 'SF' && (!contact || !contact.includes('*'))) return wechatError(state, 47001)
    }
    if (trade.state !== 1 && trade.state !== 2) return wechatError(state, 10060004)
    // The first upload, and one correction while not received; no third.
    if (trade.uploads.length >= 2) return wechatError(state, 10060003)
    trade.uploads.push({
      tracking_no: parcel.tracking_no ?? '',
      express_company: parcel.express_company ?? '',
      item_desc: parcel.item_desc,
      receiver_contact: parcel.contact?.receiver_contact ?? null,
      upload_time: body.upload_time,
      at: state.clock.nowS(),
    })
    trade.state = 2
    return { errcode: 0, errmsg: 'ok' }
  })

  api.post(
    '/wxa/sec/order/get_order',
    { schema: { querystring: AccessTokenQuery, body: TradeKeyBody } },
    async (request) => {
      const { found, error } = orderFor(request.query.access_token, request.body)
      if (!found) return error
      const { trade, paid } = found
      const last = trade.uploads.at(-1)
      return {
        errcode: 0,
        errmsg: 'ok',
        order: {
          transaction_id: trade.transactionId,
          merchant_id: paid.mchid,
          sub_merchant_id: '',
          merchant_trade_no: paid.outTradeNo,
          description: paid.description,
          paid_amount: paid.total,
          openid: paid.openid,
          trade_create_time: Math.floor(paid.createdAt / 1000),
          pay_time: paid.successTime ? Math.floor(Date.parse(paid.successTime) / 1000) : 0,
          in_complaint: false,
          order_state: trade.state,
          shipping: {
            delivery_mode: 1,
            logistics_type: 1,
            finish_shipping: trade.uploads.length > 0,
            goods_desc: last?.item_desc ?? '',
            finish_shipping_count: trade.uploads.length,
            shipping_list: last
              ? [{ tracking_no: last.tracking_no, express_company: last.express_company, upload_time: last.at }]
              : [],
          },
        },
      }
    },
  )

  api.post(
    '/wxa/sec/order/is_trade_managed',
    { schema: { querystring: AccessTokenQuery, body: Type.Object({ appid: Type.Optional(Type.String()) }) } },
    async (request) => {
      const refused = guard(request.query.access_token)
      if (refused) return refused
      if (request.body.appid !== state.config.appid) return wechatError(state, 40013)
      return { errcode: 0, errmsg: 'ok', is_trade_managed: store.managed }
    },
  )

  api.post(
    '/wxa/sec/order/notify_confirm_receive',
    { schema: { querystring: AccessTokenQuery, body: TradeKeyBody } },
    async (request) => {
      const { found, error } = orderFor(request.query.access_token, request.body)
      if (!found) return error
      if (request.body.received_time === undefined) return wechatError(state, 47001)
      // Only a shipped order can have its reader reminded to confirm receipt (the simulator's rule).
      if (found.trade.state !== 2) return wechatError(state, 10060004)
      found.trade.confirmReminders += 1
      return { errcode: 0, errmsg: 'ok' }
    },
  )

  api.post(
    '/wxa/sec/order/opspecialorder',
    { schema: { querystring: AccessTokenQuery, body: SpecialBody } },
    async (request) => {
      const refused = guard(request.query.access_token)
      if (refused) return refused
      const { order_id: orderId, type, delay_to: delayTo } = request.body
      if (type !== 1 && type !== 2) return wechatError(state, 268546000)
      const found = store.order({ transactionId: orderId }) ?? store.order({ outTradeNo: orderId })
      if (!found || found.trade.state !== 1) return wechatError(state, 268546002)
      if (type === 1) {
        const paidAt = found.paid.successTime ? Math.floor(Date.parse(found.paid.successTime) / 1000) : 0
        // A preorder ships more than 15 days after payment and within 330.
        if (delayTo === undefined || delayTo <= paidAt + 15 * DAY_S || delayTo > paidAt + 330 * DAY_S)
          return wechatError(state, 268546001)
      }
      found.trade.specialReports.push({ type, delayTo: delayTo ?? null, at: state.clock.nowS() })
      return { errcode: 0, errmsg: 'ok' }
    },
  )
}

const ControlKey = Type.Object(
  {
    out_trade_no: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    transaction_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)

const FaultBody = Type.Object(
  {
    kind: Type.Union(Object.keys(UPLOAD_FAULTS).map((kind) => Type.Literal(kind))),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)

/** /__control/shipping/*: what was uploaded, the reader's 确认收货, 提醒发货, is_trade_managed, named faults */
export async function shippingControlRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const need = () => {
    if (!state.shipping) throw badRequest('the simulator has no WeChat Pay options: no 发货信息管理')
    return state.shipping
  }
  const tradeOf = (key: typeof ControlKey.static) => {
    if (!key.out_trade_no === !key.transaction_id) throw badRequest('give out_trade_no or transaction_id')
    const found = need().order({ outTradeNo: key.out_trade_no, transactionId: key.transaction_id })
    if (!found) throw badRequest('no paid WeChat Pay order has that number')
    return found
  }
  const push = (event: string, trade: TradeOrder, paid: Readonly<PayTransaction>, fields: Record<string, unknown>) => {
    if (!state.xpay) throw badRequest('the simulator has no 消息推送 settings (xpay options): nothing to push to')
    state.xpay.pushEvent(event, trade.outTradeNo, {
      transaction_id: trade.transactionId,
      merchant_id: paid.mchid,
      sub_merchant_id: '',
      merchant_trade_no: trade.outTradeNo,
      ...fields,
    })
  }

  api.get('/shipping', async () => ({ orders: need().snapshot(), managed: need().managed }))

  /** The reader confirms receipt (the weappOrderConfirm component): 确认收货, then WeChat's settlement push */
  api.post('/shipping/confirm-receipt', { schema: { body: ControlKey } }, async (request) => {
    const { trade, paid } = tradeOf(request.body)
    if (trade.state !== 2) throw badRequest(`the order is in order_state ${trade.state}, not 2 (已发货)`)
    need().confirm(trade)
    const now = state.clock.nowS()
    push('trade_manage_order_settlement', trade, paid, {
      pay_time: paid.successTime ? Math.floor(Date.parse(paid.successTime) / 1000) : 0,
      shipped_time: trade.uploads[0]?.at ?? now,
      estimated_settlement_time: now,
      confirm_receive_method: 1,
      confirm_receive_time: now,
      settlement_time: 0,
    })
    return { order_state: trade.state }
  })

  /** The reader taps 提醒发货: WeChat's trade_manage_remind_shipping push */
  api.post('/shipping/remind', { schema: { body: ControlKey } }, async (request) => {
    const { trade, paid } = tradeOf(request.body)
    push('trade_manage_remind_shipping', trade, paid, {
      shipped_time: 0,
      estimated_settlement_time: 0,
      msg: '用户提醒发货',
    })
    return { order_state: trade.state }
  })

  api.post(
    '/shipping/managed',
    { schema: { body: Type.Object({ managed: Type.Boolean() }, { additionalProperties: false }) } },
    async (request) => {
      need().managed = request.body.managed
      return { managed: request.body.managed }
    },
  )

  /** The next `count` uploads fail as `kind` says (a fault of POST /__control/faults on the upload path) */
  api.post('/shipping/fault', { schema: { body: FaultBody } }, async (request) => {
    const kind = request.body.kind as keyof typeof UPLOAD_FAULTS
    state.faults.add({ path: UPLOAD_PATH, errcode: UPLOAD_FAULTS[kind], count: request.body.count ?? 1 })
    return { path: UPLOAD_PATH, errcode: UPLOAD_FAULTS[kind] }
  })
}
