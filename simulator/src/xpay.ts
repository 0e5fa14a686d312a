import crypto from 'node:crypto'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Clock } from './clock'
import { wechatError, type WechatError } from './errcodes'
import { rawBody } from './http'
import { openidFor } from './ids'
import type { Notifier, Outgoing, Variant } from './notify'
import {
  encryptPush,
  hmacSha256Hex,
  pushSignature,
  randomAlnum,
  randomDigits,
  safeEqual,
  flipBit,
  randomHex,
} from './signing'
import type { SimConfig, SimState } from './state'

/**
 * 小程序虚拟支付 (xpay), 道具直购 (`mode: 'short_series_goods'`):
 * - the client call `wx.requestVirtualPayment` (phone side, `requestVirtualPayment` below);
 * - the 消息推送 pushes `xpay_goods_deliver_notify` and `xpay_refund_notify` to the configured URL,
 *   in plain or 安全模式 JSON;
 * - the server APIs `/xpay/query_order`, `/xpay/notify_provide_goods`, `/xpay/refund_order`.
 * Facts and sources: docs/wechat.md (virtual payment, 消息推送); choices where WeChat is unclear:
 * docs/wechat-simulator.md.
 */

export interface XpayOptions {
  /** The AppKey of the 现网 environment (env 0): paySig and pay_sig are HMAC-SHA256 with it */
  appKey: string
  /** The AppKey of the sandbox (env 1); without it every env 1 signature is refused */
  appKeySandbox?: string
  /** The OfferID (虚拟支付 → 基本配置); signData's offerId must equal it */
  offerId: string
  /** productId → price in fen; when given, signData's productId must be listed and goodsPrice must equal its price */
  products?: Record<string, number>
  /** Where the 消息推送 pushes go (our URL), e.g. http://127.0.0.1:3000/api/wechat/message-push */
  pushUrl: string
  /** The 消息推送 Token (3–32 letters and digits) */
  pushToken: string
  /** The 43-character EncodingAESKey; when given, pushes use 安全模式 (encrypted) */
  encodingAesKey?: string
  /** The mini-program's original id (ToUserName of every push); `gh_` + 12 hex digits derived from the appid unless given */
  originalId?: string
}

export interface XpayConfig {
  readonly appKey: string
  readonly appKeySandbox: string | null
  readonly offerId: string
  readonly products: Readonly<Record<string, number>> | null
  readonly pushUrl: string
  readonly pushToken: string
  readonly encodingAesKey: string | null
  readonly originalId: string
}

/** The original id (gh_…) the simulator gives an appid when xpay.originalId is absent */
export function defaultOriginalId(appid: string): string {
  return `gh_${crypto.createHash('sha256').update(appid).digest('hex').slice(0, 12)}`
}

/** query_order's `status` (WeChat's numbering) */
export const XPAY_STATUS = {
  INIT: 0,
  CREATED: 1,
  PAID: 2,
  DELIVERING: 3,
  DELIVERED: 4,
  REFUNDED: 5,
  CLOSED: 6,
  REFUND_FAILED: 7,
  USER_REFUNDED: 8,
} as const

/** query_order's `order_type` */
export const XPAY_ORDER_TYPE = { PAY: 0, REFUND: 1, IOS_PAY: 7, IOS_REFUND: 8 } as const

/** FromUserName of xpay pushes: "道具发货场景固定为微信官方的 openid" (a fixed WeChat account, not the buyer) */
export const XPAY_PUSH_FROM = 'oWeChatXPayOfficialAccount00'

/** The phone's platform in `POST /__phone/xpay/pay`: `ios-old` is iOS < 15 or WeChat < 8.0.68 */
export const XPAY_PLATFORMS = ['android', 'ios', 'ios-old', 'devtools'] as const
export type XpayPlatform = (typeof XPAY_PLATFORMS)[number]

const OUT_TRADE_NO = /^[0-9A-Za-z\-|*@][0-9A-Za-z_\-|*@]{7,31}$/
const REFUND_ORDER_ID = /^[0-9A-Za-z_-]{8,32}$/
const EVENT_DELIVER = 'xpay_goods_deliver_notify'
const EVENT_REFUND = 'xpay_refund_notify'

