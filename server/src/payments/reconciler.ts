import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { LeasedJob } from '../domain/leased-job'
import type { Payments } from './payments'

/**
 * The sweep that finds paid orders whose notification never came and closes expired ones.
 * Several replicas may run it: a lease row in the database lets one of them work at a time.
 */
export class Reconciler {
  private readonly job: LeasedJob<number>

  constructor(
    private readonly db: Kysely<Database>,
    private readonly payments: Payments,
    private readonly log: FastifyBaseLogger,
    private readonly options: { intervalMs: number; pendingAfterMs: number; now: () => number },
  ) {
    this.job = new LeasedJob(db, {
      name: 'reconcile-orders',
      intervalMs: options.intervalMs,
      now: options.now,
      log,
      work: () => this.sweep(),
      idle: () => 0,
    })
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One sweep; returns how many orders it looked at (0 when another replica holds the lease). */
  runOnce(): Promise<number> {
    return this.job.runOnce()
  }

  private async sweep(): Promise<number> {
    const now = this.options.now()
    const due = await this.db
      .selectFrom('orders')
      .selectAll()
      .where('status', 'in', ['created', 'pending'])
      .where((eb) => eb.or([eb('created_at', '<=', now - this.options.pendingAfterMs), eb('expires_at', '<=', now)]))
      .orderBy('created_at')
      .limit(200)
      .execute()
    for (const order of due) await this.payments.check(order, 'sweep')
    if (due.length > 0) this.log.info({ orders: due.length }, 'reconciliation sweep checked pending orders')
    return due.length
  }
}
