import crypto from 'node:crypto'
import type { FastifyServerOptions } from 'fastify'
import { Clock } from './clock'
import { Faults } from './faults'
import { requestId } from './ids'
import { LoginStore } from './login'
import { Notifier } from './notify'
import { PayStore, type PayConfig, type PayOptions } from './pay'
import { PhoneCodeStore } from './phone'
import { DEFAULT_REVIEW_WORDS, DEFAULT_RISKY_WORDS, type RiskyWord } from './security'
import { ShippingStore } from './shipping'
import { SubscribeStore } from './subscribe'
import { TokenStore } from './tokens'
import { defaultOriginalId, XpayStore, type XpayConfig, type XpayOptions } from './xpay'

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
  /** 小程序虚拟支付 (xpay); /xpay/* and the phone's xpay sheet answer only when given */
  xpay?: XpayOptions
  /** WeChat Pay API v3; /v3/* and the phone's cashier answer only when given */
  pay?: PayOptions
  /** Multiplies every wait of the notification retry schedule (0.001 turns 15 s into 15 ms); 1 unless given */
  retryScale?: number
  /** How long a notification receiver may take to answer, in ms; 5000 unless given */
  notifyTimeoutMs?: number
  /** How long a refund stays PROCESSING before it ends (and its notification goes out), in ms; 0 unless given */
  refundDelayMs?: number
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
  readonly xpay: XpayConfig | null
  readonly pay: PayConfig | null
  readonly retryScale: number
  readonly notifyTimeoutMs: number
  readonly refundDelayMs: number
}

export const DEFAULT_APPID = 'wx0000000000000000'

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  const seconds = value ?? fallback
  if (!Number.isInteger(seconds) || seconds <= 0) throw new RangeError(`${name} must be a positive whole number`)
  return seconds
}

