import { ApiError } from '../errors'

/**
 * Counts hits per key in fixed windows. The one interface every throttle goes through, so a
 * store shared by several replicas (e.g. a PostgreSQL table) can replace the in-memory one in
 * `createRateLimiter` without touching a route.
 */
export interface RateLimiter {
  /** Counts one hit; returns 0 when allowed, or the seconds to wait when over the limit. */
  hit(key: string, now: number): number | Promise<number>
}

interface Window {
  key: string
  count: number
  resetAt: number
}

/** Most keys one limiter remembers: about 100 bytes each, so 500,000 keys stay under 64 MB. */
export const DEFAULT_MAX_KEYS = 500_000

/**
 * Fixed-window counters per key, in this process (each replica counts on its own, so the
 * effective limit behind N replicas is up to N times higher; see docs/deploy.md).
 *
 * Windows all last `windowMs`, so they expire in the order they opened: a queue of windows in
 * opening order lets each new window drop the expired ones at its head, every window once —
 * O(1) amortised per hit whatever the number of keys. Past `maxKeys` live keys the oldest
 * windows are forgotten first (their keys start afresh), so memory stays bounded under a flood
 * of distinct keys.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>()
  /** Windows in opening order; entries before `head` are consumed */
  private queue: Window[] = []
  private head = 0

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  hit(key: string, now: number): number {
    let window = this.windows.get(key)
    if (!window || window.resetAt <= now) {
      this.dropExpired(now)
      window = { key, count: 0, resetAt: now + this.windowMs }
      this.windows.set(key, window)
      this.queue.push(window)
      while (this.windows.size > this.maxKeys) this.dropHead()
    }
    window.count += 1
    return window.count > this.limit ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : 0
  }

  /** Keys remembered now (for tests and the bench). */
  get size(): number {
    return this.windows.size
  }

  private dropExpired(now: number): void {
    while (this.head < this.queue.length && this.queue[this.head].resetAt <= now) this.dropHead()
  }

  private dropHead(): void {
    const window = this.queue[this.head]
    this.head += 1
    // A key whose window was renewed has a newer entry further on; only the current one is deleted.
    if (this.windows.get(window.key) === window) this.windows.delete(window.key)
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}

/** The one place limiters are made: swap the store here for one shared by replicas. */
export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  return new MemoryRateLimiter(limit, windowMs)
}

/**
 * Counts one hit of `key`; over the limit, throws 429 RATE_LIMITED with Retry-After and a
 * message saying what was limited ("too many sign-ins: try again in 42 s").
 */
export async function enforceRateLimit(limiter: RateLimiter, key: string, now: number, what: string): Promise<void> {
  const wait = await limiter.hit(key, now)
  if (wait > 0) {
    throw new ApiError(429, 'RATE_LIMITED', `too many ${what}: try again in ${wait} s`, {
      'retry-after': String(wait),
    })
  }
}
