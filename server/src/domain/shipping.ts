import type { Kysely, Selectable } from 'kysely'
import type { Database, OrderRow, ShipmentTable } from '../db/schema'
import { ApiError } from '../errors'
import { LeasedJob } from '../infra/leased-job'
import type { Logger } from '../infra/log'
import { markShipped } from '../payments/payments'
import type { AccessTokenCache } from '../wechat/access-token'
import { UNREACHABLE, WeChatError, type WeChatApi } from '../wechat/api'
import { RECEIVED_STATES, SHIPPED_STATES, ShippingApi, type OrderKey } from '../wechat/shipping'
import { MAX_SHIP_CSV_BYTES, MAX_SHIP_CSV_LINES, MAX_TRACKING_NO } from '../schemas/admin-store'
import { EXPRESS_COMPANIES, isExpressCompany, maskedContact, NEEDS_RECEIVER_CONTACT } from './shipping-companies'

/**
 * Shipping goods orders and WeChat's 发货信息管理 (docs/store.md#shipping). Shipping is an outbox:
 * the order's move 待发货 → 已发货 and its shipment row are one transaction; the `shipping-upload`
 * job uploads pending shipments with retries and back-off, and a shipment once uploaded is never
 * uploaded again by the job (WeChat allows one correction, which is the operator's to make).
 * 已收货 is only ever taken from WeChat's own get_order, whoever asks (the reader, a push).
 */

export type ShipmentRow = Selectable<ShipmentTable>

export interface ShippingClients {
  wechat: WeChatApi
  accessTokens: AccessTokenCache
}

export interface ShippingDeps {
  db: Kysely<Database>
  log: Logger
  /** WeChat's clients, or null when the AppSecret is not set */
  clients: () => ShippingClients | null
  /** The WeChat Pay merchant id the orders were paid to (order_key type 1) */
  mchid: string
  appid: string
  /** The job's interval; 0 or less: never by itself (tests and the CLI run it once) */
  intervalMs: number
  now: () => number
}

export interface UploadReport {
  uploaded: number
  retrying: number
  failed: number
  reported: number
}

/** Attempts before a shipment that WeChat keeps refusing as busy is left to the operator */
export const MAX_UPLOAD_ATTEMPTS = 8
const RETRY_BASE_MS = 60000
const MAX_BACKOFF_MS = 6 * 3600000
const BATCH = 50
const DAY_MS = 86400000
/** WeChat wants preorders shipping later than this after payment reported (opspecialorder) */
export const SPECIAL_ORDER_AFTER_MS = 15 * DAY_MS

/** Errcodes worth another try later: busy, unreachable, tokens, and a payment not yet in WeChat's store */
const RETRIABLE: ReadonlySet<number> = new Set([-1, UNREACHABLE, 40001, 42001, 45009, 45011, 10060001])
/** 支付单已使用重新发货机会: WeChat has this order's shipping already */
export const ERR_RESHIP_USED = 10060003

const backoff = (attempts: number) => Math.min(RETRY_BASE_MS * 2 ** Math.min(attempts - 1, 16), MAX_BACKOFF_MS)

const answerOf = (error: unknown) =>
  (error instanceof WeChatError ? `${error.errcode} ${error.errmsg}` : String(error)).slice(0, 300)

/** RFC 3339 in Asia/Shanghai, as upload_time wants it */
function shanghaiTime(ms: number): string {
  return `${new Date(ms + 8 * 3600000).toISOString().slice(0, 23)}+08:00`
}

/** A preorder's ship date (YYYY-MM-DD, Asia/Shanghai) as epoch ms at the start of that day */
const shipDateMs = (date: string) => Date.parse(`${date}T00:00:00+08:00`)

export interface ShipInput {
  orderId: number
  company: string
  trackingNo: string
}