function nonEmpty(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${name} must be a non-empty string`)
  return value
}

function httpUrl(name: string, value: unknown): string {
  const text = nonEmpty(name, value)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new Error(`${name} must be an http(s) URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL`)
  return text
}

function resolveXpay(appid: string, options: XpayOptions): XpayConfig {
  const products = options.products ?? null
  for (const [id, price] of Object.entries(products ?? {})) {
    if (!Number.isInteger(price) || price <= 0) throw new Error(`xpay.products.${id} must be a price in fen (> 0)`)
  }
  const aesKey = options.encodingAesKey ?? null
  if (aesKey !== null && !/^[A-Za-z0-9]{43}$/.test(aesKey)) {
    throw new Error('xpay.encodingAesKey must be 43 letters and digits')
  }
  if (!/^[A-Za-z0-9]{3,32}$/.test(options.pushToken ?? '')) {
    throw new Error('xpay.pushToken must be 3-32 letters and digits')
  }
  const originalId = options.originalId ?? defaultOriginalId(appid)
  return {
    appKey: nonEmpty('xpay.appKey', options.appKey),
    appKeySandbox: options.appKeySandbox === undefined ? null : nonEmpty('xpay.appKeySandbox', options.appKeySandbox),
    offerId: nonEmpty('xpay.offerId', options.offerId),
    products,
    pushUrl: httpUrl('xpay.pushUrl', options.pushUrl),
    pushToken: options.pushToken,
    encodingAesKey: aesKey,
    originalId: nonEmpty('xpay.originalId', originalId),
  }
}

function publicKey(name: string, pem: unknown): crypto.KeyObject {
  try {
    return crypto.createPublicKey(nonEmpty(name, pem))
  } catch {
    throw new Error(`${name} must be a PEM public key (or certificate)`)
  }
}

function privateKey(name: string, pem: unknown): crypto.KeyObject {
  try {
    return crypto.createPrivateKey(nonEmpty(name, pem))
  } catch {
    throw new Error(`${name} must be a PEM private key`)
  }
}

function resolvePay(appid: string, options: PayOptions): PayConfig {
  const apiV3Key = nonEmpty('pay.apiV3Key', options.apiV3Key)
  if (!/^[\x21-\x7e]{32}$/.test(apiV3Key)) throw new Error('pay.apiV3Key must be 32 ASCII characters')
  const certSerial = options.platformCertSerial
  if (certSerial !== undefined && !/^[0-9A-Fa-f]{40}$/.test(certSerial)) {
    throw new Error('pay.platformCertSerial must be 40 hex digits')
  }
  if ((certSerial === undefined) !== (options.platformCertPrivateKey === undefined)) {
    throw new Error('pay.platformCertSerial and pay.platformCertPrivateKey go together')
  }
  const platformKeyId = nonEmpty('pay.platformKeyId', options.platformKeyId)
  if (platformKeyId === certSerial) throw new Error('pay.platformKeyId and pay.platformCertSerial must differ')
  return {
    mchid: nonEmpty('pay.mchid', options.mchid),
    appid: options.appid === undefined ? appid : nonEmpty('pay.appid', options.appid),
    merchantCertSerial: nonEmpty('pay.merchantCertSerial', options.merchantCertSerial),
    merchantPublicKey: publicKey('pay.merchantPublicKey', options.merchantPublicKey),
    platformPrivateKey: privateKey('pay.platformPrivateKey', options.platformPrivateKey),
    platformKeyId,
    platformCert:
      certSerial === undefined
        ? null
        : {
            serial: certSerial,
            privateKey: privateKey('pay.platformCertPrivateKey', options.platformCertPrivateKey),
          },
    apiV3Key,
  }
}

function positiveNumber(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const number = value ?? fallback
  if (!Number.isFinite(number) || number < 0 || (!allowZero && number === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`)
  }
  return number
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
    xpay: options.xpay === undefined ? null : resolveXpay(appid, options.xpay),
    pay: options.pay === undefined ? null : resolvePay(appid, options.pay),
    retryScale: positiveNumber('retryScale', options.retryScale, 1),
    notifyTimeoutMs: positiveNumber('notifyTimeoutMs', options.notifyTimeoutMs, 5000),
    refundDelayMs: positiveNumber('refundDelayMs', options.refundDelayMs, 0, true),
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
  /** One-time subscribe messages: accepts per user and template, and the messages sent */
  readonly subscribe: SubscribeStore
  /** Outgoing payment notifications of both rails, their retries, log and test switches */
  readonly notifier: Notifier
  /** xpay orders and refunds; null when the simulator has no xpay options */
  readonly xpay: XpayStore | null
  /** WeChat Pay v3 transactions and refunds; null when the simulator has no pay options */
  readonly pay: PayStore | null
  /** 发货信息管理 of WeChat Pay orders; null when the simulator has no pay options */
  readonly shipping: ShippingStore | null

  constructor(
    readonly config: SimConfig,
    now?: () => number,
  ) {
    this.clock = new Clock(now)
    this.logins = new LoginStore(config, this.clock)
    this.tokens = new TokenStore(config, this.clock)
    this.phones = new PhoneCodeStore(config, this.clock)
    this.subscribe = new SubscribeStore(this.clock)
    this.notifier = new Notifier(this.clock, { retryScale: config.retryScale, timeoutMs: config.notifyTimeoutMs })
    this.xpay = config.xpay && new XpayStore(config.xpay, config, this.clock, this.notifier)
    this.pay = config.pay && new PayStore(config.pay, config, this.clock, this.notifier)
    this.shipping = this.pay && new ShippingStore(this.pay, this.clock)
  }

  /** A WeChat request id (rid / trace_id) for this moment */
  requestId(): string {
    return requestId(this.clock.nowS())
  }

  /** Stops every timer and delivery (the simulator is closing) */
  close(): void {
    this.notifier.stop()
    this.xpay?.reset()
    this.pay?.reset()
  }

  reset(): void {
    this.faults.clear()
    this.calls.clear()
    this.logins.reset()
    this.tokens.reset()
    this.phones.reset()
    this.subscribe.reset()
    this.notifier.reset()
    this.xpay?.reset()
    this.pay?.reset()
    this.shipping?.reset()
    this.clock.reset()
  }
}
