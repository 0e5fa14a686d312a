import crypto from 'node:crypto'
import type { Kysely, Transaction, Updateable } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database, LedgerEvent, LedgerSource, OrderRow, OrderStatus, OrderTable, PaymentRail } from '../db/schema'
import { extendMembership, shortenMembership } from '../domain/membership'
import type { SecretBox } from '../domain/secret-box'
import { ApiError } from '../errors'
import { WeChatError } from '../wechat/api'
import { WechatpayError, type TransactionDto, type WechatpayApi } from './wechatpay-api'
import { XPAY_CLOSED_STATUSES, XPAY_PAID_STATUSES, type XpayApi } from './xpay-api'
import { buildSignData, paySig, userSignature } from './xpay-sign'
import { requestPaymentParams, type Merchant } from './wechatpay-sign'

/**
 * Orders and money (DESIGN.md §5). The server sets every price from the plan table; an order
 * is fulfilled only from a verified notification or the server's own order query, exactly
 * once (a conditional update, unique keys and the membership change in one transaction),
 * and every money event is appended to the ledger.
 */

/** Moves an order may make; anything else is refused. */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  created: ['pending', 'closed'],
  pending: ['paid', 'closed'],
  paid: ['fulfilled', 'refunding'],
  fulfilled: ['refunding'],
  closed: ['paid'],
  refunding: ['refunded', 'fulfilled'],
  refunded: [],
}

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to)
}

/** Where a move may start from: every status that can reach `to` */
function sources(to: OrderStatus): OrderStatus[] {
  return (Object.keys(ORDER_TRANSITIONS) as OrderStatus[]).filter((from) => canMove(from, to))
}

/**
 * The one way an order changes status: a conditional update from the statuses that may reach
 * `to`, so concurrent moves race safely. False when the order was not in such a status.
 */