/** Why these are no shipment, or null */
export function shipmentProblem(input: { company: string; trackingNo: string }): ApiError | null {
  if (!isExpressCompany(input.company))
    return new ApiError(
      400,
      'UNKNOWN_EXPRESS_COMPANY',
      `"${input.company.slice(0, 32)}" is not a delivery company code WeChat knows here (${Object.keys(EXPRESS_COMPANIES).join(', ')})`,
    )
  if (!/^[A-Za-z0-9-]{4,64}$/.test(input.trackingNo))
    return new ApiError(
      400,
      'INVALID_TRACKING_NO',
      `the tracking number is 4–${MAX_TRACKING_NO} letters, digits or "-"`,
    )
  return null
}

/** What became of one line of a CSV of tracking numbers */
export interface ShipCsvLine {
  line: number
  orderId: number | null
  company: string | null
  trackingNo: string | null
  shipped: boolean
  /** The refusal's stable code (NOT_ORDER_COMPANY_TRACKING for a line of another shape), or null */
  code: string | null
  message: string
}

export interface ShipCsvReport {
  shipped: number
  refused: number
  lines: ShipCsvLine[]
}

/**
 * Ships every "order,company,tracking" line of a CSV (a header line starting with "order" and
 * blank lines are skipped), each through `ship`: a refused line is reported and the others go on.
 * The CLI's `product ship-csv` and the console's 批量发货 both read their files here.
 */
export async function shipCsv(
  text: string,
  ship: (input: ShipInput, where: string) => Promise<unknown>,
): Promise<ShipCsvReport> {
  if (Buffer.byteLength(text, 'utf8') > MAX_SHIP_CSV_BYTES)
    throw new ApiError(400, 'CSV_TOO_LARGE', `the file is over ${MAX_SHIP_CSV_BYTES / 1_000_000} MB: split it`)
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (rows.length > MAX_SHIP_CSV_LINES)
    throw new ApiError(400, 'CSV_TOO_LARGE', `the file has more than ${MAX_SHIP_CSV_LINES} lines: split it`)
  const report: ShipCsvReport = { shipped: 0, refused: 0, lines: [] }
  for (const [index, raw] of rows.entries()) {
    const content = raw.trim()
    if (content === '' || (index === 0 && /^order/i.test(content))) continue
    const line = index + 1
    const cells = content.split(',').map((cell) => cell.trim())
    const [order, company, tracking] = cells
    if (cells.length !== 3 || !order || !company || !tracking || !/^[1-9]\d{0,9}$/.test(order)) {
      report.refused += 1
      report.lines.push({
        line,
        orderId: null,
        company: null,
        trackingNo: null,
        shipped: false,
        code: 'NOT_ORDER_COMPANY_TRACKING',
        message: 'not "orderId,company,tracking"',
      })
      continue
    }
    const input = { orderId: Number(order), company: company.toUpperCase(), trackingNo: tracking }
    try {
      await ship(input, `line ${line}`)
      report.shipped += 1
      report.lines.push({ line, ...input, shipped: true, code: null, message: 'shipped' })
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      report.refused += 1
      report.lines.push({ line, ...input, shipped: false, code: error.code, message: error.message })
    }
  }
  return report
}

export class Shipping {
  private readonly job: LeasedJob<UploadReport>