export interface XpayOrder {
  orderId: string
  user: string
  openid: string
  env: 0 | 1
  orderType: number
  signData: string
  productId: string
  quantity: number
  goodsPrice: number
  orderFee: number
  paidFee: number
  attach: string
  status: number
  wxOrderId: string
  /** 渠道单号: the merchant order number on the user's WeChat Pay receipt (WeChatPayInfo.MchOrderNo) */
  channelOrderId: string
  /** 微信支付交易单号 (WeChatPayInfo.TransactionId) */
  wxpayOrderId: string
  createTime: number
  updateTime: number
  paidTime: number
  provideTime: number
  leftFee: number
}

export interface XpayRefund {
  refundOrderId: string
  wxRefundId: string
  payOrderId: string
  openid: string
  env: 0 | 1
  refundFee: number
  leftFeeBefore: number
  bizMeta: string
  refundReason: string
  reqFrom: string
  /** 1 while processing, 5 refunded, 7 failed */
  status: number
  retCode: number
  retMsg: string
  wxpayRefundTransactionId: string
  createTime: number
  updateTime: number
  succTime: number
  /** The request's fields, to tell a retry from a conflicting reuse of refund_order_id */
  params: string
}

/** What `wx.requestVirtualPayment` reports to the page */
export interface VirtualPaymentAnswer {
  errMsg: string
  errCode?: number
}

export interface VirtualPaymentRequest {
  user: string
  signData: string
  paySig: string
  signature: string
  mode: string
  action: 'confirm' | 'cancel' | 'fail'
  platform?: XpayPlatform
}

/** How a refund ends, set by `POST /__control/refunds` */
export type RefundOutcome = 'SUCCESS' | 'ABNORMAL' | 'CLOSED'

interface SignData {
  offerId: string
  buyQuantity: number
  env: 0 | 1
  currencyType: string
  productId: string
  goodsPrice: number
  outTradeNo: string
  attach: string
  activitySellingPrice?: number
}

const fail = (detail: string, errCode: number): VirtualPaymentAnswer => ({
  errMsg: detail === '' ? 'requestVirtualPayment:fail' : `requestVirtualPayment:fail ${detail}`,
  errCode,
})

/** The ids WeChat gives an xpay order, in its formats */
function newWxOrderId(): string {
  return randomDigits(20)
}

export function newTransactionId(): string {
  return `4200${randomDigits(24)}`
}

/** A new unpaid order made from its signData */
function newOrder(
  data: SignData,
  who: Pick<XpayOrder, 'user' | 'openid' | 'signData' | 'orderType'> & { now: number },
): XpayOrder {
  return {
    orderId: data.outTradeNo,
    user: who.user,
    openid: who.openid,
    env: data.env,
    orderType: who.orderType,
    signData: who.signData,
    productId: data.productId,
    quantity: data.buyQuantity,
    goodsPrice: data.goodsPrice,
    orderFee: data.goodsPrice * data.buyQuantity,
    paidFee: 0,
    attach: data.attach,
    status: XPAY_STATUS.CREATED,
    wxOrderId: newWxOrderId(),
    channelOrderId: '',
    wxpayOrderId: '',
    createTime: who.now,
    updateTime: who.now,
    paidTime: 0,
    provideTime: 0,
    leftFee: 0,
  }
}

