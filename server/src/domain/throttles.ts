import type { Config } from '../config'
import { createRateLimiter, enforceRateLimit, type RateLimiter } from '../infra/rate-limiter'

const MINUTE_MS = 60000
const HOUR_MS = 3600000

/**
 * Throttles on what is expensive, spends WeChat quota or invites scripts, each answered 429
 * RATE_LIMITED with Retry-After. Defaults are generous for people and tight for scripts
 * (docs/configuration.md lists the variables).
 */
const THROTTLES = {
  /** Sign-ins per client address */
  signInsPerAddress: { limit: (c: Config) => c.LOGIN_RATE_PER_IP, windowMs: MINUTE_MS, what: 'sign-ins' },
  /** Sign-ins per WeChat openid */
  signInsPerUser: { limit: (c: Config) => c.LOGIN_RATE_PER_USER, windowMs: MINUTE_MS, what: 'sign-ins' },
  /** Share opens one client address may report: a reader opens a handful of shares, a script many */
  shareOpens: { limit: () => 60, windowMs: MINUTE_MS, what: 'share opens' },
  /** Funnel event batches per client address (a school's readers may share one) and per viewer key */
  eventsPerAddress: { limit: (c: Config) => c.EVENTS_PER_IP, windowMs: MINUTE_MS, what: 'event reports' },
  eventsPerViewer: { limit: (c: Config) => c.EVENTS_PER_VIEWER, windowMs: MINUTE_MS, what: 'event reports' },
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
  /** Console password sign-ins per client address, and per operator name tried */
  adminSignInsPerAddress: { limit: () => 10, windowMs: MINUTE_MS, what: 'sign-in attempts' },
  /** 小程序码 drawn for the console's scan sign-in: each one spends WeChat API quota */
  adminScanCodesPerAddress: { limit: () => 30, windowMs: MINUTE_MS, what: 'sign-in codes' },
  adminSignInsPerName: { limit: () => 10, windowMs: MINUTE_MS, what: 'sign-in attempts' },
  /** Console scan sign-ins per client address: each ticket's 小程序码 spends WeChat quota */
  adminScanTickets: { limit: () => 10, windowMs: MINUTE_MS, what: 'sign-in codes' },
} as const

export type ThrottleName = keyof typeof THROTTLES

/** Makes the limiter behind one throttle; the in-memory one unless told otherwise. */
export type LimiterFactory = (name: ThrottleName, limit: number, windowMs: number) => RateLimiter

/** Every throttle of one process (tests build many in one process, each with its own). */
export class Throttles {
  private readonly limiters = new Map<ThrottleName, RateLimiter>()

  constructor(
    private readonly config: Config,
    private readonly makeLimiter: LimiterFactory = (_name, limit, windowMs) => createRateLimiter(limit, windowMs),
  ) {}

  /**
   * Counts one use of `name` by `who` (a reader id, an openid or a client address); over the
   * limit throws 429 RATE_LIMITED, e.g. "too many orders: try again in 1200 s".
   */
  async hit(name: ThrottleName, who: string | number, now: number): Promise<void> {
    await enforceRateLimit(this.limiter(name), String(who), now, THROTTLES[name].what)
  }

  private limiter(name: ThrottleName): RateLimiter {
    let limiter = this.limiters.get(name)
    if (!limiter) {
      const throttle = THROTTLES[name]
      limiter = this.makeLimiter(name, throttle.limit(this.config), throttle.windowMs)
      this.limiters.set(name, limiter)
    }
    return limiter
  }
}
