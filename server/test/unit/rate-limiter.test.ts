import { enforceRateLimit, MemoryRateLimiter } from '../../src/infra/rate-limiter'
import { ApiError } from '../../src/errors'

const WINDOW_MS = 60000
const KEYS = 200_000
const key = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`

describe('MemoryRateLimiter', () => {
  it(`counts each of ${KEYS.toLocaleString('en')} keys on its own`, () => {
    const limiter = new MemoryRateLimiter(3, WINDOW_MS)
    const t0 = 1_000_000
    let refused = 0
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < KEYS; i += 1) if (limiter.hit(key(i), t0 + round) !== 0) refused += 1
    }
    expect(refused).toBe(0)
    expect(limiter.size).toBe(KEYS)
    // The fourth hit of any key in its window is refused, with the seconds left in the window.
    for (let i = 0; i < KEYS; i += 997) expect(limiter.hit(key(i), t0 + 30000)).toBe(30)
    // A new key is counted from one.
    expect(limiter.hit('new', t0 + 30000)).toBe(0)
  })

  it('drops windows once they are over, oldest first, and starts their keys afresh', () => {
    const limiter = new MemoryRateLimiter(1, WINDOW_MS)
    const t0 = 5_000_000
    // Half the keys open their windows at t0, half 30 s later.
    for (let i = 0; i < KEYS / 2; i += 1) limiter.hit(key(i), t0)
    for (let i = KEYS / 2; i < KEYS; i += 1) limiter.hit(key(i), t0 + 30000)
    expect(limiter.size).toBe(KEYS)
    // Just past the first half's windows: a new key drops exactly those.
    limiter.hit('late', t0 + WINDOW_MS)
    expect(limiter.size).toBe(KEYS / 2 + 1)
    expect(limiter.hit(key(0), t0 + WINDOW_MS)).toBe(0)
    expect(limiter.hit(key(KEYS - 1), t0 + WINDOW_MS)).toBeGreaterThan(0)
    // Past every window: only what opened since stays.
    limiter.hit('later', t0 + 3 * WINDOW_MS)
    expect(limiter.size).toBe(1)
  })

  it('a renewed window is not dropped with the window it replaced', () => {
    const limiter = new MemoryRateLimiter(2, WINDOW_MS)
    const t0 = 9_000_000
    limiter.hit('a', t0)
    limiter.hit('b', t0 + 1000)
    // a's first window is over; its second opens at t0 + 60 s.
    expect(limiter.hit('a', t0 + WINDOW_MS)).toBe(0)
    // b's window ends: the queue's stale entry for a's first window is dropped, not a's current one.
    limiter.hit('c', t0 + WINDOW_MS + 1000)
    expect(limiter.hit('a', t0 + WINDOW_MS + 1000)).toBe(0)
    expect(limiter.hit('a', t0 + WINDOW_MS + 2000)).toBeGreaterThan(0)
  })

  it('holds at most maxKeys keys under a flood of new ones, forgetting the oldest', () => {
    const limiter = new MemoryRateLimiter(1, WINDOW_MS, 1000)
    const t0 = 2_000_000
    let largest = 0
    for (let i = 0; i < KEYS; i += 1) {
      limiter.hit(key(i), t0)
      largest = Math.max(largest, limiter.size)
    }
    expect(largest).toBe(1000)
    // The latest keys are still counted; the earliest were forgotten.
    expect(limiter.hit(key(KEYS - 1), t0)).toBeGreaterThan(0)
    expect(limiter.hit(key(0), t0)).toBe(0)
  })
})

describe('enforceRateLimit', () => {
  it('answers 429 RATE_LIMITED with Retry-After once over the limit', async () => {
    const limiter = new MemoryRateLimiter(1, WINDOW_MS)
    await enforceRateLimit(limiter, 'k', 0, 'tries')
    const refused = await enforceRateLimit(limiter, 'k', 15000, 'tries').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ApiError)
    expect(refused).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: 'too many tries: try again in 45 s',
      headers: { 'retry-after': '45' },
    })
  })

  it('takes a limiter whose store answers asynchronously, as a shared one would', async () => {
    const counts = new Map<string, number>()
    const shared = {
      hit: async (k: string) => {
        counts.set(k, (counts.get(k) ?? 0) + 1)
        return (counts.get(k) ?? 0) > 2 ? 7 : 0
      },
    }
    await enforceRateLimit(shared, 'k', 0, 'tries')
    await enforceRateLimit(shared, 'k', 0, 'tries')
    await expect(enforceRateLimit(shared, 'k', 0, 'tries')).rejects.toMatchObject({ headers: { 'retry-after': '7' } })
  })
})