function parseSignData(text: string): SignData | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'signData is not JSON'
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'signData is not a JSON object'
  const data = value as Record<string, unknown>
  const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0
  if (typeof data.offerId !== 'string' || data.offerId === '') return 'offerId missing'
  if (!isCount(data.buyQuantity)) return 'buyQuantity must be a positive integer'
  if (data.env !== 0 && data.env !== 1) return 'env must be 0 or 1'
  if (data.currencyType !== 'CNY') return 'currencyType must be CNY'
  if (typeof data.productId !== 'string' || data.productId === '') return 'productId missing'
  if (!isCount(data.goodsPrice)) return 'goodsPrice must be a positive integer (fen)'
  if (typeof data.outTradeNo !== 'string' || !OUT_TRADE_NO.test(data.outTradeNo)) {
    return 'outTradeNo must be 8-32 characters of [0-9A-Za-z_-|*@], not starting with _'
  }
  if (typeof data.attach !== 'string') return 'attach missing'
  const parsed: SignData = {
    offerId: data.offerId,
    buyQuantity: data.buyQuantity,
    env: data.env,
    currencyType: data.currencyType,
    productId: data.productId,
    goodsPrice: data.goodsPrice,
    outTradeNo: data.outTradeNo,
    attach: data.attach,
  }
  if (data.activitySellingPrice !== undefined) {
    const price = data.activitySellingPrice
    if (!isCount(price) || price > data.goodsPrice || price * 10 < data.goodsPrice * 4) {
      return 'activitySellingPrice must be from 40% of goodsPrice to goodsPrice'
    }
    parsed.activitySellingPrice = price
  }
  return parsed
}

export class XpayStore {
  private readonly orders = new Map<string, XpayOrder>()
  private readonly refunds = new Map<string, XpayRefund>()
  private readonly outcomes: RefundOutcome[] = []
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    readonly xpay: XpayConfig,
    private readonly config: SimConfig,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  /** The AppKey for an environment, or null when none is configured */
  appKey(env: number): string | null {
    if (env === 0) return this.xpay.appKey
    if (env === 1) return this.xpay.appKeySandbox
    return null
  }

  /** `wx.requestVirtualPayment` on the phone, for a user whose latest login gave `sessionKey` */
  requestVirtualPayment(request: VirtualPaymentRequest, sessionKey: string | undefined): VirtualPaymentAnswer {
    if (request.mode !== 'short_series_goods') return fail('mode must be short_series_goods', -15001)
    const platform = request.platform ?? 'android'
    if (platform === 'ios-old') return fail('INVALID_PLATFORM', -1)

    const data = parseSignData(request.signData)
    if (typeof data === 'string') return fail(data, -15001)
    const appKey = this.appKey(data.env)
    const paySig = appKey === null ? '' : hmacSha256Hex(appKey, `requestVirtualPayment&${request.signData}`)
    if (appKey === null || !safeEqual(paySig, request.paySig)) return fail('PAY_SIG_INVALID', -15006)
    const signature = sessionKey === undefined ? '' : hmacSha256Hex(sessionKey, request.signData)
    if (sessionKey === undefined || !safeEqual(signature, request.signature)) {
      return fail('SIGNATURE_INVALID', -15005)
    }
    if (data.offerId !== this.xpay.offerId) return fail('offerId does not match the mini-program', -15001)
    const listed = this.xpay.products?.[data.productId]
    if (this.xpay.products && listed === undefined) return fail(`product ${data.productId} does not exist`, -15001)
    if (listed !== undefined && listed !== data.goodsPrice) {
      return fail(`goodsPrice ${data.goodsPrice} differs from the product price ${listed}`, -15001)
    }
    const paidFee = (data.activitySellingPrice ?? data.goodsPrice) * data.buyQuantity
    if (platform === 'ios' && data.env === 1) return fail('Apple payment has no sandbox', -15001)
    if (platform === 'ios' && paidFee < 100) return fail('iOS orders must be at least 1 yuan', -15001)

    const openid = openidFor(this.config.appid, request.user)
    const existing = this.orders.get(data.outTradeNo)
    const reusable = existing?.status === XPAY_STATUS.CREATED && existing.signData === request.signData
    if (existing && (!reusable || existing.openid !== openid)) return fail('outTradeNo has been used', -15002)

    const now = this.clock.nowS()
    const order =
      existing ??
      newOrder(data, {
        user: request.user,
        openid,
        signData: request.signData,
        orderType: platform === 'ios' ? XPAY_ORDER_TYPE.IOS_PAY : XPAY_ORDER_TYPE.PAY,
        now,
      })
    this.orders.set(order.orderId, order)

    if (request.action === 'cancel') return { errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 }
    if (request.action === 'fail') return fail('', -1)
    this.markPaid(order, paidFee)
    this.pushDeliver(order)
    return { errMsg: 'requestVirtualPayment:ok' }
  }

