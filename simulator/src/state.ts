import type { FastifyServerOptions } from 'fastify'
import { Clock } from './clock'
import { Faults } from './faults'
import { requestId } from './ids'
import { LoginStore } from './login'
import { PhoneCodeStore } from './phone'
import { DEFAULT_REVIEW_WORDS, DEFAULT_RISKY_WORDS, type RiskyWord } from './security'
import { TokenStore } from './tokens'

export interface SimulatorOptions {
  /** The AppSecret the simulator accepts; required, never committed (main.ts makes one up) */
  secret: string
  /** The mini-program's appid; `wx0000000000000000` unless given */
  appid?: string
  /** Lifetime of an access_token in seconds; 7200 unless given */
  tokenTtlS?: number
  /** Lifetime of a wx.login code in seconds; 300 unless given */
  codeTtlS?: number
  /** Lifetime of a getPhoneNumber code in seconds; 300 unless given */
  phoneCodeTtlS?: number
  /** Whether jscode2session returns a unionid (the app is bound to an Open Platform account) */
  unionid?: boolean
  /** Words that make msg_sec_check say `risky` (label 20001 unless given) */
  riskyWords?: ReadonlyArray<string | RiskyWord>
  /** Words that make msg_sec_check say `review` */
  reviewWords?: readonly string[]
  /** The base clock in milliseconds; Date.now unless given. `POST /__control/clock` adds to it */
  now?: () => number
  /** Fastify's logger option; off unless given */
  logger?: FastifyServerOptions['logger']
}

export interface SimConfig {
  readonly appid: string
  readonly secret: string
  readonly tokenTtlS: number
  readonly codeTtlS: number
  readonly phoneCodeTtlS: number
  readonly unionid: boolean
  readonly riskyWords: readonly RiskyWord[]
  readonly reviewWords: readonly string[]
}

export const DEFAULT_APPID = 'wx0000000000000000'

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  const seconds = value ?? fallback
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RangeError(`${name} must be a positive whole number`)
  return seconds
}

export function resolveConfig(options: SimulatorOptions): SimConfig {
  if (typeof options.secret !== 'string' || options.secret === '') throw new Error('the simulator needs a secret')
  const appid = options.appid ?? DEFAULT_APPID
  if (appid === '') throw new Error('the simulator needs a non-empty appid')
  return {
    appid,
    secret: options.secret,
    tokenTtlS: positiveSeconds('tokenTtlS', options.tokenTtlS, 7200),
    codeTtlS: positiveSeconds('codeTtlS', options.codeTtlS, 300),
    phoneCodeTtlS: positiveSeconds('phoneCodeTtlS', options.phoneCodeTtlS, 300),
    unionid: options.unionid ?? false,
    riskyWords: (options.riskyWords ?? DEFAULT_RISKY_WORDS).map((word) =>
      typeof word === 'string' ? { word, label: 20001 } : word,
    ),
    reviewWords: options.reviewWords ?? DEFAULT_REVIEW_WORDS,
  }
}

/**
 * Everything the simulator remembers, shared by its modules. Each WeChat area keeps its own
 * store here; `reset()` empties them all (the configuration stays).
 */
export class SimState {
  readonly clock: Clock
  readonly faults = new Faults()
  /** Calls per upstream route path, faulted calls included */
  readonly calls = new Map<string, number>()
  /** Every upstream route path, filled as routes are registered (faults may only name these) */
  readonly upstreamPaths = new Set<string>()
  readonly logins: LoginStore
  readonly tokens: TokenStore
  readonly phones: PhoneCodeStore

  constructor(
    readonly config: SimConfig,
    now?: () => number,
  ) {
    this.clock = new Clock(now)
    this.logins = new LoginStore(config, this.clock)
    this.tokens = new TokenStore(config, this.clock)
    this.phones = new PhoneCodeStore(config, this.clock)
  }

  /** A WeChat request id (rid / trace_id) for this moment */
  requestId(): string {
    return requestId(this.clock.nowS())
  }

  reset(): void {
    this.faults.clear()
    this.calls.clear()
    this.logins.reset()
    this.tokens.reset()
    this.phones.reset()
    this.clock.reset()
  }
}
