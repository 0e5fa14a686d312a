import type { SecretBox } from '../../infra/secret-box'
import { ApiError } from '../../errors'
import { WeChatError } from '../../wechat/api'
import {
  RailUnavailable,
  type ClientPayment,
  type PaymentRailAdapter,
  type PaymentStatus,
  type RailOrder,
  type RefundStatus,
} from '../rail'
import { XPAY_CLOSED_STATUSES, XPAY_PAID_STATUSES, XPAY_REFUND_FAILED, XPAY_REFUNDED, type XpayApi } from './api'
import { buildSignData, paySig, userSignature } from './sign'

/** WeChat's answer while a refund with these parameters is still being processed */
const REFUND_IN_PROGRESS = 268490014

export interface XpayRailOptions {
  api: XpayApi
  offerId: string
  appKey: string
  env: 0 | 1
  /** Opens each reader's sealed session_key, which signs what wx.requestVirtualPayment sends */
  secretBox: SecretBox | null
  now: () => number
}

/** 小程序虚拟支付 (virtual payment): WeChat's rail for virtual goods, iOS included. */
export class XpayRail implements PaymentRailAdapter {
  readonly name = 'xpay' as const

  constructor(private readonly options: XpayRailOptions) {}

  unavailableOn(): string | null {
    return null
  }

  async prepare(order: RailOrder, sealedSessionKey: string | null) {
    this.sessionKey(sealedSessionKey)
    return {
      sign_data: buildSignData({
        offerId: this.options.offerId,
        buyQuantity: 1,
        env: this.options.env,
        currencyType: 'CNY',
        productId: order.productId,
        goodsPrice: order.amountFen,
        outTradeNo: order.outTradeNo,
        attach: String(order.id),
      }),
    }
  }

  clientPayment(order: RailOrder, sealedSessionKey: string | null): ClientPayment | null {
    if (!order.signData) return null
    const sessionKey = this.sessionKey(sealedSessionKey)
    return {
      rail: 'xpay',
      xpay: {
        mode: 'short_series_goods',
        signData: order.signData,
        paySig: paySig(this.options.appKey, order.signData),
        signature: userSignature(sessionKey, order.signData),
      },
    }
  }

  async query(order: RailOrder): Promise<PaymentStatus> {
    const found = await this.call(() => this.options.api.queryOrder(order.openid, order.outTradeNo))
    if (!found) return { state: 'missing' }
    if (XPAY_PAID_STATUSES.has(found.status)) {
      const now = this.options.now()
      return {
        state: 'paid',
        // WeChat's own account of the payment: the openid is the one the order was queried for.
        evidence: {
          transactionId: found.wxpay_order_id ?? found.wx_order_id ?? '',
          amountFen: found.paid_fee ?? found.order_fee ?? -1,
          openid: order.openid,
          paidAt: (found.paid_time ?? Math.floor(now / 1000)) * 1000,
        },
        deliveryPending: found.status === 2,
      }
    }
    if (XPAY_CLOSED_STATUSES.has(found.status)) return { state: 'closed' }
    return { state: 'unpaid' }
  }

  /** Virtual payment has no close: an order closed here can still be paid on the phone, so it is still asked about. */
  async close(): Promise<boolean> {
    return false
  }

  async refund(order: RailOrder, refundNo: string, amountFen: number, reason: string): Promise<void> {
    try {
      await this.call(() =>
        this.options.api.refundOrder({
          openid: order.openid,
          orderId: order.outTradeNo,
          refundOrderId: refundNo,
          amountFen,
          leftFen: order.amountFen - order.refundedFen,
          reason,
        }),
      )
    } catch (error) {
      if (error instanceof RailUnavailable && error.detail.startsWith(`errcode ${REFUND_IN_PROGRESS}`)) return
      throw error
    }
  }

  async queryRefund(order: RailOrder, refundNo: string): Promise<RefundStatus> {
    const found = await this.call(() => this.options.api.queryOrder(order.openid, refundNo))
    if (!found) return { state: 'missing' }
    if (found.status === XPAY_REFUND_FAILED) return { state: 'failed', reason: '虚拟支付退款失败' }
    if (found.status !== XPAY_REFUNDED || found.refund_fee === undefined) return { state: 'processing' }
    // A refund order does not name the payment it refunds: the payment's own account must show it.
    const payment = await this.call(() => this.options.api.queryOrder(order.openid, order.outTradeNo))
    const left = payment?.left_fee
    if (left === undefined || left > order.amountFen - order.refundedFen - found.refund_fee)
      return { state: 'processing' }
    return { state: 'succeeded', amountFen: found.refund_fee }
  }

  /** The push was lost: WeChat is told the goods were delivered, or it keeps the order undelivered. */
  async confirmDelivery(order: RailOrder): Promise<void> {
    await this.call(() => this.options.api.notifyProvideGoods(order.outTradeNo))
  }

  private sessionKey(sealed: string | null): string {
    const sessionKey = sealed && this.options.secretBox?.open(sealed)
    if (!sessionKey) throw new ApiError(409, 'LOGIN_REQUIRED_FOR_PAYMENT', 'sign in again, then pay')
    return sessionKey
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof WeChatError) throw new RailUnavailable('xpay', `errcode ${error.errcode}: ${error.errmsg}`)
      throw error
    }
  }
}
