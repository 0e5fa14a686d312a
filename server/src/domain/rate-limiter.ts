/**
 * Fixed-window counters per key, in this process (each replica counts on its own, so
 * the effective limit behind N replicas is up to N times higher; see README).
 */
export class RateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>()

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit; returns 0 when allowed, or the seconds to wait when over the limit. */
  hit(key: string, now: number): number {
    let window = this.windows.get(key)
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 100000) this.sweep(now)
      window = { count: 0, resetAt: now + this.windowMs }
      this.windows.set(key, window)
    }
    window.count += 1
    return window.count > this.limit ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : 0
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key)
  }
}