async function moveOrder(
  db: Kysely<Database> | Transaction<Database>,
  orderId: number,
  to: OrderStatus,
  set: Omit<Updateable<OrderTable>, 'status'> = {},
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({ ...set, status: to })
    .where('id', '=', orderId)
    .where('status', 'in', sources(to))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export function newOutTradeNo(now: number): string {
  const day = new Date(now + 8 * 3600000).toISOString().slice(0, 10).replace(/-/g, '')
  return `BC${day}${crypto.randomBytes(10).toString('hex')}`
}

export interface PaymentEvidence {
  /** The provider's transaction id */
  transactionId: string
  amountFen: number
  openid: string
  paidAt: number
}

export type SettleOutcome = 'fulfilled' | 'already' | 'refused'

export interface PaymentsDeps {
  db: Kysely<Database>
  log: FastifyBaseLogger
  rail: PaymentRail
  appid: string
  orderExpireMs: number
  xpay: { api: XpayApi; offerId: string; appKey: string; env: 0 | 1 } | null
  wechatpay: { api: WechatpayApi; merchant: Merchant; notifyBase: string } | null
  secretBox: SecretBox | null
  /** Called after a membership changed (fulfilment, refund): cached viewers must be dropped */
  onMembershipChange: () => void
  now: () => number
}

type Executor = Kysely<Database> | Transaction<Database>

export async function ledger(
  db: Executor,
  entry: {
    orderId: number | null
    userId: number
    event: LedgerEvent
    amountFen: number
    source: LedgerSource
    detail: string
  },
  now: number,
): Promise<void> {
  await db
    .insertInto('ledger')
    .values({
      order_id: entry.orderId,
      user_id: entry.userId,
      event: entry.event,
      amount_fen: entry.amountFen,
      source: entry.source,
      detail: entry.detail.slice(0, 300),
      created_at: now,
    })
    .execute()
}

/** Records a notification under its unique key; false when the same one was handled before. */
async function firstDelivery(
  trx: Transaction<Database>,
  key: string,
  order: OrderRow,
  event: string,
  now: number,
): Promise<boolean> {
  const fresh = await trx
    .insertInto('payment_notifications')
    .values({ notification_key: key, order_id: order.id, rail: order.rail, event, received_at: now })
    .onConflict((oc) => oc.column('notification_key').doNothing())
    .returning('notification_key')
    .executeTakeFirst()
  return fresh !== undefined
}

export class Payments {
  constructor(private readonly deps: PaymentsDeps) {}

  /** Cached viewers are dropped once a transaction that changed a membership has committed. */
  private async changingMembership(
    work: (trx: Transaction<Database>) => Promise<SettleOutcome>,
  ): Promise<SettleOutcome> {
    const outcome = await this.deps.db.transaction().execute(work)
    if (outcome === 'fulfilled') this.deps.onMembershipChange()
    return outcome
  }

  get rail(): PaymentRail {
    return this.deps.rail
  }

  /** Whether this rail can sell on this platform, and what to tell the reader when it cannot. */
  purchaseFor(platform: string): { rail: PaymentRail; available: boolean; notice: string } {
    const configured = this.deps.rail === 'xpay' ? this.deps.xpay !== null : this.deps.wechatpay !== null
    if (!configured) return { rail: this.deps.rail, available: false, notice: '支付功能暂未开通，敬请期待' }
    if (this.deps.rail === 'wechatpay' && platform === 'ios') {
      return { rail: this.deps.rail, available: false, notice: '由于相关规范，iOS功能暂不可用' }
    }
    return { rail: this.deps.rail, available: true, notice: '' }
  }

  /**
   * Creates (or, for the same request key, returns) an order for a plan at the plan's price,
   * and what the client needs to pay it on the configured rail.
   */
  async createOrder(userId: number, planId: string, platform: string, requestKey: string) {
    const now = this.deps.now()
    const purchase = this.purchaseFor(platform)
    if (!purchase.available) throw new ApiError(403, 'PURCHASE_UNAVAILABLE', purchase.notice)
    const plan = await this.deps.db
      .selectFrom('plans')
      .selectAll()
      .where('id', '=', planId)
      .where('active', '=', 1)
      .executeTakeFirst()
    if (!plan) throw new ApiError(404, 'PLAN_NOT_FOUND', `there is no plan "${planId}" on sale`)
    const user = await this.deps.db
      .selectFrom('users')
      .select(['openid', 'session_key_enc'])
      .where('id', '=', userId)
      .executeTakeFirst()
    if (!user?.openid)
      throw new ApiError(403, 'WECHAT_ACCOUNT_REQUIRED', 'buying needs an account signed in with WeChat')

    const requested = async () => {
      const order = await this.deps.db
        .selectFrom('orders')
        .selectAll()
        .where('user_id', '=', userId)
        .where('request_key', '=', requestKey)
        .executeTakeFirst()
      if (order && order.plan_id !== planId)
        throw new ApiError(409, 'REQUEST_KEY_REUSED', 'this request key was used for another plan')
      return order
    }
    const existing = await requested()
    if (existing) {
      // An attempt whose rail call failed is prepared again; otherwise the same order is returned.
      const ready =
        existing.status === 'created' ? await this.prepare(existing, user.session_key_enc, plan.name) : existing
      return { order: ready, payment: this.paymentParams(ready, user.session_key_enc) }
    }

    const order = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('orders')
        .values({
          out_trade_no: newOutTradeNo(now),
          user_id: userId,
          plan_id: plan.id,
          months: plan.months,
          amount_fen: plan.price_fen,
          rail: this.deps.rail,
          status: 'created',
          openid: user.openid as string,
          platform,
          request_key: requestKey,
          created_at: now,
          expires_at: now + this.deps.orderExpireMs,
        })
        .onConflict((oc) => oc.columns(['user_id', 'request_key']).doNothing())
        .returningAll()
        .executeTakeFirst()
      if (inserted) {
        await ledger(
          trx,
          {
            orderId: inserted.id,
            userId,
            event: 'order_created',
            amountFen: plan.price_fen,
            source: 'client',
            detail: `${plan.name} via ${this.deps.rail}`,
          },
          now,
        )
      }
      return inserted
    })
    if (!order) {
      // A concurrent double tap inserted it first.
      const winner = (await requested()) as OrderRow
      return { order: winner, payment: this.paymentParams(winner, user.session_key_enc) }
    }
    const prepared = await this.prepare(order, user.session_key_enc, plan.name)
    return { order: prepared, payment: this.paymentParams(prepared, user.session_key_enc) }
  }

  /** Asks the rail for what the client pays with, and moves created → pending. */
  private async prepare(order: OrderRow, sealedSessionKey: string | null, planName: string): Promise<OrderRow> {
    const now = this.deps.now()
    let update: { sign_data?: string; prepay_id?: string }
    if (order.rail === 'xpay') {
      const xpay = this.deps.xpay as NonNullable<PaymentsDeps['xpay']>
      if (!sealedSessionKey) throw new ApiError(409, 'LOGIN_REQUIRED_FOR_PAYMENT', 'sign in again, then pay')
      update = {
        sign_data: buildSignData({
          offerId: xpay.offerId,
          buyQuantity: 1,
          env: xpay.env,
          currencyType: 'CNY',
          productId: order.plan_id,
          goodsPrice: order.amount_fen,
          outTradeNo: order.out_trade_no,
          attach: String(order.id),
        }),
      }
    } else {
      const wechatpay = this.deps.wechatpay as NonNullable<PaymentsDeps['wechatpay']>
      try {
        update = {
          prepay_id: await wechatpay.api.jsapi({
            description: `北辰遴选VIP会员-${planName}`,
            outTradeNo: order.out_trade_no,
            amountFen: order.amount_fen,
            openid: order.openid,
            notifyUrl: `${wechatpay.notifyBase}/api/wechatpay/notify`,
            timeExpire: rfc3339(order.expires_at),
          }),
        }
      } catch (error) {
        this.deps.log.warn({ err: error, orderId: order.id }, 'WeChat Pay did not take the order')
        throw new ApiError(503, 'PAYMENT_BUSY', 'WeChat Pay is busy: try again in a few seconds', {
          'retry-after': '2',
        })
      }
    }
    await moveOrder(this.deps.db, order.id, 'pending', update)
    this.deps.log.info({ orderId: order.id, rail: order.rail, at: now }, 'order pending')
    return this.order(order.id)
  }

  /** What the client calls wx.requestVirtualPayment or wx.requestPayment with; null when not payable. */
  private paymentParams(order: OrderRow, sealedSessionKey: string | null) {
    if (order.status !== 'pending') return null
    if (order.rail === 'xpay' && order.sign_data) {
      const xpay = this.deps.xpay as NonNullable<PaymentsDeps['xpay']>
      const sessionKey = sealedSessionKey && this.deps.secretBox?.open(sealedSessionKey)
      if (!sessionKey) throw new ApiError(409, 'LOGIN_REQUIRED_FOR_PAYMENT', 'sign in again, then pay')
      return {
        rail: 'xpay' as const,
        xpay: {
          mode: 'short_series_goods' as const,
          signData: order.sign_data,
          paySig: paySig(xpay.appKey, order.sign_data),
          signature: userSignature(sessionKey, order.sign_data),
        },
      }
    }
    if (order.rail === 'wechatpay' && order.prepay_id) {
      const wechatpay = this.deps.wechatpay as NonNullable<PaymentsDeps['wechatpay']>
      return {
        rail: 'wechatpay' as const,
        wechatpay: requestPaymentParams(wechatpay.merchant, this.deps.appid, order.prepay_id, this.deps.now()),
      }
    }
    return null
  }

  /**
   * Records a verified payment and grants the plan, exactly once. Refuses evidence that does
   * not match the order (amount, payer). Duplicates (same notification key, or an order
   * already paid) change nothing and report 'already'.
   */
  async settle(
    outTradeNo: string,
    evidence: PaymentEvidence,
    source: LedgerSource,
    notificationKey?: string,
  ): Promise<SettleOutcome> {
    const now = this.deps.now()
    return this.changingMembership(async (trx) => {
      const order = await trx.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst()
      if (!order) {
        this.deps.log.warn({ outTradeNo, source }, 'payment for an unknown order refused')
        return 'refused'
      }
      if (evidence.amountFen !== order.amount_fen || evidence.openid !== order.openid) {
        this.deps.log.warn(
          { orderId: order.id, source, amount: evidence.amountFen },
          'payment does not match its order: refused',
        )
        return 'refused'
      }
      if (notificationKey && !(await firstDelivery(trx, notificationKey, order, 'paid', now))) return 'already'
      if (
        !(await moveOrder(trx, order.id, 'paid', { paid_at: evidence.paidAt, transaction_id: evidence.transactionId }))
      )
        return 'already'
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'paid',
          amountFen: order.amount_fen,
          source,
          detail: `transaction ${evidence.transactionId}`,
        },
        now,
      )
      const period = await extendMembership(trx, order.user_id, order.months, now)
      await moveOrder(trx, order.id, 'fulfilled', {
        fulfilled_at: now,
        granted_from: period.from,
        granted_until: period.until,
      })
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'fulfilled',
          amountFen: order.amount_fen,
          source,
          detail: `VIP ${order.months} month(s) until ${new Date(period.until).toISOString()}`,
        },
        now,
      )
      return 'fulfilled'
    })
  }

  /** Closes a pending order that was not paid (on the rail first, where the rail has a close). */
  async close(order: OrderRow, source: LedgerSource): Promise<boolean> {
    const now = this.deps.now()
    if (order.rail === 'wechatpay' && order.prepay_id && this.deps.wechatpay) {
      try {
        await this.deps.wechatpay.api.close(order.out_trade_no)
      } catch (error) {
        if (!(error instanceof WechatpayError) || error.code !== 'ORDER_CLOSED') throw error
      }
    }
    return this.deps.db.transaction().execute(async (trx) => {
      if (!(await moveOrder(trx, order.id, 'closed', { closed_at: now }))) return false
      await ledger(
        trx,
        { orderId: order.id, userId: order.user_id, event: 'closed', amountFen: 0, source, detail: 'not paid' },
        now,
      )
      return true
    })
  }

  /**
   * A 消息推送 delivery in plain mode: its signature covers the token, timestamp and nonce but not the
   * body, so the body proves nothing (signed URLs can end up in access logs). The order named is only
   * queried, and fulfilled from the rail's own answer. Null when there is no such order.
   */
  async confirmPushedDelivery(outTradeNo: string): Promise<OrderRow | null> {
    const order = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', outTradeNo)
      .executeTakeFirst()
    // The push's own answer tells WeChat the goods were delivered.
    return order ? this.check(order, 'query', { deliveryAnswered: true }) : null
  }

  /** Asks the rail about a pending order: fulfils it when paid, closes it when it expired unpaid. Returns it as it is now. */
  async check(order: OrderRow, source: LedgerSource, options: { deliveryAnswered?: boolean } = {}): Promise<OrderRow> {
    if (order.status !== 'pending' && order.status !== 'created') return order
    const now = this.deps.now()
    await this.deps.db.updateTable('orders').set({ last_queried_at: now }).where('id', '=', order.id).execute()
    try {
      if (order.rail === 'wechatpay' && this.deps.wechatpay) {
        const transaction = order.prepay_id ? await this.deps.wechatpay.api.query(order.out_trade_no) : null
        if (transaction && transaction.trade_state === 'SUCCESS') {
          const evidence = this.evidenceFromTransaction(transaction)
          if (evidence) await this.settle(order.out_trade_no, evidence, source)
        } else if (order.expires_at <= now) await this.close(order, source)
      } else if (order.rail === 'xpay' && this.deps.xpay) {
        const found = await this.deps.xpay.api.queryOrder(order.openid, order.out_trade_no)
        if (found && XPAY_PAID_STATUSES.has(found.status)) {
          const outcome = await this.settle(
            order.out_trade_no,
            {
              transactionId: found.wxpay_order_id ?? found.wx_order_id ?? '',
              amountFen: found.paid_fee ?? found.order_fee ?? -1,
              openid: order.openid,
              paidAt: (found.paid_time ?? Math.floor(now / 1000)) * 1000,
            },
            source,
          )
          // The push was lost: tell WeChat the goods were delivered.
          if (outcome === 'fulfilled' && found.status === 2 && !options.deliveryAnswered)
            await this.deps.xpay.api.notifyProvideGoods(order.out_trade_no)
        } else if (
          (!found || XPAY_CLOSED_STATUSES.has(found.status) || found.status === 1) &&
          order.expires_at <= now
        ) {
          await this.close(order, source)
        }
      }
    } catch (error) {
      if (!(error instanceof WeChatError) && !(error instanceof WechatpayError)) throw error
      this.deps.log.warn({ err: error, orderId: order.id }, 'order query failed; the sweep will try again')
    }
    return this.order(order.id)
  }

  private order(id: number): Promise<OrderRow> {
    return this.deps.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  }

  /** The reader gave up on an order: it is queried first (a payment that went through is kept), then closed. */
  async cancel(order: OrderRow): Promise<OrderRow> {
    const fresh = await this.check(order, 'client')
    if (fresh.status !== 'pending' && fresh.status !== 'created') return fresh
    try {
      await this.close(fresh, 'client')
    } catch (error) {
      if (!(error instanceof WechatpayError)) throw error
      throw new ApiError(503, 'PAYMENT_BUSY', 'WeChat Pay is busy: the order closes by itself when it expires', {
        'retry-after': '2',
      })
    }
    return this.order(order.id)
  }

  /** Checks what a WeChat Pay transaction says against this server's configuration. */
  evidenceFromTransaction(transaction: TransactionDto): PaymentEvidence | null {
    const wechatpay = this.deps.wechatpay
    if (!wechatpay || transaction.appid !== this.deps.appid || transaction.mchid !== wechatpay.merchant.mchid)
      return null
    if (transaction.trade_state !== 'SUCCESS' || transaction.amount?.currency !== 'CNY') return null
    if (!transaction.transaction_id || !transaction.payer?.openid || transaction.amount.total === undefined) return null
    const paidAt = transaction.success_time ? Date.parse(transaction.success_time) : this.deps.now()
    return {
      transactionId: transaction.transaction_id,
      amountFen: transaction.amount.total,
      openid: transaction.payer.openid,
      paidAt: Number.isNaN(paidAt) ? this.deps.now() : paidAt,
    }
  }

  /** Starts a full refund of a fulfilled order; the refund completes on the rail's notification. */
  async refund(orderId: number, reason: string): Promise<OrderRow> {
    const now = this.deps.now()
    const order = await this.deps.db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `there is no order ${orderId}`)
    if (order.platform === 'ios' && order.rail === 'xpay') {
      throw new ApiError(409, 'IOS_REFUND_BY_APPLE', 'iOS purchases are refunded by Apple, not by the publisher')
    }
    const refundNo = order.refund_no ?? `R${order.out_trade_no.slice(1)}`
    const moved = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await moveOrder(trx, order.id, 'refunding', { refund_no: refundNo }))) return false
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'refund_requested',
          amountFen: order.amount_fen,
          source: 'admin',
          detail: reason,
        },
        now,
      )
      return true
    })
    if (!moved && order.status !== 'refunding') {
      throw new ApiError(
        409,
        'ORDER_NOT_REFUNDABLE',
        `order ${orderId} is ${order.status}: only fulfilled orders can be refunded`,
      )
    }
    if (order.rail === 'wechatpay' && this.deps.wechatpay) {
      await this.deps.wechatpay.api.refund({
        outTradeNo: order.out_trade_no,
        outRefundNo: refundNo,
        amountFen: order.amount_fen,
        reason,
        notifyUrl: `${this.deps.wechatpay.notifyBase}/api/wechatpay/refund-notify`,
      })
    } else if (order.rail === 'xpay' && this.deps.xpay) {
      await this.deps.xpay.api.refundOrder({
        openid: order.openid,
        orderId: order.out_trade_no,
        refundOrderId: refundNo,
        amountFen: order.amount_fen,
        reason,
      })
    }
    return this.order(order.id)
  }

  /** A refund the rail reports as done: takes back the period the order granted, once. */
  async refunded(
    outTradeNo: string,
    refundNo: string,
    amountFen: number,
    source: LedgerSource,
    notificationKey?: string,
  ): Promise<SettleOutcome> {
    const now = this.deps.now()
    return this.changingMembership(async (trx) => {
      const order = await trx.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst()
      if (!order || order.refund_no !== refundNo || amountFen !== order.amount_fen) return 'refused'
      if (notificationKey && !(await firstDelivery(trx, notificationKey, order, 'refunded', now))) return 'already'
      if (!(await moveOrder(trx, order.id, 'refunded', { refunded_at: now }))) return 'already'
      const period =
        order.granted_until !== null && order.granted_from !== null ? order.granted_until - order.granted_from : 0
      const expiresAt = await shortenMembership(trx, order.user_id, period, now)
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'refunded',
          amountFen: -order.amount_fen,
          source,
          detail: `refund ${refundNo}; VIP now until ${new Date(expiresAt).toISOString()}`,
        },
        now,
      )
      return 'fulfilled'
    })
  }
}

function rfc3339(epochMs: number): string {
  return `${new Date(epochMs + 8 * 3600000).toISOString().slice(0, 19)}+08:00`
}
