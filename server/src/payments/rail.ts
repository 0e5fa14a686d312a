import type { PaymentRail } from '../db/schema'

/**
 * One payment rail (virtual payment, WeChat Pay JSAPI) as the order state machine sees it. A rail
 * knows how to make something payable, what the client pays with, and how to ask, close and refund;
 * it knows nothing of plans, memberships or the ledger, so any goods can be sold through it.
 */

/** What a rail verified about a payment: the order is settled only from this */
export interface PaymentEvidence {
  /** The provider's transaction id */
  transactionId: string
  amountFen: number
  openid: string
  paidAt: number
}

/** An order as a rail needs it: no plan, no membership */
export interface RailOrder {
  id: number
  outTradeNo: string
  amountFen: number
  /** Fen refunded so far */
  refundedFen: number
  openid: string
  /** The rail's product (xpay productId), e.g. a plan id */
  productId: string
  /** What the payer's receipt says */
  description: string
  expiresAt: number
  prepayId: string | null
  signData: string | null
}

/** The rail's answer about a payment */
export type PaymentStatus =
  /** Paid; `deliveryPending` when the rail still waits to hear that the goods were delivered */
  | { state: 'paid'; evidence: PaymentEvidence; deliveryPending: boolean }
  /** Not paid, and may still be */
  | { state: 'unpaid' }
  /** Can no longer be paid */
  | { state: 'closed' }
  /** The rail has no such order (yet: xpay learns of an order when the reader opens the cashier) */
  | { state: 'missing' }

/** The rail's answer about a refund */
export type RefundStatus =
  | { state: 'succeeded'; amountFen: number }
  | { state: 'processing' }
  | { state: 'failed'; reason: string }
  | { state: 'missing' }

/** What the client calls wx.requestVirtualPayment or wx.requestPayment with */
export type ClientPayment =
  | {
      rail: 'xpay'
      xpay: { mode: 'short_series_goods'; signData: string; paySig: string; signature: string }
    }
  | {
      rail: 'wechatpay'
      wechatpay: { timeStamp: string; nonceStr: string; package: string; signType: 'RSA'; paySign: string }
    }

/** A verified notification, in no rail's terms */
export type RailEvent =
  | { kind: 'paid'; outTradeNo: string; evidence: PaymentEvidence; key: string }
  | {
      kind: 'refund'
      outTradeNo: string
      refundNo: string
      amountFen: number
      outcome: 'succeeded' | 'failed'
      reason: string
      key: string
    }
  /** A claim the notification's signature does not cover (plain 消息推送): only a query may settle it */
  | { kind: 'check-payment'; outTradeNo: string }
  | { kind: 'check-refund'; outTradeNo: string; refundNo: string }

/** Raised by a rail that could not be reached or answered with an error: the caller tries again later */
export class RailUnavailable extends Error {
  constructor(
    readonly rail: PaymentRail,
    readonly detail: string,
  ) {
    super(`${rail}: ${detail}`)
    this.name = 'RailUnavailable'
  }
}

export interface PaymentRailAdapter {
  readonly name: PaymentRail
  /** Why this rail cannot sell on this platform (the reader is told), or null */
  unavailableOn(platform: string): string | null
  /** Makes the order payable; what to store on it. Needs the payer's sealed session key for xpay. */
  prepare(order: RailOrder, sealedSessionKey: string | null): Promise<{ sign_data?: string; prepay_id?: string }>
  /** What the client pays a prepared order with */
  clientPayment(order: RailOrder, sealedSessionKey: string | null, now: number): ClientPayment | null
  query(order: RailOrder): Promise<PaymentStatus>
  /** Makes the order unpayable where the rail can; false when the rail has no close (xpay) */
  close(order: RailOrder): Promise<boolean>
  /** Asks for a refund; the same refund number never refunds twice */
  refund(order: RailOrder, refundNo: string, amountFen: number, reason: string): Promise<void>
  queryRefund(order: RailOrder, refundNo: string): Promise<RefundStatus>
  /** Tells the rail the goods were delivered, when a query (not a push) found the payment */
  confirmDelivery(order: RailOrder): Promise<void>
}