  /** `POST /__control/pay` for xpay: an order paid without a push (a lost notification, for reconciliation tests) */
  payQuietly(input: { outTradeNo?: string; user?: string; signData?: string }): Record<string, unknown> | string {
    if (input.outTradeNo !== undefined) {
      const order = this.orders.get(input.outTradeNo)
      if (!order) return 'no such order'
      if (order.status !== XPAY_STATUS.CREATED) return `the order is not unpaid (status ${order.status})`
      this.markPaid(order, order.orderFee)
      return this.controlView(order)
    }
    if (input.user === undefined || input.signData === undefined) return 'give out_trade_no, or user and signData'
    const data = parseSignData(input.signData)
    if (typeof data === 'string') return data
    if (this.orders.has(data.outTradeNo)) return 'outTradeNo has been used'
    const now = this.clock.nowS()
    const order = newOrder(data, {
      user: input.user,
      openid: openidFor(this.config.appid, input.user),
      signData: input.signData,
      orderType: XPAY_ORDER_TYPE.PAY,
      now,
    })
    this.orders.set(order.orderId, order)
    this.markPaid(order, (data.activitySellingPrice ?? data.goodsPrice) * data.buyQuantity)
    return this.controlView(order)
  }

  /**
   * A refund made outside the merchant's server (`POST /__control/merchant-refund`): the merchant
   * console, a complaint settled by WeChat. It gets a refund number the server never made, and ends
   * with the usual push.
   */
  refundElsewhere(outTradeNo: string, amount?: number): Record<string, unknown> | string {
    const order = this.orders.get(outTradeNo)
    if (!order) return 'no such order'
    const refundOrderId = `MC${randomDigits(20)}`
    const answer = this.refundOrder({
      openid: order.openid,
      env: order.env,
      order_id: order.orderId,
      refund_order_id: refundOrderId,
      left_fee: order.leftFee,
      refund_fee: amount ?? order.leftFee,
      refund_reason: '0',
      req_from: '3',
    })
    if (typeof answer === 'number') return `errcode ${answer}`
    if (Array.isArray(answer)) return `errcode ${answer[0]}: ${answer[1]}`
    return answer
  }

  addRefundOutcome(outcome: RefundOutcome, count: number): void {
    for (let i = 0; i < count; i++) this.outcomes.push(outcome)
  }

  pendingRefundOutcomes(): RefundOutcome[] {
    return [...this.outcomes]
  }

  /** Orders and refunds as query_order shows them, plus who and what, for `GET /__control/payments` */
  snapshot(): { orders: Array<Record<string, unknown>>; refunds: Array<Record<string, unknown>> } {
    return {
      orders: [...this.orders.values()].map((order) => this.controlView(order)),
      refunds: [...this.refunds.values()].map((refund) => ({
        ...this.refundView(refund),
        openid: refund.openid,
        pay_order_id: refund.payOrderId,
        ret_code: refund.retCode,
        ret_msg: refund.retMsg,
      })),
    }
  }

  private controlView(order: XpayOrder): Record<string, unknown> {
    return {
      ...this.orderView(order),
      openid: order.openid,
      user: order.user,
      product_id: order.productId,
      quantity: order.quantity,
      attach: order.attach,
    }
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.orders.clear()
    this.refunds.clear()
    this.outcomes.length = 0
  }

  // ---- server API -------------------------------------------------------------------------------

  queryOrder(body: Record<string, unknown>): Record<string, unknown> | number | [number, string] {
    const { openid, env } = body
    if (typeof openid !== 'string' || openid === '') return 268490001
    const found = this.lookup(body, env as 0 | 1)
    if (typeof found === 'number' || Array.isArray(found)) return found
    if (found.openid !== openid) return 268490001
    if ('refundOrderId' in found) return this.refundView(found)
    return this.orderView(found)
  }

