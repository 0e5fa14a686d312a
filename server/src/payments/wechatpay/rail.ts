import {
  RailUnavailable,
  type ClientPayment,
  type PaymentEvidence,
  type PaymentRailAdapter,
  type PaymentStatus,
  type RailOrder,
  type RefundStatus,
} from '../rail'
import { WechatpayError, type TransactionDto, type WechatpayApi } from './api'
import { requestPaymentParams, type Merchant } from './sign'

export interface WechatpayRailOptions {
  api: WechatpayApi
  appid: string
  merchant: Merchant
  /** Public HTTPS base of this API, where WeChat Pay sends its notifications */
  notifyBase: string
  now: () => number
}

/** What a final refund status means for the operator */
const REFUND_FAILURES: Record<string, string> = {
  CLOSED: '退款关闭',
  ABNORMAL: '退款异常：需在商户平台处理（如用户银行卡已注销）',
}

/** WeChat Pay API v3 JSAPI: physical goods, the web, and VIP where virtual payment is not open yet. */
export class WechatpayRail implements PaymentRailAdapter {
  readonly name = 'wechatpay' as const

  constructor(private readonly options: WechatpayRailOptions) {}

  /** Apple's rules: virtual goods bought in an iOS app through WeChat Pay are not allowed */
  unavailableOn(platform: string): string | null {
    return platform === 'ios' ? '由于相关规范，iOS功能暂不可用' : null
  }

  async prepare(order: RailOrder) {
    const prepayId = await this.call(() =>
      this.options.api.jsapi({
        description: order.description,
        outTradeNo: order.outTradeNo,
        amountFen: order.amountFen,
        openid: order.openid,
        notifyUrl: `${this.options.notifyBase}/api/wechatpay/notify`,
        timeExpire: rfc3339(order.expiresAt),
      }),
    )
    return { prepay_id: prepayId }
  }

  clientPayment(order: RailOrder, _sealedSessionKey: string | null, now: number): ClientPayment | null {
    if (!order.prepayId) return null
    return {
      rail: 'wechatpay',
      wechatpay: requestPaymentParams(this.options.merchant, this.options.appid, order.prepayId, now),
    }
  }

  async query(order: RailOrder): Promise<PaymentStatus> {
    if (!order.prepayId) return { state: 'missing' }
    const transaction = await this.call(() => this.options.api.query(order.outTradeNo))
    if (!transaction) return { state: 'missing' }
    if (transaction.trade_state === 'SUCCESS' || transaction.trade_state === 'REFUND') {
      const evidence = this.evidence(transaction, true)
      return evidence ? { state: 'paid', evidence, deliveryPending: false } : { state: 'unpaid' }
    }
    if (transaction.trade_state === 'CLOSED' || transaction.trade_state === 'REVOKED') return { state: 'closed' }
    return { state: 'unpaid' }
  }

  async close(order: RailOrder): Promise<boolean> {
    if (!order.prepayId) return true
    try {
      await this.options.api.close(order.outTradeNo)
    } catch (error) {
      if (!(error instanceof WechatpayError)) throw error
      if (error.code !== 'ORDER_CLOSED' && error.code !== 'ORDER_NOT_EXIST')
        throw new RailUnavailable('wechatpay', `close answered ${error.status} ${error.code}`)
    }
    return true
  }

  async refund(order: RailOrder, refundNo: string, amountFen: number, reason: string): Promise<void> {
    await this.call(() =>
      this.options.api.refund({
        outTradeNo: order.outTradeNo,
        outRefundNo: refundNo,
        amountFen,
        totalFen: order.amountFen,
        reason,
        notifyUrl: `${this.options.notifyBase}/api/wechatpay/refund-notify`,
      }),
    )
  }

  async queryRefund(_order: RailOrder, refundNo: string): Promise<RefundStatus> {
    const refund = await this.call(() => this.options.api.queryRefund(refundNo))
    if (!refund) return { state: 'missing' }
    if (refund.status === 'SUCCESS') return { state: 'succeeded', amountFen: refund.amount?.refund ?? -1 }
    const failure = REFUND_FAILURES[refund.status]
    if (failure) return { state: 'failed', reason: failure }
    return { state: 'processing' }
  }

  /** WeChat Pay needs no word that the goods were delivered. */
  async confirmDelivery(): Promise<void> {}

  /** What a transaction proves, checked against this merchant; null when it proves nothing. */
  evidence(transaction: TransactionDto, refundedToo = false): PaymentEvidence | null {
    if (transaction.appid !== this.options.appid || transaction.mchid !== this.options.merchant.mchid) return null
    const paid = transaction.trade_state === 'SUCCESS' || (refundedToo && transaction.trade_state === 'REFUND')
    if (!paid || transaction.amount?.currency !== 'CNY') return null
    if (!transaction.transaction_id || !transaction.payer?.openid || transaction.amount.total === undefined) return null
    const paidAt = transaction.success_time ? Date.parse(transaction.success_time) : this.options.now()
    return {
      transactionId: transaction.transaction_id,
      amountFen: transaction.amount.total,
      openid: transaction.payer.openid,
      paidAt: Number.isNaN(paidAt) ? this.options.now() : paidAt,
    }
  }

  /** A refund notification's status in the rail-neutral terms */
  static refundOutcome(status: string): { outcome: 'succeeded' | 'failed'; reason: string } | null {
    if (status === 'SUCCESS') return { outcome: 'succeeded', reason: '' }
    const failure = REFUND_FAILURES[status]
    return failure ? { outcome: 'failed', reason: failure } : null
  }

  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (error instanceof WechatpayError)
        throw new RailUnavailable('wechatpay', `${error.api} answered ${error.status} ${error.code}`)
      throw error
    }
  }
}

function rfc3339(epochMs: number): string {
  return `${new Date(epochMs + 8 * 3600000).toISOString().slice(0, 19)}+08:00`
}
