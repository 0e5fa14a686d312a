import type { Logger } from '../infra/log'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { LeasedJob } from '../infra/leased-job'
import type { Payments } from './payments'

/** The sweep's job_leases row */
export const RECONCILE_JOB = 'reconcile-orders'

/** Orders asked about in one sweep */
const BATCH = 200

export interface SweepReport {
  /** Orders asked about */
  checked: number
  /** Of those: now fulfilled, refunded, back to fulfilled after a failed refund, closed */
  fulfilled: number
  refunded: number
  refundsFailed: number
  closed: number
}

const EMPTY: SweepReport = { checked: 0, fulfilled: 0, refunded: 0, refundsFailed: 0, closed: 0 }

/**
 * The sweep that settles what notifications did not: paid orders whose notification never came
 * (closed ones too: a virtual-payment order can be paid after we closed it), expired orders, and
 * refunds whose outcome never arrived. Each order is asked about when its `next_query_at` is due,
 * later each time (Payments.check), until it settles or WeChat's lifetime for it is over. Orders
 * asked about least come first, newest first among equals, so stuck orders never starve new ones.
 * Several replicas may run it: a lease row lets one of them work at a time.
 */
export class Reconciler {
  private readonly job: LeasedJob<SweepReport>

  constructor(
    private readonly db: Kysely<Database>,
    private readonly payments: Payments,
    private readonly log: Logger,
    private readonly options: {
      intervalMs: number
      now: () => number
      /** Called after each sweep this process ran (not while another replica held the lease): its report, or null when it failed */
      onSweep?: (report: SweepReport | null, durationMs: number) => void
    },
  ) {
    this.job = new LeasedJob(db, {
      name: RECONCILE_JOB,
      intervalMs: options.intervalMs,
      now: options.now,
      log,
      work: () => this.sweep(),
      idle: () => EMPTY,
    })
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One sweep (an empty report when another replica holds the lease). */
  runOnce(): Promise<SweepReport> {
    return this.job.runOnce()
  }

  private async sweep(): Promise<SweepReport> {
    const started = Date.now()
    let report: SweepReport | null = null
    try {
      report = await this.sweepDue()
      return report
    } finally {
      this.options.onSweep?.(report, Date.now() - started)
    }
  }

  private async sweepDue(): Promise<SweepReport> {
    const now = this.options.now()
    const rails = this.payments.configuredRails()
    if (rails.length === 0) return EMPTY
    const due = await this.db
      .selectFrom('orders')
      .selectAll()
      // Orders of a rail this server cannot reach wait for a server that can.
      .where('rail', 'in', rails)
      .where('next_query_at', 'is not', null)
      .where('next_query_at', '<=', now)
      .orderBy('query_attempts')
      .orderBy('id', 'desc')
      .limit(BATCH)
      .execute()
    const report = { ...EMPTY, checked: due.length }
    for (const order of due) {
      const after = await this.payments.check(order, 'sweep')
      if (after.status === order.status) continue
      if (after.status === 'fulfilled' && order.status === 'refunding') report.refundsFailed += 1
      else if (after.status === 'fulfilled') report.fulfilled += 1
      else if (after.status === 'refunded') report.refunded += 1
      else if (after.status === 'closed') report.closed += 1
    }
    if (due.length > 0) this.log.info(report, 'reconciliation sweep')
    return report
  }
}
