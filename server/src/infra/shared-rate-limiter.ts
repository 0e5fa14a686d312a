import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { RateLimiter } from './rate-limiter'

/** Expired windows are deleted once every this many hits of a limiter */
const SWEEP_EVERY = 1000

/**
 * Fixed windows counted in the database, so every replica counts against one total: a limit of
 * 60 a minute lets 60 through behind any number of replicas. One upsert per hit: a new key or an
 * expired window starts at 1, a live one adds 1, and the row says how long the window has left.
 */
export class SharedRateLimiter implements RateLimiter {
  private hits = 0

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  async hit(key: string, now: number): Promise<number> {
    const row = await this.db
      .insertInto('rate_limit_windows')
      .values({ key: `${this.name}:${key}`.slice(0, 200), count: 1, reset_at: now + this.windowMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          count: eb
            .case()
            .when('rate_limit_windows.reset_at', '<=', now)
            .then(1)
            .else(eb('rate_limit_windows.count', '+', 1))
            .end(),
          reset_at: eb
            .case()
            .when('rate_limit_windows.reset_at', '<=', now)
            .then(now + this.windowMs)
            .else(eb.ref('rate_limit_windows.reset_at'))
            .end(),
        })),
      )
      .returning(['count', 'reset_at'])
      .executeTakeFirstOrThrow()
    if (++this.hits % SWEEP_EVERY === 0) {
      await this.db.deleteFrom('rate_limit_windows').where('reset_at', '<=', now).execute()
    }
    return row.count > this.limit ? Math.max(1, Math.ceil((row.reset_at - now) / 1000)) : 0
  }
}
