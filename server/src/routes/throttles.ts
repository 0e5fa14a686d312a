import type { Config } from '../config'
import { createRateLimiter, enforceRateLimit, type RateLimiter } from '../infra/rate-limiter'

const MINUTE_MS = 60000
const HOUR_MS = 3600000

/**
 * Throttles on what is expensive or spends WeChat quota, each answered 429 RATE_LIMITED with
 * Retry-After. Defaults are generous for people and tight for scripts (README lists the variables).
 */
const THROTTLES = {
  /** Share cards drawn per client address: only renders count, cached cards are free */
  shareCardRenders: { limit: (c: Config) => c.SHARE_CARD_RENDERS_PER_IP, windowMs: MINUTE_MS, what: 'share cards' },
  /** PDFs rendered per reader: only cold renders count, a PDF on disk is free */
  pdfRenders: { limit: (c: Config) => c.PDF_RENDERS_PER_READER, windowMs: HOUR_MS, what: 'PDF downloads' },
  /** Orders per reader: each asks WeChat for a payment */
  orders: { limit: (c: Config) => c.ORDERS_PER_READER, windowMs: HOUR_MS, what: 'orders' },
  /** Nickname changes per reader: each spends msg_sec_check quota */
  nicknameChanges: {
    limit: (c: Config) => c.NICKNAME_CHANGES_PER_READER,
    windowMs: HOUR_MS,
    what: 'nickname changes',
  },
  avatarUploads: { limit: (c: Config) => c.AVATAR_UPLOADS_PER_READER, windowMs: HOUR_MS, what: 'avatar uploads' },
} as const

export type ThrottleName = keyof typeof THROTTLES

/** One set of limiters per app (tests build many apps in one process). */
const limitersByApp = new WeakMap<object, Map<ThrottleName, RateLimiter>>()

function limiterOf(app: { config: Config }, name: ThrottleName): RateLimiter {
  let limiters = limitersByApp.get(app)
  if (!limiters) {
    limiters = new Map()
    limitersByApp.set(app, limiters)
  }
  let limiter = limiters.get(name)
  if (!limiter) {
    const throttle = THROTTLES[name]
    limiter = createRateLimiter(throttle.limit(app.config), throttle.windowMs)
    limiters.set(name, limiter)
  }
  return limiter
}

/**
 * Counts one use of `name` by `who` (a reader id, or a client address); over the limit throws
 * 429 RATE_LIMITED, e.g. "too many orders: try again in 1200 s".
 */
export async function throttle(
  app: { config: Config },
  name: ThrottleName,
  who: string | number,
  now: number,
): Promise<void> {
  await enforceRateLimit(limiterOf(app, name), String(who), now, THROTTLES[name].what)
}