  notifyProvideGoods(body: Record<string, unknown>): number | [number, string] | null {
    const found = this.lookup(body, body.env as 0 | 1)
    if (typeof found === 'number' || Array.isArray(found)) return found
    if ('refundOrderId' in found) return [268490002, 'not a payment order']
    if (found.status === XPAY_STATUS.PAID || found.status === XPAY_STATUS.DELIVERING) {
      found.status = XPAY_STATUS.DELIVERED
      found.provideTime = this.clock.nowS()
      found.updateTime = found.provideTime
      return null
    }
    if (found.status === XPAY_STATUS.DELIVERED) return null
    return [268490002, `order status ${found.status} cannot be delivered`]
  }

  refundOrder(body: Record<string, unknown>): Record<string, unknown> | number | [number, string] {
    const { openid, env, refund_order_id: refundOrderId, left_fee: leftFee, refund_fee: refundFee } = body
    const bizMeta = body.biz_meta ?? ''
    const reason = body.refund_reason
    const reqFrom = body.req_from
    if (typeof openid !== 'string' || openid === '') return 268490001
    if (typeof refundOrderId !== 'string' || !REFUND_ORDER_ID.test(refundOrderId)) {
      return [268490002, 'refund_order_id must be 8-32 characters of [0-9A-Za-z_-]']
    }
    const isFen = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0
    if (!isFen(leftFee) || !isFen(refundFee) || refundFee === 0) return [268490002, 'left_fee and refund_fee are fen']
    if (typeof bizMeta !== 'string' || bizMeta.length > 1024) return [268490002, 'biz_meta is at most 1024 characters']
    if (typeof reason !== 'string' || !/^[0-5]$/.test(reason)) return [268490002, 'refund_reason must be "0" to "5"']
    if (typeof reqFrom !== 'string' || !/^[1-3]$/.test(reqFrom)) return [268490002, 'req_from must be "1" to "3"']
    const found = this.lookup(body, env as 0 | 1)
    if (typeof found === 'number' || Array.isArray(found)) return found
    if ('refundOrderId' in found) return [268490002, 'not a payment order']
    if (found.openid !== openid) return 268490001

    const params = JSON.stringify([found.orderId, refundFee, bizMeta, reason, reqFrom, found.env])
    const previous = this.refunds.get(refundOrderId)
    if (previous) {
      if (previous.params !== params) return [268490002, 'refund_order_id has been used for another refund']
      if (previous.status === XPAY_STATUS.CREATED) return 268490014
      return this.refundAccepted(previous, found)
    }
    if (this.orders.has(refundOrderId)) return [268490002, 'refund_order_id has been used']
    if (found.orderType === XPAY_ORDER_TYPE.IOS_PAY) return [268490002, 'iOS orders are refunded by Apple only']
    if (found.status < XPAY_STATUS.PAID || found.status === XPAY_STATUS.CLOSED) {
      return [268490002, `order status ${found.status} cannot be refunded`]
    }
    if (leftFee !== found.leftFee) return 268490016
    if (refundFee > found.leftFee) return [268490002, 'refund_fee must be in (0, left_fee]']

    const now = this.clock.nowS()
    const refund: XpayRefund = {
      refundOrderId,
      wxRefundId: newWxOrderId(),
      payOrderId: found.orderId,
      openid,
      env: found.env,
      refundFee,
      leftFeeBefore: found.leftFee,
      bizMeta,
      refundReason: reason,
      reqFrom,
      status: XPAY_STATUS.CREATED,
      retCode: 0,
      retMsg: '',
      wxpayRefundTransactionId: '',
      createTime: now,
      updateTime: now,
      succTime: 0,
      params,
    }
    found.leftFee -= refundFee
    found.updateTime = now
    this.refunds.set(refundOrderId, refund)
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.finishRefund(refund)
    }, this.config.refundDelayMs)
    this.timers.add(timer)
    return this.refundAccepted(refund, found)
  }

  // ---- internals --------------------------------------------------------------------------------

  private markPaid(order: XpayOrder, paidFee: number): void {
    const now = this.clock.nowS()
    order.status = XPAY_STATUS.PAID
    order.paidFee = paidFee
    order.leftFee = paidFee
    order.paidTime = now
    order.updateTime = now
    order.channelOrderId = `${order.orderType === XPAY_ORDER_TYPE.IOS_PAY ? 'ios' : 'mp'}${randomDigits(24)}`
    order.wxpayOrderId = newTransactionId()
  }

  private refundAccepted(refund: XpayRefund, order: XpayOrder): Record<string, unknown> {
    return {
      refund_order_id: refund.refundOrderId,
      refund_wx_order_id: refund.wxRefundId,
      pay_order_id: order.orderId,
      pay_wx_order_id: order.wxOrderId,
    }
  }

  private finishRefund(refund: XpayRefund): void {
    const order = this.orders.get(refund.payOrderId)
    if (!order) return
    const outcome = this.outcomes.shift() ?? 'SUCCESS'
    const now = this.clock.nowS()
    refund.updateTime = now
    if (outcome === 'SUCCESS') {
      refund.status = XPAY_STATUS.REFUNDED
      refund.succTime = now
      refund.retMsg = 'success'
      refund.wxpayRefundTransactionId = `5030${randomDigits(24)}`
      if (order.leftFee === 0) order.status = XPAY_STATUS.REFUNDED
    } else {
      refund.status = XPAY_STATUS.REFUND_FAILED
      refund.retCode = outcome === 'ABNORMAL' ? 268490006 : -1
      refund.retMsg = outcome === 'ABNORMAL' ? 'refund abnormal' : 'refund closed'
      order.leftFee += refund.refundFee
    }
    order.updateTime = now
    this.pushRefund(refund, order)
  }

  private lookup(body: Record<string, unknown>, env: 0 | 1): XpayOrder | XpayRefund | number | [number, string] {
    const orderId = body.order_id
    const wxOrderId = body.wx_order_id
    let found: XpayOrder | XpayRefund | undefined
    if (typeof orderId === 'string' && orderId !== '') {
      found = this.orders.get(orderId) ?? this.refunds.get(orderId)
    } else if (typeof wxOrderId === 'string' && wxOrderId !== '') {
      found =
        [...this.orders.values()].find((order) => order.wxOrderId === wxOrderId) ??
        [...this.refunds.values()].find((refund) => refund.wxRefundId === wxOrderId)
    } else {
      return [268490002, 'order_id or wx_order_id is required']
    }
    if (!found || found.env !== env) return [268490002, 'order not exist']
    return found
  }

  private orderView(order: XpayOrder): Record<string, unknown> {
    return {
      order_id: order.orderId,
      create_time: order.createTime,
      update_time: order.updateTime,
      status: order.status,
      biz_type: 0,
      order_fee: order.orderFee,
      paid_fee: order.paidFee,
      order_type: order.orderType,
      refund_fee: 0,
      paid_time: order.paidTime,
      provide_time: order.provideTime,
      biz_meta: '',
      env_type: order.env === 0 ? 1 : 2,
      token: '',
      left_fee: order.leftFee,
      wx_order_id: order.wxOrderId,
      channel_order_id: order.channelOrderId,
      wxpay_order_id: order.wxpayOrderId,
      sett_time: 0,
      sett_state: 0,
    }
  }

  private refundView(refund: XpayRefund): Record<string, unknown> {
    const order = this.orders.get(refund.payOrderId)
    return {
      order_id: refund.refundOrderId,
      create_time: refund.createTime,
      update_time: refund.updateTime,
      status: refund.status,
      biz_type: 0,
      order_fee: order?.orderFee ?? 0,
      paid_fee: order?.paidFee ?? 0,
      order_type: XPAY_ORDER_TYPE.REFUND,
      refund_fee: refund.refundFee,
      paid_time: refund.succTime,
      provide_time: 0,
      biz_meta: refund.bizMeta,
      env_type: refund.env === 0 ? 1 : 2,
      token: '',
      left_fee: 0,
      wx_order_id: refund.wxRefundId,
      channel_order_id: '',
      wxpay_order_id: refund.wxpayRefundTransactionId,
      sett_time: 0,
      sett_state: 0,
    }
  }

  private pushDeliver(order: XpayOrder): void {
    const createTime = this.clock.nowS()
    const other = openidFor(this.config.appid, `${order.user}\u0000other`)
    const fields = (variant: Variant): Record<string, unknown> => {
      const amount = order.paidFee + (variant === 'wrong_amount' ? 1 : 0)
      const openid = variant === 'wrong_openid' ? other : order.openid
      return {
        Event: EVENT_DELIVER,
        OpenId: openid,
        OutTradeNo: order.orderId,
        Env: order.env,
        // "非微信支付渠道可能没有": Apple-paid (iOS) orders carry no WeChatPayInfo here.
        ...(order.orderType === XPAY_ORDER_TYPE.IOS_PAY
          ? {}
          : {
              WeChatPayInfo: {
                MchOrderNo: order.channelOrderId,
                TransactionId: order.wxpayOrderId,
                PaidTime: order.paidTime,
              },
            }),
        GoodsInfo: {
          ProductId: order.productId,
          Quantity: order.quantity,
          OrigPrice: order.orderFee + (variant === 'wrong_amount' ? 1 : 0),
          ActualPrice: amount,
          Attach: order.attach,
        },
      }
    }
    const onDelivered = () => {
      if (order.status === XPAY_STATUS.PAID || order.status === XPAY_STATUS.DELIVERING) {
        order.status = XPAY_STATUS.DELIVERED
        order.provideTime = this.clock.nowS()
        order.updateTime = order.provideTime
      }
    }
    this.notifier.send(this.outgoing(EVENT_DELIVER, order.orderId, undefined, createTime, fields, onDelivered))
  }

  /**
   * Another 消息推送 event through the same URL, Token and 安全模式 as the xpay pushes, with
   * WeChat's retries (发货信息管理's trade_manage_* pushes, simulator/src/shipping.ts).
   */
  pushEvent(event: string, outTradeNo: string, fields: Record<string, unknown>): void {
    this.notifier.send(
      this.outgoing(event, outTradeNo, undefined, this.clock.nowS(), () => ({ Event: event, ...fields })),
    )
  }

  private pushRefund(refund: XpayRefund, order: XpayOrder): void {
    const createTime = this.clock.nowS()
    const other = openidFor(this.config.appid, `${order.user}\u0000other`)
    const fields = (variant: Variant): Record<string, unknown> => ({
      Event: EVENT_REFUND,
      OpenId: variant === 'wrong_openid' ? other : refund.openid,
      WxRefundId: refund.wxRefundId,
      MchRefundId: refund.refundOrderId,
      WxOrderId: order.wxOrderId,
      MchOrderId: order.orderId,
      RefundFee: refund.refundFee + (variant === 'wrong_amount' ? 1 : 0),
      RetCode: refund.retCode,
      RetMsg: refund.retMsg,
      RefundStartTimestamp: refund.createTime,
      RefundSuccTimestamp: refund.succTime,
      WxpayRefundTransactionId: refund.wxpayRefundTransactionId,
    })
    this.notifier.send(this.outgoing(EVENT_REFUND, order.orderId, refund.refundOrderId, createTime, fields))
  }

  private outgoing(
    event: string,
    outTradeNo: string,
    outRefundNo: string | undefined,
    createTime: number,
    fields: (variant: Variant) => Record<string, unknown>,
    onDelivered?: () => void,
  ): Outgoing {
    const { pushUrl, pushToken, encodingAesKey, originalId } = this.xpay
    const appid = this.config.appid
    return {
      rail: 'xpay',
      event,
      outTradeNo,
      ...(outRefundNo === undefined ? {} : { outRefundNo }),
      id: `xpay-${randomAlnum(16)}`,
      onDelivered,
      accepts: (status, body) => status === 200 && answersSuccess(body),
      render: (attempt, variant) => {
        const toUser = variant === 'wrong_appid' ? 'gh_000000000000' : originalId
        const message = JSON.stringify({
          ToUserName: toUser,
          FromUserName: XPAY_PUSH_FROM,
          CreateTime: createTime,
          MsgType: 'event',
          ...fields(variant),
          RetryTimes: attempt - 1,
        })
        const timestamp = String(this.clock.nowS() - (variant === 'stale_timestamp' ? 301 : 0))
        const nonce = randomDigits(10)
        const forged = variant === 'bad_signature'
        const query = new URLSearchParams({
          signature: forged ? randomHex(20) : pushSignature(pushToken, timestamp, nonce),
          timestamp,
          nonce,
        })
        let body = message
        if (encodingAesKey !== null) {
          const trailer = variant === 'wrong_appid' ? 'wx0000000000000bad' : appid
          const encrypt = encryptPush(encodingAesKey, trailer, message)
          query.set('encrypt_type', 'aes')
          query.set('msg_signature', forged ? randomHex(20) : pushSignature(pushToken, timestamp, nonce, encrypt))
          // A tampered message keeps the msg_signature of the original: the receiver's check must fail.
          const sent = variant === 'tampered_ciphertext' ? flipBit(encrypt) : encrypt
          body = JSON.stringify({ ToUserName: toUser, Encrypt: sent })
        }
        const separator = pushUrl.includes('?') ? '&' : '?'
        return {
          url: `${pushUrl}${separator}${query.toString()}`,
          headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/4.0' },
          body,
        }
      },
    }
  }
}

