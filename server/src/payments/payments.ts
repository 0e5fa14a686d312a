import crypto from 'node:crypto'
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'
import type { Logger } from '../infra/log'
import type {
  Database,
  LedgerEvent,
  LedgerSource,
  LedgerTable,
  OrderRow,
  OrderStatus,
  OrderTable,
  PaymentRail,
} from '../db/schema'
import type { OrderSource } from '../domain/funnel'
import { extendMembership, shortenMembership } from '../domain/membership'
import { ApiError } from '../errors'
import { releaseStock, retakeStock } from './goods-stock'
import { ledger } from './ledger'
import {
  RailUnavailable,
  type ClientPayment,
  type PaymentEvidence,
  type PaymentRailAdapter,
  type RailEvent,
  type RailOrder,
} from './rail'

export type { PaymentEvidence } from './rail'
export type { LedgerEvent, OrderRow, OrderStatus, PaymentRail } from '../db/schema'
export type LedgerRow = Selectable<LedgerTable>
export { ledger }

/**
 * Orders and money. The server sets every price from the plan table; an order is fulfilled only
 * from a verified notification or the server's own query of the rail, exactly once (a conditional
 * update, unique keys and the membership change in one transaction), and every money event is
 * appended to the ledger. The rails (./rail.ts) only carry messages; every rule is here.
 */

/** Moves an order may make; anything else is refused. */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  created: ['pending', 'closed'],
  pending: ['paid', 'closed'],
  paid: ['fulfilled', 'refunding'],
  // Refunded elsewhere (merchant console, a complaint): verified, and the VIP shortened.
  fulfilled: ['refunding', 'refunded'],
  // A reader can still pay a virtual-payment order closed here: WeChat has no close for it.
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

type Executor = Kysely<Database> | Transaction<Database>

/**
 * The one way an order changes status: a conditional update from the statuses that may reach
 * `to` (or from exactly `from`), so concurrent moves race safely. False when the order was not in such a status.
 */
