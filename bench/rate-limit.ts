/**
 * The rate limiter's cost per hit with 1,000 and 200,000 keys held, for the limiter before the
 * expiry queue (it scanned every window on each new key past 100,000 keys) and now.
 * npm run bench:rate-limit
 */
import { performance } from 'node:perf_hooks'
import { MemoryRateLimiter } from '../server/src/infra/rate-limiter'
import { formatTable } from './lib'

/** The limiter as it was: a sweep over every window for each new key once past 100,000 keys. */
class ScanningRateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>()
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}
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

interface Limiter {
  hit(key: string, now: number): number
}

const WINDOW_MS = 60000

/** µs per hit: `held` keys in live windows, then `runs` hits of new keys (each opens a window) and of held ones. */
function measure(make: () => Limiter, held: number, runs: number): { newKey: number; heldKey: number } {
  const limiter = make()
  const start = 1_000_000
  for (let i = 0; i < held; i += 1) limiter.hit(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, start + (i % 1000))
  const now = start + 1000
  let begun = performance.now()
  for (let i = 0; i < runs; i += 1) limiter.hit(`new-${i}`, now)
  const newKey = ((performance.now() - begun) * 1000) / runs
  begun = performance.now()
  for (let i = 0; i < runs; i += 1) limiter.hit(`10.0.${(i >> 8) & 3}.${i & 255}`, now)
  const heldKey = ((performance.now() - begun) * 1000) / runs
  return { newKey, heldKey }
}

function main(): void {
  const rows: Record<string, string | number>[] = []
  for (const held of [1000, 200_000]) {
    for (const [name, make, runs] of [
      // Few enough new keys at 1,000 held that the old limiter stays under its 100,000-key sweep.
      ['before (scan past 100k keys)', () => new ScanningRateLimiter(30, WINDOW_MS), held > 100000 ? 2000 : 20000],
      ['now (expiry queue)', () => new MemoryRateLimiter(30, WINDOW_MS), held > 100000 ? 100000 : 20000],
    ] as const) {
      measure(make, held, Math.min(runs, 1000)) // warm-up
      const { newKey, heldKey } = measure(make, held, runs)
      rows.push({
        limiter: name,
        'keys held': held.toLocaleString('en'),
        'µs/hit, new key': newKey.toFixed(3),
        'µs/hit, held key': heldKey.toFixed(3),
        hits: runs,
      })
    }
  }
  process.stdout.write(`${formatTable(rows)}\n`)
}

main()