function answersSuccess(body: string): boolean {
  try {
    const answer = JSON.parse(body) as { ErrCode?: unknown }
    return answer.ErrCode === 0
  } catch {
    return false
  }
}

// ---- server API routes ------------------------------------------------------------------------

const XpayQuery = Type.Object({
  access_token: Type.Optional(Type.String()),
  pay_sig: Type.Optional(Type.String()),
})

type XpayResult = Record<string, unknown> | number | [number, string] | null

/** Checks access_token and pay_sig = HMAC-SHA256(AppKey of body.env, uri + '&' + exact body) */
function guard(state: SimState, store: XpayStore, request: FastifyRequest, path: string): WechatError | null {
  const query = request.query as { access_token?: string; pay_sig?: string }
  const tokenError = state.tokens.check(query.access_token)
  if (tokenError !== 0) return wechatError(state, tokenError)
  const body = request.body as Record<string, unknown>
  if (body.env !== 0 && body.env !== 1) return wechatError(state, 268490002, 'env must be 0 or 1')
  const appKey = store.appKey(body.env)
  const expected = appKey === null ? '' : hmacSha256Hex(appKey, `${path}&${rawBody(request)}`)
  if (appKey === null || typeof query.pay_sig !== 'string' || !safeEqual(expected, query.pay_sig)) {
    return wechatError(state, 268490003)
  }
  return null
}