  constructor(private readonly deps: ShippingDeps) {
    this.job = new LeasedJob(deps.db, {
      name: 'shipping-upload',
      intervalMs: deps.intervalMs,
      now: deps.now,
      log: deps.log,
      work: () => this.work(),
      idle: () => ({ uploaded: 0, retrying: 0, failed: 0, reported: 0 }),
    })
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One run under the lease: reports due preorders, then uploads due shipments */
  runOnce(): Promise<UploadReport> {
    return this.job.runOnce()
  }

  // ---- shipping ---------------------------------------------------------------------------------

  /**
   * 已发货: moves a paid goods order to shipped and writes its shipment, in one transaction; the
   * job uploads it. 409 when the order is not waiting to be shipped (a second ship among them).
   */
  async ship(input: ShipInput): Promise<{ order: OrderRow; shipment: ShipmentRow }> {
    const problem = shipmentProblem(input)
    if (problem) throw problem
    const { db, now: clock } = this.deps
    const order = await db.selectFrom('orders').selectAll().where('id', '=', input.orderId).executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `there is no order ${input.orderId}`)
    if (order.kind !== 'goods')
      throw new ApiError(409, 'NOT_GOODS_ORDER', `order ${order.id} is a VIP order: nothing to ship`)
    const now = clock()
    const lines = await db
      .selectFrom('order_lines')
      .select(['title', 'quantity'])
      .where('order_id', '=', order.id)
      .orderBy('id')
      .execute()
    const itemDesc = lines
      .map((line) => `${line.title}*${line.quantity}`)
      .join('；')
      .slice(0, 120)
    const shipment = await db.transaction().execute(async (trx) => {
      if (!(await markShipped(trx, order.id, now))) return null
      return trx
        .insertInto('shipments')
        .values({
          order_id: order.id,
          express_company: input.company,
          tracking_no: input.trackingNo,
          item_desc: itemDesc || '图书',
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          wechat_answer: null,
          created_at: now,
          uploaded_at: null,
          received_at: null,
          settled_at: null,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
    })
    if (!shipment) {
      const current = await db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirst()
      throw new ApiError(
        409,
        'ORDER_NOT_SHIPPABLE',
        `order ${order.id} is ${current?.status ?? order.status}: only a paid order waiting to be shipped (待发货) can be shipped`,
      )
    }
    const shipped = await db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()
    return { order: shipped, shipment }
  }

  /** Shipments of these orders, by order id */
  async shipmentsOf(orderIds: number[]): Promise<Map<number, ShipmentRow>> {
    if (orderIds.length === 0) return new Map()
    const rows = await this.deps.db.selectFrom('shipments').selectAll().where('order_id', 'in', orderIds).execute()
    return new Map(rows.map((row) => [row.order_id, row]))
  }

  /** The newest shipments, of one status or all, for the operator */
  async recent(status: ShipmentRow['status'] | undefined, limit: number): Promise<ShipmentRow[]> {
    let query = this.deps.db.selectFrom('shipments').selectAll()
    if (status) query = query.where('status', '=', status)
    return query.orderBy('created_at', 'desc').orderBy('order_id', 'desc').limit(limit).execute()
  }

  // ---- the job ----------------------------------------------------------------------------------

  private async work(): Promise<UploadReport> {
    const report: UploadReport = { uploaded: 0, retrying: 0, failed: 0, reported: 0 }
    report.reported = await this.reportPreorders()
    const due = await this.deps.db
      .selectFrom('shipments')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', this.deps.now())
      .orderBy('next_attempt_at')
      .limit(BATCH)
      .execute()
    for (const shipment of due) {
      const outcome = await this.uploadOne(shipment)
      if (outcome) report[outcome] += 1
    }
    return report
  }

  /**
   * One attempt at one shipment, claimed first with a conditional update on its attempt count:
   * of two processes that both saw it due, one uploads. Null when another process claimed it.
   */
  private async uploadOne(shipment: ShipmentRow): Promise<'uploaded' | 'retrying' | 'failed' | null> {
    const { db, now: clock, log } = this.deps
    const now = clock()
    const attempts = shipment.attempts + 1
    const claimed = await db
      .updateTable('shipments')
      .set({ attempts, next_attempt_at: now + backoff(attempts), updated_at: now })
      .where('order_id', '=', shipment.order_id)
      .where('status', '=', 'pending')
      .where('attempts', '=', shipment.attempts)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return null
    const order = await db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', shipment.order_id)
      .executeTakeFirstOrThrow()
    const address = await db
      .selectFrom('order_addresses')
      .select('tel_number')
      .where('order_id', '=', order.id)
      .executeTakeFirst()
    const clients = this.deps.clients()
    if (!clients) return this.attemptFailed(shipment, attempts, 'WeChat is not configured (WECHAT_APPSECRET)', true)
    const api = new ShippingApi(clients.wechat)
    try {
      // An earlier attempt may have reached WeChat and lost its answer: WeChat's view decides, so
      // a shipment already there is never uploaded again (that would spend the one correction).
      if (shipment.attempts > 0) {
        const known = await clients.accessTokens.withToken((token) => api.getOrder(token, this.keyOf(order)))
        if (SHIPPED_STATES.has(known.order_state))
          return this.uploaded(shipment, `already shipped at WeChat (order_state ${known.order_state})`)
      }
      await clients.accessTokens.withToken((token) =>
        api.upload(token, {
          order_key: this.orderKey(order),
          logistics_type: 1,
          delivery_mode: 1,
          shipping_list: [
            {
              tracking_no: shipment.tracking_no,
              express_company: shipment.express_company,
              item_desc: shipment.item_desc,
              ...(NEEDS_RECEIVER_CONTACT.has(shipment.express_company)
                ? { contact: { receiver_contact: maskedContact(address?.tel_number ?? '') } }
                : {}),
            },
          ],
          upload_time: shanghaiTime(now),
          payer: { openid: order.openid },
        }),
      )
      return this.uploaded(shipment, 'ok')
    } catch (error) {
      if (!(error instanceof WeChatError)) throw error
      if (error.errcode === ERR_RESHIP_USED) return this.uploaded(shipment, answerOf(error))
      log.warn({ orderId: order.id, errcode: error.errcode }, 'shipping upload refused')
      return this.attemptFailed(shipment, attempts, answerOf(error), RETRIABLE.has(error.errcode))
    }
  }

  private async uploaded(shipment: ShipmentRow, answer: string): Promise<'uploaded'> {
    const now = this.deps.now()
    await this.deps.db
      .updateTable('shipments')
      .set({ status: 'uploaded', uploaded_at: now, next_attempt_at: null, wechat_answer: answer, updated_at: now })
      .where('order_id', '=', shipment.order_id)
      .where('status', '=', 'pending')
      .execute()
    this.deps.log.info({ orderId: shipment.order_id }, 'shipping info uploaded to WeChat')
    return 'uploaded'
  }

  private async attemptFailed(
    shipment: ShipmentRow,
    attempts: number,
    answer: string,
    retriable: boolean,
  ): Promise<'retrying' | 'failed'> {
    const now = this.deps.now()
    const giveUp = !retriable || attempts >= MAX_UPLOAD_ATTEMPTS
    await this.deps.db
      .updateTable('shipments')
      .set({
        wechat_answer: answer.slice(0, 300),
        updated_at: now,
        ...(giveUp ? { status: 'failed' as const, next_attempt_at: null } : {}),
      })
      .where('order_id', '=', shipment.order_id)
      .where('status', '=', 'pending')
      .execute()
    return giveUp ? 'failed' : 'retrying'
  }

  /** Puts a failed shipment back in the job's queue (the operator fixed what WeChat refused) */
  async retry(orderId: number): Promise<ShipmentRow> {
    const now = this.deps.now()
    const row = await this.deps.db
      .updateTable('shipments')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
      .where('order_id', '=', orderId)
      .where('status', '=', 'failed')
      .returningAll()
      .executeTakeFirst()
    if (!row) throw new ApiError(409, 'SHIPMENT_NOT_FAILED', `order ${orderId} has no failed shipment to upload again`)
    return row
  }

  private orderKey(order: OrderRow): OrderKey {
    return order.transaction_id
      ? { order_number_type: 2, transaction_id: order.transaction_id }
      : { order_number_type: 1, mchid: this.deps.mchid, out_trade_no: order.out_trade_no }
  }

  private keyOf(order: OrderRow) {
    return { transactionId: order.transaction_id, mchid: this.deps.mchid, outTradeNo: order.out_trade_no }
  }

  // ---- preorders shipping late (opspecialorder) ---------------------------------------------------

  /**
   * Paid preorders whose ship date is more than 15 days after payment get one report row each
   * (its primary key makes it once); due rows are sent, claimed like shipments. Returns how many
   * WeChat took in this run.
   */
  private async reportPreorders(): Promise<number> {
    const { db, now: clock } = this.deps
    const now = clock()
    // Per preorder product (the operator has a handful), the paid orders past its 15-day line
    // that have no report yet: only orders that need one are read, however many do not.
    const preorders = await db
      .selectFrom('products')
      .select(['id', 'ship_date'])
      .where('kind', '=', 'preorder')
      .where('ship_date', 'is not', null)
      .execute()
    for (const product of preorders) {
      if (product.ship_date === null) continue
      const delayTo = shipDateMs(product.ship_date)
      const orders = await db
        .selectFrom('orders')
        .innerJoin('order_lines', 'order_lines.order_id', 'orders.id')
        .leftJoin('special_order_reports', 'special_order_reports.order_id', 'orders.id')
        .select('orders.id')
        .where('order_lines.product_id', '=', product.id)
        .where('orders.kind', '=', 'goods')
        .where('orders.status', '=', 'paid')
        .where('orders.paid_at', '<', delayTo - SPECIAL_ORDER_AFTER_MS)
        .where('special_order_reports.order_id', 'is', null)
        .limit(BATCH)
        .execute()
      for (const order of orders) {
        await db
          .insertInto('special_order_reports')
          .values({
            order_id: order.id,
            delay_to: delayTo,
            attempts: 0,
            next_attempt_at: now,
            wechat_answer: null,
            created_at: now,
            reported_at: null,
          })
          .onConflict((oc) => oc.column('order_id').doNothing())
          .execute()
      }
    }
    const due = await db
      .selectFrom('special_order_reports')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .limit(BATCH)
      .execute()
    let reported = 0
    for (const report of due) {
      const attempts = report.attempts + 1
      const claimed = await db
        .updateTable('special_order_reports')
        .set({ attempts, next_attempt_at: now + backoff(attempts) })
        .where('order_id', '=', report.order_id)
        .where('status', '=', 'pending')
        .where('attempts', '=', report.attempts)
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) !== 1) continue
      const order = await db
        .selectFrom('orders')
        .selectAll()
        .where('id', '=', report.order_id)
        .executeTakeFirstOrThrow()
      const clients = this.deps.clients()
      let answer = 'WeChat is not configured (WECHAT_APPSECRET)'
      let status: 'pending' | 'reported' | 'failed' = 'pending'
      if (clients) {
        try {
          await clients.accessTokens.withToken((token) =>
            new ShippingApi(clients.wechat).reportPreorder(
              token,
              order.transaction_id ?? order.out_trade_no,
              report.delay_to,
            ),
          )
          answer = 'ok'
          status = 'reported'
          reported += 1
        } catch (error) {
          if (!(error instanceof WeChatError)) throw error
          answer = answerOf(error)
          if (!RETRIABLE.has(error.errcode) || attempts >= MAX_UPLOAD_ATTEMPTS) status = 'failed'
        }
      }
      await db
        .updateTable('special_order_reports')
        .set({
          status,
          wechat_answer: answer,
          ...(status === 'reported' ? { reported_at: clock(), next_attempt_at: null } : {}),
          ...(status === 'failed' ? { next_attempt_at: null } : {}),
        })
        .where('order_id', '=', report.order_id)
        .where('status', '=', 'pending')
        .execute()
    }
    return reported
  }