async function moveOrder(
  db: Executor,
  orderId: number,
  to: OrderStatus,
  set: Omit<Updateable<OrderTable>, 'status'> = {},
  from: OrderStatus[] = sources(to),
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({ ...set, status: to })
    .where('id', '=', orderId)
    .where('status', 'in', from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * 已发货: a paid goods order is shipped, in the transaction that writes its shipment
 * (domain/shipping.ts). Goods orders use `fulfilled` for it: fulfilled_at is when it shipped.
 */
export function markShipped(trx: Transaction<Database>, orderId: number, now: number): Promise<boolean> {
  return moveOrder(trx, orderId, 'fulfilled', { fulfilled_at: now }, ['paid'])
}

function tradeNo(prefix: string, now: number): string {
  const day = new Date(now + 8 * 3600000).toISOString().slice(0, 10).replace(/-/g, '')
  return `${prefix}${day}${crypto.randomBytes(10).toString('hex')}`
}

export function newOutTradeNo(now: number): string {
  return tradeNo('BC', now)
}

/** A fresh number for each refund attempt: a rail refunds one number once, so a retry after a failure needs a new one */
export function newRefundNo(now: number): string {
  return tradeNo('RF', now)
}

/** 'paid': a goods order, now waiting to be shipped (待发货) */
export type SettleOutcome = 'fulfilled' | 'paid' | 'already' | 'refused'
export type RefundOutcome = 'refunded' | 'failed' | 'already' | 'refused' | 'ignored'

export interface PaymentsDeps {
  db: Kysely<Database>
  log: Logger
  /** The rail that sells VIP plans */
  rail: PaymentRail
  /** Configured rails; an order is always served by the rail it was made on */
  rails: Partial<Record<PaymentRail, PaymentRailAdapter>>
  orderExpireMs: number
  /** How long after an order is made the rail is first asked about it */
  firstQueryAfterMs: number
  /** When an unsettled order stops being asked about: WeChat's own order lifetime and notification schedule are over */
  giveUpAfterMs: number
  /** Why an unconfigured rail cannot be used, naming the settings it lacks */
  unconfigured: (rail: PaymentRail) => string
  /** Called after a membership changed (fulfilment, refund): cached viewers must be dropped */
  onMembershipChange: () => void
  /** Called after an order was fulfilled, with the time from the rail's paid time to fulfilment (metrics) */
  onFulfilled?: (fulfilment: { rail: PaymentRail; source: LedgerSource; lagMs: number }) => void
  now: () => number
}

/** The longest wait between two queries of one order */
const MAX_BACKOFF_MS = 6 * 3600000

/** Records an event under its unique key; false when the same one was handled before. */
async function firstDelivery(
  trx: Transaction<Database>,
  key: string,
  order: OrderRow,
  event: string,
  now: number,
): Promise<boolean> {
  const fresh = await trx
    .insertInto('payment_notifications')
    .values({ notification_key: key.slice(0, 128), order_id: order.id, rail: order.rail, event, received_at: now })
    .onConflict((oc) => oc.column('notification_key').doNothing())
    .returning('notification_key')
    .executeTakeFirst()
  return fresh !== undefined
}

/** A paid course order opens its course to the reader: one grant per order (its primary key) */
async function grantCourse(trx: Transaction<Database>, order: OrderRow, now: number): Promise<void> {
  if (order.course_id === null) throw new Error(`course order ${order.id} names no course`)
  await trx
    .insertInto('course_grants')
    .values({ order_id: order.id, user_id: order.user_id, course_id: order.course_id, granted_at: now })
    .onConflict((oc) => oc.column('order_id').doNothing())
    .execute()
}

/** A course order refunded: its grant ends (once) */
async function revokeCourse(trx: Transaction<Database>, orderId: number, now: number): Promise<void> {
  await trx
    .updateTable('course_grants')
    .set({ revoked_at: now })
    .where('order_id', '=', orderId)
    .where('revoked_at', 'is', null)
    .execute()
}

/** Statuses in which the rail may still change the order's fate */
const OPEN: ReadonlySet<OrderStatus> = new Set(['created', 'pending', 'refunding'])

/** What WeChat's cashier and the bill say the reader is paying for */
const orderDescription = (planName: string) => `北辰遴选VIP会员-${planName}`

/** The 道具 id of a course sold alone in WeChat's virtual payment console, registered there at the course's price */
export const courseProductId = (courseId: number) => `course_${courseId}`

export class Payments {
  constructor(private readonly deps: PaymentsDeps) {}

  get rail(): PaymentRail {
    return this.deps.rail
  }

  /** The rails this server can reach */
  configuredRails(): PaymentRail[] {
    return (Object.keys(this.deps.rails) as PaymentRail[]).filter((name) => this.deps.rails[name])
  }

  /** Why a rail cannot be used here (the settings it lacks), or null when it can */
  unconfiguredReason(rail: PaymentRail): string | null {
    return this.railOf(rail) ? null : this.deps.unconfigured(rail)
  }

  /** The adapter of a configured rail, or null */
  railOf(name: PaymentRail): PaymentRailAdapter | null {
    return this.deps.rails[name] ?? null
  }

  /** Whether this rail can sell on this platform, and what to tell the reader when it cannot. */
  purchaseFor(platform: string): { rail: PaymentRail; available: boolean; notice: string } {
    const adapter = this.railOf(this.deps.rail)
    if (!adapter) return { rail: this.deps.rail, available: false, notice: '支付功能暂未开通，敬请期待' }
    const refusal = adapter.unavailableOn(platform)
    return { rail: this.deps.rail, available: refusal === null, notice: refusal ?? '' }
  }

  // ---- reading orders ---------------------------------------------------------------------------

  order(id: number): Promise<OrderRow> {
    return this.deps.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  }

  findOrder(id: number): Promise<OrderRow | undefined> {
    return this.deps.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  }

  /** A reader's own order, or a 404 that says nothing of other readers' orders */
  async orderOf(userId: number, id: number): Promise<OrderRow> {
    const order = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `you have no order ${id}`)
    return order
  }

  /** A reader's orders, newest first (attempts never sent to a rail are left out) */
  ordersOf(userId: number, limit = 100): Promise<OrderRow[]> {
    return this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('status', '!=', 'created')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute()
  }

  /**
   * Orders for the operator, newest first, by status, rail and/or reader; `before` continues a
   * page after the last row seen (created_at, id), as the console's cursor carries it.
   */
  listOrders(filter: {
    status?: OrderStatus
    rail?: PaymentRail
    userId?: number
    planId?: string
    /** Created at or after (epoch ms) */
    createdFrom?: number
    /** Created before (epoch ms) */
    createdUntil?: number
    limit?: number
    before?: { createdAt: number; id: number }
  }): Promise<OrderRow[]> {
    let query = this.deps.db.selectFrom('orders').selectAll()
    if (filter.status) query = query.where('status', '=', filter.status)
    if (filter.rail) query = query.where('rail', '=', filter.rail)
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId)
    if (filter.planId !== undefined) query = query.where('plan_id', '=', filter.planId)
    if (filter.createdFrom !== undefined) query = query.where('created_at', '>=', filter.createdFrom)
    if (filter.createdUntil !== undefined) query = query.where('created_at', '<', filter.createdUntil)
    const before = filter.before
    if (before)
      query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(before.createdAt, before.id)))
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute()
  }

  /** Ledger rows of one order and/or reader (optionally only some events), newest first */
  ledgerOf(filter: {
    orderId?: number
    userId?: number
    events?: LedgerEvent[]
    limit?: number
  }): Promise<LedgerRow[]> {
    let query = this.deps.db.selectFrom('ledger').selectAll()
    if (filter.orderId !== undefined) query = query.where('order_id', '=', filter.orderId)
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId)
    if (filter.events && filter.events.length > 0) query = query.where('event', 'in', filter.events)
    return query
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 500)
      .execute()
  }

  /** How many orders are in each status (one grouped query; statuses without orders are 0) */
  async orderCounts(): Promise<Record<OrderStatus, number>> {
    const rows = await this.deps.db
      .selectFrom('orders')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('count')])
      .groupBy('status')
      .execute()
    const counts = Object.fromEntries(Object.keys(ORDER_TRANSITIONS).map((status) => [status, 0])) as Record<
      OrderStatus,
      number
    >
    for (const row of rows) counts[row.status] = Number(row.count)
    return counts
  }

  async planNames(): Promise<Map<string, string>> {
    const plans = await this.deps.db.selectFrom('plans').select(['id', 'name']).execute()
    return new Map(plans.map((plan) => [plan.id, plan.name]))
  }

  // ---- buying -----------------------------------------------------------------------------------

  /**
   * A new order's row as every kind of order starts: a fresh number, `created`, and when it expires
   * and is first asked about; the caller adds what it sells, to whom, at what price, on which rail.
   */
  newOrder(
    fields: Omit<Insertable<OrderTable>, 'out_trade_no' | 'status' | 'created_at' | 'expires_at' | 'next_query_at'>,
    now: number,
  ): Insertable<OrderTable> {
    return {
      ...fields,
      out_trade_no: newOutTradeNo(now),
      status: 'created',
      created_at: now,
      expires_at: now + this.deps.orderExpireMs,
      next_query_at: now + this.deps.firstQueryAfterMs,
    }
  }

  /**
   * Creates (or, for the same request key, returns) an order for a plan at the plan's price,
   * and what the client needs to pay it on the configured rail.
   */
  async createOrder(
    userId: number,
    planId: string,
    platform: string,
    requestKey: string,
    /** Where it was bought from (domain/funnel.ts orderSource), stored as given; the price ignores it */
    source?: OrderSource,
  ) {
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
    const description = orderDescription(plan.name)

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
        existing.status === 'created' ? await this.prepare(existing, user.session_key_enc, description) : existing
      return { order: ready, payment: this.clientPayment(ready, user.session_key_enc, description) }
    }

    const order = await this.deps.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('orders')
        .values(
          this.newOrder(
            {
              user_id: userId,
              plan_id: plan.id,
              months: plan.months,
              amount_fen: plan.price_fen,
              rail: this.deps.rail,
              openid: user.openid as string,
              platform,
              request_key: requestKey,
              ...source,
            },
            now,
          ),
        )
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
      return { order: winner, payment: this.clientPayment(winner, user.session_key_enc, description) }
    }
    const prepared = await this.prepare(order, user.session_key_enc, description)
    return { order: prepared, payment: this.clientPayment(prepared, user.session_key_enc, description) }
  }

  /**
   * 继续支付: what the client pays a pending order of its own with, again (the reader closed the
   * sheet, or the app was killed meanwhile). Same order, same amount and rail; 409 once it is paid,
   * closed or past its expiry, when only a new order can be paid.
   */
  async resumePayment(order: OrderRow) {
    if (order.status !== 'pending' || order.expires_at <= this.deps.now()) {
      throw new ApiError(409, 'ORDER_NOT_PAYABLE', `order ${order.id} can no longer be paid: place a new one`)
    }
    const [user, plan] = await Promise.all([
      this.deps.db.selectFrom('users').select('session_key_enc').where('id', '=', order.user_id).executeTakeFirst(),
      this.deps.db.selectFrom('plans').select('name').where('id', '=', order.plan_id).executeTakeFirst(),
    ])
    const description = orderDescription(plan?.name ?? order.plan_id)
    return { order, payment: this.clientPayment(order, user?.session_key_enc ?? null, description) }
  }

  /**
   * What the client pays an order made elsewhere (a goods order, payments/goods.ts) with: the rail
   * is asked first when it has not taken the order yet (created → pending).
   */
  async payable(order: OrderRow, description: string) {
    const user = await this.deps.db
      .selectFrom('users')
      .select('session_key_enc')
      .where('id', '=', order.user_id)
      .executeTakeFirst()
    const sealed = user?.session_key_enc ?? null
    const ready = order.status === 'created' ? await this.prepare(order, sealed, description) : order
    return { order: ready, payment: this.clientPayment(ready, sealed, description) }
  }

  /** The order as its rail sees it: amounts and ids, no plan or membership */
  private railOrder(order: OrderRow, description = ''): RailOrder {
    return {
      id: order.id,
      outTradeNo: order.out_trade_no,
      amountFen: order.amount_fen,
      refundedFen: order.refunded_fen,
      openid: order.openid,
      productId: order.kind === 'course' && order.course_id !== null ? courseProductId(order.course_id) : order.plan_id,
      description,
      expiresAt: order.expires_at,
      prepayId: order.prepay_id,
      signData: order.sign_data,
    }
  }

  private adapterFor(order: OrderRow): PaymentRailAdapter {
    const adapter = this.railOf(order.rail)
    if (!adapter) throw new ApiError(503, 'PAYMENT_UNAVAILABLE', this.deps.unconfigured(order.rail))
    return adapter
  }

  /** Asks the rail for what the client pays with, and moves created → pending. */
  private async prepare(order: OrderRow, sealedSessionKey: string | null, description: string): Promise<OrderRow> {
    let update: { sign_data?: string; prepay_id?: string }
    try {
      update = await this.adapterFor(order).prepare(this.railOrder(order, description), sealedSessionKey)
    } catch (error) {
      if (!(error instanceof RailUnavailable)) throw error
      this.deps.log.warn({ err: error, orderId: order.id }, 'the rail did not take the order')
      throw new ApiError(503, 'PAYMENT_BUSY', 'WeChat Pay is busy: try again in a few seconds', { 'retry-after': '2' })
    }
    await moveOrder(this.deps.db, order.id, 'pending', update)
    this.deps.log.info({ orderId: order.id, rail: order.rail }, 'order pending')
    return this.order(order.id)
  }

  private clientPayment(order: OrderRow, sealedSessionKey: string | null, description: string): ClientPayment | null {
    if (order.status !== 'pending') return null
    return this.adapterFor(order).clientPayment(this.railOrder(order, description), sealedSessionKey, this.deps.now())
  }

  // ---- settling ---------------------------------------------------------------------------------

  /**
   * Records a verified payment and grants the plan, exactly once. Refuses evidence that does
   * not match the order (amount, payer). Duplicates (same notification key, or an order
   * already paid) change nothing and report 'already'. A closed order that was paid after all
   * is settled too: the reader paid, so the reader gets what they paid for.
   */
  async settle(
    outTradeNo: string,
    evidence: PaymentEvidence,
    source: LedgerSource,
    notificationKey?: string,
  ): Promise<SettleOutcome> {
    const now = this.deps.now()
    let rail: PaymentRail | null = null
    const outcome = await this.deps.db.transaction().execute(async (trx): Promise<SettleOutcome> => {
      const order = await trx.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst()
      rail = order?.rail ?? null
      if (!order) {
        this.deps.log.warn({ source }, 'payment for an unknown order refused')
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
      const goods = order.kind === 'goods'
      if (
        !(await moveOrder(trx, order.id, 'paid', {
          paid_at: evidence.paidAt,
          transaction_id: evidence.transactionId,
          // A goods order rests here, waiting to be shipped (待发货): nothing left to ask the rail.
          ...(goods ? { next_query_at: null } : {}),
        }))
      )
        return 'already'
      let late = ''
      if (order.status === 'closed') {
        late = ' (after the order was closed)'
        // Its copies went back to the shelf when it closed: they are taken again, never below zero.
        if (goods)
          late = (await retakeStock(trx, order.id))
            ? ' (after the order was closed; stock taken again)'
            : ' (after the order was closed; OUT OF STOCK: restock or refund)'
      }
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'paid',
          amountFen: order.amount_fen,
          source,
          detail: `transaction ${evidence.transactionId}${late}`,
        },
        now,
      )
      if (goods) return 'paid'
      // What the order grants: its course, or its months of VIP.
      let granted: string
      let period: { from: number; until: number } | null = null
      if (order.kind === 'course') {
        await grantCourse(trx, order, now)
        granted = `course ${order.course_id} opened`
      } else {
        period = await extendMembership(trx, order.user_id, order.months, now)
        granted = `VIP ${order.months} month(s) until ${new Date(period.until).toISOString()}`
      }
      await moveOrder(trx, order.id, 'fulfilled', {
        fulfilled_at: now,
        ...(period ? { granted_from: period.from, granted_until: period.until } : {}),
        next_query_at: null,
      })
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'fulfilled',
          amountFen: order.amount_fen,
          source,
          detail: granted,
        },
        now,
      )
      return 'fulfilled'
    })
    if (outcome === 'fulfilled') {
      this.deps.onMembershipChange()
      if (rail) this.deps.onFulfilled?.({ rail, source, lagMs: now - evidence.paidAt })
    }
    return outcome
  }

  /** Closes an unpaid order (at the rail first, where the rail has a close). */
  async close(order: OrderRow, source: LedgerSource, detail = 'not paid'): Promise<boolean> {
    const now = this.deps.now()
    const closedAtRail = await this.adapterFor(order).close(this.railOrder(order))
    return this.deps.db.transaction().execute(async (trx) => {
      // A virtual-payment order can still be paid on the phone: keep asking until WeChat's lifetime ends.
      const next = closedAtRail ? null : this.nextQueryAt(order, order.query_attempts, now)
      if (!(await moveOrder(trx, order.id, 'closed', { closed_at: now, next_query_at: next }))) return false
      if (order.kind === 'goods') await releaseStock(trx, order.id)
      await ledger(
        trx,
        { orderId: order.id, userId: order.user_id, event: 'closed', amountFen: 0, source, detail },
        now,
      )
      return true
    })
  }

  /**
   * Asks the rail about an order whose fate the rail may still change: fulfils it when paid (a
   * closed one too), closes it when it expired unpaid, finishes or retries its refund. Then
   * schedules the next query with back-off, or gives up once WeChat's lifetime for it is over.
   * Returns the order as it is now.
   */
  async check(order: OrderRow, source: LedgerSource, options: { deliveryAnswered?: boolean } = {}): Promise<OrderRow> {
    if (!OPEN.has(order.status) && order.status !== 'closed') return order
    const now = this.deps.now()
    const adapter = this.adapterFor(order)
    let problem = ''
    try {
      if (order.status === 'refunding') await this.checkRefund(order, adapter, source)
      else {
        const status = await adapter.query(this.railOrder(order))
        if (status.state === 'paid') {
          const outcome = await this.settle(order.out_trade_no, status.evidence, source)
          // The push was lost: tell WeChat the goods were delivered.
          if (outcome === 'fulfilled' && status.deliveryPending && !options.deliveryAnswered)
            await adapter.confirmDelivery(this.railOrder(order))
        } else if (now >= order.created_at + this.deps.giveUpAfterMs) {
          await this.giveUp(order, `the rail says ${status.state}`)
        } else if (order.status !== 'closed' && (status.state === 'closed' || order.expires_at <= now)) {
          await this.close(order, source)
        }
      }
    } catch (error) {
      if (!(error instanceof RailUnavailable)) throw error
      problem = error.detail
      this.deps.log.warn({ err: error, orderId: order.id }, 'order query failed; the sweep will try again')
    }
    return this.schedule(await this.order(order.id), problem)
  }

  /** When the order is next asked about: later each time, never after an open order's expiry */
  private nextQueryAt(order: OrderRow, attempts: number, now: number): number {
    const base = Math.max(this.deps.firstQueryAfterMs, 30000)
    let next = now + Math.min(base * 2 ** Math.min(attempts, 20), MAX_BACKOFF_MS)
    if (order.status === 'pending' && now < order.expires_at) next = Math.min(next, order.expires_at)
    return next
  }

  private async schedule(order: OrderRow, problem: string): Promise<OrderRow> {
    const now = this.deps.now()
    const open = OPEN.has(order.status) || (order.status === 'closed' && order.next_query_at !== null)
    if (!open) {
      if (order.next_query_at === null) return order
      await this.deps.db.updateTable('orders').set({ next_query_at: null }).where('id', '=', order.id).execute()
      return { ...order, next_query_at: null }
    }
    if (order.status !== 'refunding' && now >= order.created_at + this.deps.giveUpAfterMs) {
      await this.giveUp(order, problem)
      return this.order(order.id)
    }
    const attempts = order.query_attempts + 1
    const next = this.nextQueryAt(order, attempts, now)
    await this.deps.db
      .updateTable('orders')
      // One write: when it was asked (GET /orders/:id spaces its own queries by it) and when to ask next.
      .set({ next_query_at: next, query_attempts: attempts, last_queried_at: now })
      .where('id', '=', order.id)
      .where('status', '=', order.status)
      .execute()
    return { ...order, next_query_at: next, query_attempts: attempts, last_queried_at: now }
  }

  /** WeChat can no longer settle this order: it is closed for good and stops being asked about. */
  private async giveUp(order: OrderRow, problem: string): Promise<void> {
    const now = this.deps.now()
    await this.deps.db.transaction().execute(async (trx) => {
      const moved =
        order.status === 'closed'
          ? Number(
              (
                await trx
                  .updateTable('orders')
                  .set({ next_query_at: null })
                  .where('id', '=', order.id)
                  .where('status', '=', 'closed')
                  .where('next_query_at', 'is not', null)
                  .executeTakeFirst()
              ).numUpdatedRows,
            ) === 1
          : await moveOrder(trx, order.id, 'closed', { closed_at: now, next_query_at: null }, ['created', 'pending'])
      if (!moved) return
      if (order.kind === 'goods') await releaseStock(trx, order.id)
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'reconcile_gave_up',
          amountFen: 0,
          source: 'sweep',
          detail: `not paid after ${order.query_attempts + 1} queries${problem ? `; last: ${problem}` : ''}`,
        },
        now,
      )
    })
    this.deps.log.warn({ orderId: order.id }, 'reconciliation gave up on an order WeChat can no longer settle')
  }

  /** The reader gave up on an order: it is queried first (a payment that went through is kept), then closed. */
  async cancel(order: OrderRow): Promise<OrderRow> {
    const fresh = await this.check(order, 'client')
    if (fresh.status !== 'pending' && fresh.status !== 'created') return fresh
    try {
      await this.close(fresh, 'client', 'cancelled by the reader')
    } catch (error) {
      if (!(error instanceof RailUnavailable)) throw error
      throw new ApiError(503, 'PAYMENT_BUSY', 'WeChat Pay is busy: the order closes by itself when it expires', {
        'retry-after': '2',
      })
    }
    return this.order(order.id)
  }

  // ---- refunds ----------------------------------------------------------------------------------

  /**
   * Starts a refund of what is left of a fulfilled order. It completes on the rail's notification
   * or the refund sweep's query; a refund the rail refuses puts the order back where it was, with the reason.
   * Goods orders (docs/store.md): in full while waiting to be shipped (paid), `amountFen` of what is
   * left once shipped; the bound is checked in the transaction that starts the refund. `requestedBy`
   * names who asked in the ledger: an operator, or the reader (申请退款 of an order not shipped yet).
   */
  async refund(
    orderId: number,
    reason: string,
    amountFen?: number,
    requestedBy: Extract<LedgerSource, 'admin' | 'client'> = 'admin',
  ): Promise<OrderRow> {
    const now = this.deps.now()
    const order = await this.findOrder(orderId)
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `there is no order ${orderId}`)
    if (order.platform === 'ios' && order.rail === 'xpay') {
      throw new ApiError(409, 'IOS_REFUND_BY_APPLE', 'iOS purchases are refunded by Apple, not by the publisher')
    }
    const adapter = this.adapterFor(order)
    if (order.status === 'refunding' && order.refund_no) {
      // Asked again while under way: the same number, so the rail refunds once.
      await this.sendRefund(order, adapter, order.refund_no, reason)
      return this.order(order.id)
    }
    const refundNo = newRefundNo(now)
    const left = order.amount_fen - order.refunded_fen
    const goods = order.kind === 'goods'
    if (amountFen !== undefined) {
      if (!goods) throw new ApiError(409, 'PARTIAL_REFUND_UNSUPPORTED', 'a VIP order is refunded in full')
      if (!Number.isInteger(amountFen) || amountFen <= 0)
        throw new ApiError(400, 'INVALID_REFUND_AMOUNT', 'the refund is a positive amount in fen')
    }
    const amount = amountFen ?? left
    if (goods && order.status === 'paid' && amount !== left)
      throw new ApiError(
        409,
        'FULL_REFUND_BEFORE_SHIPPING',
        `order ${orderId} is not shipped yet: it is refunded in full`,
      )
    const moved = await this.deps.db.transaction().execute(async (trx) => {
      // Never more than paid: checked against refunded_fen as this very update finds it.
      if (amount > left) return 'exceeds' as const
      const result = await trx
        .updateTable('orders')
        .set({
          status: 'refunding',
          refund_no: refundNo,
          refund_requested_at: now,
          refund_failure: null,
          refund_amount_fen: goods ? amount : null,
          next_query_at: now + Math.max(this.deps.firstQueryAfterMs, 30000),
          query_attempts: 0,
        })
        .where('id', '=', order.id)
        .where('status', 'in', goods ? ['paid', 'fulfilled'] : ['fulfilled'])
        .where('refunded_fen', '=', order.refunded_fen)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: 'refund_requested',
          amountFen: amount,
          source: requestedBy,
          detail: `refund ${refundNo}: ${reason}`,
        },
        now,
      )
      return true
    })
    if (moved === 'exceeds')
      throw new ApiError(
        409,
        'REFUND_EXCEEDS_PAID',
        `order ${orderId} has ${left} fen left to refund of ${order.amount_fen}: ${amount} is more`,
      )
    if (!moved) {
      throw new ApiError(
        409,
        'ORDER_NOT_REFUNDABLE',
        `order ${orderId} is ${order.status}: only ${goods ? 'paid or shipped' : 'fulfilled'} orders can be refunded`,
      )
    }
    await this.sendRefund(
      { ...order, refund_no: refundNo, refund_amount_fen: goods ? amount : null },
      adapter,
      refundNo,
      reason,
    )
    return this.order(order.id)
  }

  /** Sends a refund request; a rail that refuses it ends the refund as failed, with the reason */
  private async sendRefund(order: OrderRow, adapter: PaymentRailAdapter, refundNo: string, reason: string) {
    try {
      const amount = order.refund_amount_fen ?? order.amount_fen - order.refunded_fen
      await adapter.refund(this.railOrder(order), refundNo, amount, reason)
    } catch (error) {
      if (!(error instanceof RailUnavailable)) throw error
      this.deps.log.warn({ err: error, orderId: order.id }, 'the rail refused the refund')
      await this.refundOutcome(
        order.out_trade_no,
        { refundNo, amountFen: 0, outcome: 'failed', reason: `退款申请未被受理：${error.detail}` },
        'admin',
      )
    }
  }

  /** The refund sweep's query of a refund under way; a refund the rail never received is sent again */
  private async checkRefund(order: OrderRow, adapter: PaymentRailAdapter, source: LedgerSource): Promise<void> {
    if (!order.refund_no) return
    const status = await adapter.queryRefund(this.railOrder(order), order.refund_no)
    if (status.state === 'succeeded')
      await this.refundOutcome(
        order.out_trade_no,
        { refundNo: order.refund_no, amountFen: status.amountFen, outcome: 'succeeded', reason: '' },
        source,
      )
    else if (status.state === 'failed')
      await this.refundOutcome(
        order.out_trade_no,
        { refundNo: order.refund_no, amountFen: 0, outcome: 'failed', reason: status.reason },
        source,
      )
    else if (status.state === 'missing') await this.sendRefund(order, adapter, order.refund_no, '重新提交退款')
  }

  /**
   * A refund the rail verified: ours or one made elsewhere (merchant console, a complaint). Each
   * refund number counts once; it takes back the share of the VIP period it refunds, and the order
   * is refunded when nothing is left. A failed refund of ours puts the order back to fulfilled.
   */
  async refundOutcome(
    outTradeNo: string,
    refund: { refundNo: string; amountFen: number; outcome: 'succeeded' | 'failed'; reason: string },
    source: LedgerSource,
  ): Promise<RefundOutcome> {
    const now = this.deps.now()
    const outcome = await this.deps.db.transaction().execute(async (trx): Promise<RefundOutcome> => {
      const order = await trx.selectFrom('orders').selectAll().where('out_trade_no', '=', outTradeNo).executeTakeFirst()
      if (!order) return 'refused'
      if (refund.outcome === 'failed') {
        // A failure of a refund we did not ask for changes nothing here.
        if (order.refund_no !== refund.refundNo) return 'ignored'
        const reason = refund.reason.slice(0, 300)
        // Back where it was: a goods order not shipped yet (no fulfilled_at) waits to be shipped again.
        const back = order.fulfilled_at === null ? 'paid' : 'fulfilled'
        const moved = await moveOrder(trx, order.id, back, { refund_failure: reason, next_query_at: null }, [
          'refunding',
        ])
        if (!moved) return 'already'
        await ledger(
          trx,
          {
            orderId: order.id,
            userId: order.user_id,
            event: 'refund_failed',
            amountFen: 0,
            source,
            detail: `refund ${refund.refundNo}: ${reason}`,
          },
          now,
        )
        return 'failed'
      }
      const left = order.amount_fen - order.refunded_fen
      if (!Number.isInteger(refund.amountFen) || refund.amountFen <= 0 || refund.amountFen > left) {
        this.deps.log.warn({ orderId: order.id, source, amount: refund.amountFen }, 'refund does not match its order')
        return 'refused'
      }
      const goods = order.kind === 'goods'
      if (order.status !== 'fulfilled' && order.status !== 'refunding' && !(goods && order.status === 'paid')) {
        this.deps.log.warn({ orderId: order.id, status: order.status }, 'refund of an order that was not fulfilled')
        return 'ignored'
      }
      if (!(await firstDelivery(trx, `refund:${order.rail}:${refund.refundNo}`, order, 'refunded', now)))
        return 'already'
      const refundedFen = order.refunded_fen + refund.amountFen
      const full = refundedFen === order.amount_fen && canMove(order.status, 'refunded')
      const ours = order.refund_no === refund.refundNo
      const updated = await trx
        .updateTable('orders')
        .set({
          refunded_fen: refundedFen,
          ...(full ? { status: 'refunded' as const, refunded_at: now, next_query_at: null } : {}),
          // Our refund is over when its own number comes back, even a partial one.
          ...(!full && ours
            ? { status: order.fulfilled_at === null ? ('paid' as const) : ('fulfilled' as const), next_query_at: null }
            : {}),
          ...(ours ? { refund_amount_fen: null } : {}),
        })
        .where('id', '=', order.id)
        .where('refunded_fen', '=', order.refunded_fen)
        .where('status', '=', order.status)
        .executeTakeFirst()
      if (Number(updated.numUpdatedRows) !== 1) throw new Error('order changed while its refund was recorded')
      let effect: string
      if (goods) {
        // Refunded in full before it shipped: its copies never left, so they go back on the shelf (once).
        const restocked = full && order.fulfilled_at === null && (await releaseStock(trx, order.id))
        effect = `${refundedFen} of ${order.amount_fen} fen refunded${restocked ? '; copies back on the shelf' : ''}`
      } else if (order.kind === 'course') {
        // A course is refunded in full (no partial refunds of virtual goods): the reader's grant ends.
        if (full) await revokeCourse(trx, order.id, now)
        effect = full ? `course ${order.course_id} closed` : `${refundedFen} of ${order.amount_fen} fen refunded`
      } else {
        const period =
          order.granted_until !== null && order.granted_from !== null ? order.granted_until - order.granted_from : 0
        const share = (fen: number) => Math.round((period * fen) / order.amount_fen)
        const expiresAt = await shortenMembership(
          trx,
          order.user_id,
          share(refundedFen) - share(order.refunded_fen),
          now,
        )
        effect = `VIP now until ${new Date(expiresAt).toISOString()}`
      }
      await ledger(
        trx,
        {
          orderId: order.id,
          userId: order.user_id,
          event: full ? 'refunded' : 'partially_refunded',
          amountFen: -refund.amountFen,
          source,
          detail: `refund ${refund.refundNo}${ours ? '' : ' (made outside this server)'}; ${effect}`,
        },
        now,
      )
      return 'refunded'
    })
    if (outcome === 'refunded') this.deps.onMembershipChange()
    return outcome
  }

  // ---- notifications ----------------------------------------------------------------------------

  /**
   * Applies a verified notification. Claims the notification's signature does not cover are only
   * checked with the rail. Returns what happened and the order as it is now (null when unknown).
   */
  async apply(event: RailEvent): Promise<{ outcome: SettleOutcome | RefundOutcome; order: OrderRow | null }> {
    // Verified events go straight to their transaction, which reads the order itself (the hot path).
    if (event.kind === 'paid')
      return { outcome: await this.settle(event.outTradeNo, event.evidence, 'notification', event.key), order: null }
    if (event.kind === 'refund')
      return { outcome: await this.refundOutcome(event.outTradeNo, event, 'notification'), order: null }
    const order = await this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', event.outTradeNo)
      .executeTakeFirst()
    if (!order) return { outcome: 'refused', order: null }
    switch (event.kind) {
      case 'check-payment': {
        // The push's own answer tells WeChat the goods were delivered.
        const now = await this.check(order, 'query', { deliveryAnswered: true })
        return { outcome: now.status === order.status ? 'already' : 'fulfilled', order: now }
      }
      case 'check-refund': {
        const adapter = this.adapterFor(order)
        const status = await adapter.queryRefund(this.railOrder(order), event.refundNo)
        if (status.state === 'succeeded' || status.state === 'failed') {
          const outcome = await this.refundOutcome(
            event.outTradeNo,
            {
              refundNo: event.refundNo,
              amountFen: status.state === 'succeeded' ? status.amountFen : 0,
              outcome: status.state,
              reason: status.state === 'failed' ? status.reason : '',
            },
            'query',
          )
          return { outcome, order: await this.order(order.id) }
        }
        return { outcome: 'ignored', order }
      }
    }
  }
}