function answer(state: SimState, result: XpayResult, key?: string): unknown {
  if (result === null) return { errcode: 0, errmsg: 'ok' }
  if (typeof result === 'number') return wechatError(state, result)
  if (Array.isArray(result)) return wechatError(state, result[0], result[1])
  return key === undefined ? { errcode: 0, errmsg: 'ok', ...result } : { errcode: 0, errmsg: 'ok', [key]: result }
}

export async function xpayRoutes(app: FastifyInstance, { state, store }: { state: SimState; store: XpayStore }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const body = (request: FastifyRequest) => {
    const value = request.body
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  }

  // https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_query_order.html
  api.post('/xpay/query_order', { schema: { querystring: XpayQuery } }, async (request) => {
    const input = (request.body = body(request))
    const denied = guard(state, store, request, '/xpay/query_order')
    if (denied) return denied
    return answer(state, store.queryOrder(input), 'order')
  })

  // https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_notify_provide_goods.html
  api.post('/xpay/notify_provide_goods', { schema: { querystring: XpayQuery } }, async (request) => {
    const input = (request.body = body(request))
    const denied = guard(state, store, request, '/xpay/notify_provide_goods')
    if (denied) return denied
    return answer(state, store.notifyProvideGoods(input))
  })

  // https://developers.weixin.qq.com/miniprogram/dev/server/API/VirtualPayment/api_refund_order.html
  api.post('/xpay/refund_order', { schema: { querystring: XpayQuery } }, async (request) => {
    const input = (request.body = body(request))
    const denied = guard(state, store, request, '/xpay/refund_order')
    if (denied) return denied
    return answer(state, store.refundOrder(input))
  })
}
