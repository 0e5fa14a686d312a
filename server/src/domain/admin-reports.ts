import type { Kysely } from 'kysely'
import type { Database, PaymentRail } from '../db/schema'
import { shanghaiDate, shanghaiMidnight } from '../infra/time'
import { RECONCILE_JOB } from '../payments/reconciler'

const DAY_MS = 86400000
const HOUR_MS = 3600000

/** Counts of one span of Asia/Shanghai days */
export interface DayCounts {
  /** Views counted (one per viewer, issue and day; flushed every VIEW_FLUSH_INTERVAL_MS) */
  views: number
  /** Viewers who reached a paywall, one per viewer, issue and day (the app's funnel reports) */
  paywall: number
  /** Orders sent to a rail */
  orders: number
  /** Orders paid */
  paid: number
  revenueFen: number
  refundedFen: number
  /** Readers whose first VIP (a fulfilled order or an operator grant) came in the span */
  newVips: number
}

export interface Dashboard {
  today: DayCounts
  /** The last seven days, today included */
  week: DayCounts
  payments: {
    rail: PaymentRail
    /** The rail is configured: readers can buy */
    sells: boolean
    /** 消息推送 in 安全模式 (MSG_PUSH_AES_KEY set) */
    safeMode: boolean
    /** Payment notifications received in the last hour */
    notificationsLastHour: number
    lastReconcile: {
      /** A sweep holds the lease now (or a crashed one until its lease expires) */
      running: boolean
      /** When the lease of the sweep under way expires, null when none is */
      leaseExpiresAt: number | null
      /** The newest ledger row written by a sweep, null when none was */
      lastSweepEntryAt: number | null
    }
  }
  jobs: { name: string; holder: string; expiresAt: number }[]
}

export interface AdminReportsDeps {
  db: Kysely<Database>
  rail: PaymentRail
  /** Whether the configured rail can sell (payments.railOf(rail) !== null) */
  sells: () => boolean
  safeMode: boolean
}

/** What the operator console's dashboard shows: counts by Asia/Shanghai day, payment health, job leases. */
export class AdminReports {
  constructor(private readonly deps: AdminReportsDeps) {}

  async dashboard(now: number): Promise<Dashboard> {
    const { db } = this.deps
    const today = shanghaiDate(now)
    const todayStart = shanghaiMidnight(today)
    const weekStart = todayStart - 6 * DAY_MS
    const [todayCounts, weekCounts, notifications, lastSweep, jobs] = await Promise.all([
      this.counts(todayStart, now),
      this.counts(weekStart, now),
      db
        .selectFrom('payment_notifications')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('received_at', '>=', now - HOUR_MS)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('ledger')
        .select('created_at')
        .where('source', '=', 'sweep')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
      db.selectFrom('job_leases').selectAll().orderBy('name').execute(),
    ])
    const lease = jobs.find((job) => job.name === RECONCILE_JOB)
    const running = lease !== undefined && lease.expires_at > now
    return {
      today: todayCounts,
      week: weekCounts,
      payments: {
        rail: this.deps.rail,
        sells: this.deps.sells(),
        safeMode: this.deps.safeMode,
        notificationsLastHour: Number(notifications.count),
        lastReconcile: {
          running,
          leaseExpiresAt: running ? lease.expires_at : null,
          lastSweepEntryAt: lastSweep?.created_at ?? null,
        },
      },
      jobs: jobs.map((job) => ({ name: job.name, holder: job.holder, expiresAt: job.expires_at })),
    }
  }

  /**
   * What WeChat told us about one order, newest first (at most 100): each payment or refund
   * notification, and each answer to a query that settled it, once per event as recorded.
   */
  async notificationsOf(orderId: number): Promise<{ key: string; rail: string; event: string; receivedAt: number }[]> {
    const rows = await this.deps.db
      .selectFrom('payment_notifications')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('received_at', 'desc')
      .limit(100)
      .execute()
    return rows.map((row) => ({
      key: row.notification_key,
      rail: row.rail,
      event: row.event,
      receivedAt: row.received_at,
    }))
  }

  /** Counts from `from` (a Shanghai midnight) to `until` */
  private async counts(from: number, until: number): Promise<DayCounts> {
    const { db } = this.deps
    // PostgreSQL counts and sums are bigint or numeric, which pg returns as strings.
    const [views, paywall, orders, paid, refunded, newVips] = await Promise.all([
      db
        .selectFrom('issue_views')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('day', '>=', shanghaiDate(from))
        .where('day', '<=', shanghaiDate(until))
        .executeTakeFirstOrThrow(),
      // Raw funnel events outlive the week (FUNNEL_RAW_DAYS ≥ 8), one row per viewer, issue, step and day.
      db
        .selectFrom('funnel_events')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('step', '=', 'paywall')
        .where('day', '>=', shanghaiDate(from))
        .where('day', '<=', shanghaiDate(until))
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('created_at', '>=', from)
        .where('created_at', '<=', until)
        .where('status', '!=', 'created')
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('orders')
        .select((eb) => [
          eb.fn.countAll<number | string>().as('count'),
          eb.fn.sum<number | string | null>('amount_fen').as('fen'),
        ])
        .where('paid_at', '>=', from)
        .where('paid_at', '<=', until)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('ledger')
        .select((eb) => eb.fn.sum<number | string | null>('amount_fen').as('fen'))
        .where('event', 'in', ['refunded', 'partially_refunded'])
        .where('created_at', '>=', from)
        .where('created_at', '<=', until)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom(
          db
            .selectFrom('ledger')
            .select('user_id')
            .where('event', 'in', ['fulfilled', 'vip_granted'])
            .groupBy('user_id')
            .having((eb) => eb.fn.min('created_at'), '>=', from)
            .having((eb) => eb.fn.min('created_at'), '<=', until)
            .as('first_vip'),
        )
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow(),
    ])
    return {
      views: Number(views.count),
      paywall: Number(paywall.count),
      orders: Number(orders.count),
      paid: Number(paid.count),
      revenueFen: Number(paid.fen ?? 0),
      // Refunds are written to the ledger as negative amounts.
      refundedFen: -Number(refunded.fen ?? 0),
      newVips: Number(newVips.count),
    }
  }
}