  // ---- 已收货 and WeChat's pushes --------------------------------------------------------------------

  /**
   * The reader says they received the parcel (after WeChat's confirm-receipt component): WeChat's
   * get_order decides, never the client. 409 NOT_RECEIVED while WeChat does not say so.
   */
  async confirmReceipt(userId: number, orderId: number): Promise<OrderRow> {
    const { db } = this.deps
    const order = await db
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', orderId)
      .where('user_id', '=', userId)
      .executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `you have no order ${orderId}`)
    if (order.kind !== 'goods') throw new ApiError(409, 'NOT_GOODS_ORDER', '会员订单无需确认收货')
    const shipment = (await this.shipmentsOf([order.id])).get(order.id)
    if (!shipment || shipment.status !== 'uploaded')
      throw new ApiError(409, 'NOT_SHIPPED', '订单尚未发货，不能确认收货')
    if (shipment.received_at === null) {
      const state = await this.wechatState(order)
      if (!RECEIVED_STATES.has(state))
        throw new ApiError(409, 'NOT_RECEIVED', '微信尚未确认收货：请先在微信的确认收货页确认')
      await this.markReceived(order.id, false)
    }
    return db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()
  }

  /**
   * 已签收: the operator says the parcel was delivered at `deliveredAt` (the courier's record), and
   * WeChat is asked to remind the reader to confirm receipt (notify_confirm_receive), once per
   * order: the shipment's delivered_at is claimed with a conditional update first, and given back
   * when WeChat refuses. 409 NOT_SHIPPED before the shipment is uploaded, ALREADY_RECEIVED,
   * ALREADY_DELIVERED; 400 INVALID_DELIVERY_TIME before it shipped or in the future.
   */
  async markDelivered(orderId: number, deliveredAt: number): Promise<ShipmentRow> {
    const { db, now: clock, log } = this.deps
    const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst()
    if (!order) throw new ApiError(404, 'ORDER_NOT_FOUND', `there is no order ${orderId}`)
    if (order.kind !== 'goods') throw new ApiError(409, 'NOT_GOODS_ORDER', `order ${orderId} ships nothing`)
    const shipment = (await this.shipmentsOf([orderId])).get(orderId)
    if (!shipment || shipment.status !== 'uploaded')
      throw new ApiError(409, 'NOT_SHIPPED', `order ${orderId} has no shipment WeChat took yet`)
    if (shipment.received_at !== null)
      throw new ApiError(409, 'ALREADY_RECEIVED', `order ${orderId} is received already`)
    if (deliveredAt < Number(shipment.created_at) || deliveredAt > clock())
      throw new ApiError(400, 'INVALID_DELIVERY_TIME', 'the delivery time is between shipping and now')
    const clients = this.deps.clients()
    if (!clients) throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'WeChat is not set up on this server')
    const claim = await db
      .updateTable('shipments')
      .set({ delivered_at: deliveredAt, updated_at: clock() })
      .where('order_id', '=', orderId)
      .where('delivered_at', 'is', null)
      .executeTakeFirst()
    if (Number(claim.numUpdatedRows) !== 1)
      throw new ApiError(409, 'ALREADY_DELIVERED', `order ${orderId} was marked delivered already`)
    try {
      await clients.accessTokens.withToken((token) =>
        new ShippingApi(clients.wechat).notifyConfirmReceive(token, this.keyOf(order), deliveredAt),
      )
    } catch (error) {
      await db
        .updateTable('shipments')
        .set({ delivered_at: null, updated_at: clock() })
        .where('order_id', '=', orderId)
        .execute()
      if (!(error instanceof WeChatError)) throw error
      log.warn({ orderId, errcode: error.errcode }, 'notify_confirm_receive failed')
      throw new ApiError(503, 'WECHAT_BUSY', `WeChat did not take the delivery: ${answerOf(error)}`)
    }
    log.info({ orderId }, 'goods order delivered; WeChat reminds the reader to confirm receipt')
    return (await this.shipmentsOf([orderId])).get(orderId) as ShipmentRow
  }

  /**
   * A trade-management push (消息推送): `remind` (trade_manage_remind_shipping) is recorded for the
   * 待发货 queue; `settlement` (trade_manage_order_settlement) is checked with get_order, and the
   * order is 已收货 (and settled) when WeChat says so. The push's own fields are never trusted.
   */
  async tradeEvent(
    kind: 'remind' | 'settlement',
    ids: { transactionId?: string; outTradeNo?: string },
  ): Promise<'recorded' | 'unknown' | 'unchanged'> {
    const { db, now: clock } = this.deps
    let query = db.selectFrom('orders').selectAll().where('kind', '=', 'goods')
    if (ids.outTradeNo) query = query.where('out_trade_no', '=', ids.outTradeNo)
    else if (ids.transactionId) query = query.where('transaction_id', '=', ids.transactionId)
    else return 'unknown'
    const order = await query.executeTakeFirst()
    if (!order) return 'unknown'
    const now = clock()
    if (kind === 'remind') {
      await db
        .insertInto('shipping_reminders')
        .values({ order_id: order.id, count: 1, first_at: now, last_at: now })
        .onConflict((oc) =>
          oc.column('order_id').doUpdateSet((eb) => ({ count: eb('shipping_reminders.count', '+', 1), last_at: now })),
        )
        .execute()
      return 'recorded'
    }
    const state = await this.wechatState(order)
    if (!RECEIVED_STATES.has(state)) return 'unchanged'
    return (await this.markReceived(order.id, true)) ? 'recorded' : 'unchanged'
  }

  /** 已收货 once (and settled once, for a settlement): conditional on not being so already */
  private async markReceived(orderId: number, settled: boolean): Promise<boolean> {
    const { db, now: clock, log } = this.deps
    const now = clock()
    const received = await db
      .updateTable('shipments')
      .set({ received_at: now, updated_at: now })
      .where('order_id', '=', orderId)
      .where('received_at', 'is', null)
      .executeTakeFirst()
    let changed = Number(received.numUpdatedRows) === 1
    if (settled) {
      const result = await db
        .updateTable('shipments')
        .set({ settled_at: now, updated_at: now })
        .where('order_id', '=', orderId)
        .where('settled_at', 'is', null)
        .executeTakeFirst()
      changed = changed || Number(result.numUpdatedRows) === 1
    }
    if (changed) log.info({ orderId, settled }, 'goods order received')
    return changed
  }

  /** WeChat's order_state of an order; 503 when WeChat cannot be asked */
  private async wechatState(order: OrderRow): Promise<number> {
    const clients = this.deps.clients()
    if (!clients) throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'WeChat is not set up on this server')
    try {
      return (
        await clients.accessTokens.withToken((token) =>
          new ShippingApi(clients.wechat).getOrder(token, this.keyOf(order)),
        )
      ).order_state
    } catch (error) {
      if (!(error instanceof WeChatError)) throw error
      this.deps.log.warn({ orderId: order.id, errcode: error.errcode }, 'get_order failed')
      throw new ApiError(503, 'WECHAT_BUSY', '微信暂时无法确认订单状态，请稍后再试', { 'retry-after': '2' })
    }
  }

  // ---- is_trade_managed ---------------------------------------------------------------------------

  /** Asks WeChat whether the mini-program is under 发货信息管理 and stores the answer */
  async checkTradeManaged(): Promise<{ managed: boolean; checkedAt: number }> {
    const clients = this.deps.clients()
    if (!clients) throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'WeChat is not set up on this server')
    const { db, now: clock, appid } = this.deps
    let managed: boolean
    try {
      managed = await clients.accessTokens.withToken((token) =>
        new ShippingApi(clients.wechat).isTradeManaged(token, appid),
      )
    } catch (error) {
      if (!(error instanceof WeChatError)) throw error
      throw new ApiError(503, 'WECHAT_BUSY', `WeChat did not answer is_trade_managed: ${answerOf(error)}`)
    }
    const now = clock()
    await db
      .insertInto('trade_management')
      .values({ appid, managed: managed ? 1 : 0, checked_at: now })
      .onConflict((oc) => oc.column('appid').doUpdateSet({ managed: managed ? 1 : 0, checked_at: now }))
      .execute()
    return { managed, checkedAt: now }
  }

  /** The last stored answer of is_trade_managed, or null when never asked */
  async tradeManaged(): Promise<{ managed: boolean; checkedAt: number } | null> {
    const row = await this.deps.db
      .selectFrom('trade_management')
      .selectAll()
      .where('appid', '=', this.deps.appid)
      .executeTakeFirst()
    return row ? { managed: row.managed === 1, checkedAt: row.checked_at } : null
  }
}
