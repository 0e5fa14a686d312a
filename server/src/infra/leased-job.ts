import crypto from 'node:crypto'
import type { Logger } from './log'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'

export interface LeasedJobOptions<T> {
  /** The job_leases row's name */
  name: string
  /** 0 or less: never runs by itself (tests call runOnce) */
  intervalMs: number
  now: () => number
  log: Logger
  /** One run's work, done while this process holds the lease */
  work: () => Promise<T>
  /** What a run reports when another process holds the lease */
  idle: () => T
}

/**
 * A periodic job that several replicas may run: a lease row in the database lets one of them
 * work at a time (taken when free or expired, released after each run), and runs never overlap
 * within a process. The lease only saves duplicate work: each job stays correct without it.
 */
export class LeasedJob<T> {
  private readonly holder = crypto.randomBytes(8).toString('hex')
  private timer: NodeJS.Timeout | null = null
  private running: Promise<T> | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: LeasedJobOptions<T>,
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return
    this.timer = setInterval(
      () => void this.runOnce().catch((error) => this.options.log.error({ err: error }, `${this.options.name} failed`)),
      this.options.intervalMs,
    )
    this.timer.unref()
  }

  /** Stops the timer and waits for the run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.running?.catch(() => undefined)
  }

  /** One run under the lease; a call during a run gets that run's result. */
  runOnce(): Promise<T> {
    this.running ??= this.run().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async run(): Promise<T> {
    if (!(await this.acquireLease(Math.max(this.options.intervalMs * 2, 30000)))) return this.options.idle()
    try {
      return await this.options.work()
    } finally {
      await this.db
        .deleteFrom('job_leases')
        .where('name', '=', this.options.name)
        .where('holder', '=', this.holder)
        .execute()
    }
  }

  /** Takes the lease when it is free or expired; true when this process holds it now. */
  private async acquireLease(leaseMs: number): Promise<boolean> {
    const now = this.options.now()
    const { name } = this.options
    await this.db
      .insertInto('job_leases')
      .values({ name, holder: this.holder, expires_at: now + leaseMs })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ holder: this.holder, expires_at: now + leaseMs })
          .where((eb) => eb.or([eb('job_leases.expires_at', '<=', now), eb('job_leases.holder', '=', this.holder)])),
      )
      .execute()
    const lease = await this.db.selectFrom('job_leases').select('holder').where('name', '=', name).executeTakeFirst()
    return lease?.holder === this.holder
  }
}
