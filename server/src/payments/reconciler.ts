import crypto from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { Payments } from './payments'

const LEASE = 'reconcile-orders'

/**
 * The sweep that finds paid orders whose notification never came and closes expired ones.
 * Several replicas may run it: a lease row in the database lets one of them work at a time.
 */
export class Reconciler {
  private readonly holder = crypto.randomBytes(8).toString('hex')
  private timer: NodeJS.Timeout | null = null
  private running: Promise<number> | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly payments: Payments,
    private readonly log: FastifyBaseLogger,
    private readonly options: { intervalMs: number; pendingAfterMs: number; now: () => number },
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0) return
    this.timer = setInterval(
      () => void this.runOnce().catch((error) => this.log.error({ err: error }, 'reconciliation failed')),
      this.options.intervalMs,
    )
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.running?.catch(() => 0)
  }

  /** Takes the lease when it is free or expired; true when this process holds it now. */
  async acquireLease(leaseMs: number): Promise<boolean> {
    const now = this.options.now()
    await this.db
      .insertInto('job_leases')
      .values({ name: LEASE, holder: this.holder, expires_at: now + leaseMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.holder, expires_at: now + leaseMs })
          .where((eb) => eb.or([eb('job_leases.expires_at', '<=', now), eb('job_leases.holder', '=', this.holder)])),
      )
      .execute()
    const lease = await this.db.selectFrom('job_leases').select('holder').where('name', '=', LEASE).executeTakeFirst()
    return lease?.holder === this.holder
  }

  /** One sweep; returns how many orders it looked at (0 when another replica holds the lease). */
  runOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async sweep(): Promise<number> {
    if (!(await this.acquireLease(Math.max(this.options.intervalMs * 2, 30000)))) return 0
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
