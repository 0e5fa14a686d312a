import crypto from 'node:crypto'
import type { SimulatorOptions } from './state'
import type { XpayOptions } from './xpay'

/** WeChat Pay settings from the environment; keys.ts turns them into `PayOptions` (reading or making the keys) */
export interface PaySetup {
  mchid: string
  appid?: string
  merchantCertSerial?: string
  platformKeyId?: string
  platformCertSerial?: string
  apiV3Key?: string
  merchantPublicKeyFile?: string
  platformPrivateKeyFile?: string
  platformCertPrivateKeyFile?: string
}

export interface SimulatorEnv {
  host: string
  port: number
  /** Everything but `pay`, which needs keys.ts (files) */
  options: SimulatorOptions
  /** True when SIM_SECRET was absent and a random secret was made up for this run */
  generatedSecret: boolean
  /** SIM_KEYS_DIR: where a fresh key set and the settings the API server needs are written */
  keysDir: string | null
  /** WeChat Pay is on (SIM_PAY_MCHID or SIM_KEYS_DIR set) */
  pay: PaySetup | null
  /** The xpay settings made up for this run because their variables were absent */
  generatedXpay: string[]
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** The mchid the simulator uses when only SIM_KEYS_DIR is given (WeChat's documentation example) */
export const DEFAULT_MCHID = '1900000001'
/** The OfferID the simulator uses when SIM_XPAY_OFFER_ID is absent */
export const DEFAULT_OFFER_ID = '1450000001'

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`)
  }
  return value
}

function fraction(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || value > 1000) {
    throw new Error(`${name} must be a number above 0 (e.g. 0.001), not ${JSON.stringify(raw)}`)
  }
  return value
}

function words(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name]
  if (raw === undefined) return undefined
  return raw
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '')
}

function given(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]
  return raw === undefined || raw === '' ? undefined : raw
}

/** `vip_month:1800,vip_year:16800` → `{vip_month: 1800, vip_year: 16800}` */
function products(env: NodeJS.ProcessEnv): Record<string, number> | undefined {
  const raw = given(env, 'SIM_XPAY_PRODUCTS')
  if (raw === undefined) return undefined
  const out: Record<string, number> = {}
  for (const item of raw.split(',')) {
    const match = /^\s*([^:\s]+)\s*:\s*(\d+)\s*$/.exec(item)
    if (!match || Number(match[2]) <= 0) {
      throw new Error(
        `SIM_XPAY_PRODUCTS must be productId:priceFen pairs separated by commas, not ${JSON.stringify(raw)}`,
      )
    }
    out[match[1] ?? ''] = Number(match[2])
  }
  return out
}

function xpayFromEnv(env: NodeJS.ProcessEnv, generated: string[]): XpayOptions | undefined {
  const pushUrl = given(env, 'SIM_PUSH_URL')
  if (pushUrl === undefined) return undefined
  const made = (name: string, value: string) => {
    generated.push(name)
    return value
  }
  const aesKey = given(env, 'SIM_PUSH_AES_KEY')
  return {
    appKey: given(env, 'SIM_XPAY_APP_KEY') ?? made('SIM_XPAY_APP_KEY', crypto.randomBytes(16).toString('hex')),
    appKeySandbox: given(env, 'SIM_XPAY_APP_KEY_SANDBOX'),
    offerId: given(env, 'SIM_XPAY_OFFER_ID') ?? DEFAULT_OFFER_ID,
    products: products(env),
    pushUrl,
    pushToken: given(env, 'SIM_PUSH_TOKEN') ?? made('SIM_PUSH_TOKEN', crypto.randomBytes(12).toString('hex')),
    encodingAesKey:
      aesKey === 'random'
        ? made(
            'SIM_PUSH_AES_KEY',
            crypto
              .randomBytes(32)
              .toString('base64')
              .replace(/[^A-Za-z0-9]/g, 'A')
              .slice(0, 43),
          )
        : aesKey,
    originalId: given(env, 'SIM_XPAY_ORIGINAL_ID'),
  }
}

function payFromEnv(env: NodeJS.ProcessEnv, keysDir: string | null): PaySetup | null {
  const mchid = given(env, 'SIM_PAY_MCHID')
  if (mchid === undefined && keysDir === null) return null
  return {
    mchid: mchid ?? DEFAULT_MCHID,
    appid: given(env, 'SIM_PAY_APPID'),
    merchantCertSerial: given(env, 'SIM_PAY_MERCHANT_SERIAL'),
    platformKeyId: given(env, 'SIM_PAY_PLATFORM_KEY_ID'),
    platformCertSerial: given(env, 'SIM_PAY_PLATFORM_CERT_SERIAL'),
    apiV3Key: given(env, 'SIM_PAY_API_V3_KEY'),
    merchantPublicKeyFile: given(env, 'SIM_PAY_MERCHANT_PUBLIC_KEY_FILE'),
    platformPrivateKeyFile: given(env, 'SIM_PAY_PLATFORM_PRIVATE_KEY_FILE'),
    platformCertPrivateKeyFile: given(env, 'SIM_PAY_PLATFORM_CERT_PRIVATE_KEY_FILE'),
  }
}

/** Reads the simulator's settings from the environment (see docs/wechat-simulator.md) */
export function simulatorEnv(env: NodeJS.ProcessEnv): SimulatorEnv {
  const secretGiven = env.SIM_SECRET
  const secret = secretGiven === undefined || secretGiven === '' ? crypto.randomBytes(16).toString('hex') : secretGiven
  const level = env.SIM_LOG_LEVEL ?? 'warn'
  if (!LOG_LEVELS.includes(level)) throw new Error(`SIM_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  const keysDir = given(env, 'SIM_KEYS_DIR') ?? null
  const generatedXpay: string[] = []
  const xpay = xpayFromEnv(env, generatedXpay)
  return {
    host: env.SIM_HOST || '127.0.0.1',
    port: integer(env, 'SIM_PORT', 3100, 0, 65535),
    generatedSecret: secret !== secretGiven,
    keysDir,
    pay: payFromEnv(env, keysDir),
    generatedXpay,
    options: {
      secret,
      appid: env.SIM_APPID || undefined,
      tokenTtlS: integer(env, 'SIM_TOKEN_TTL_S', 7200, 1, 86400 * 365),
      codeTtlS: integer(env, 'SIM_CODE_TTL_S', 300, 1, 86400 * 365),
      unionid: env.SIM_UNIONID === '1',
      riskyWords: words(env, 'SIM_RISKY_WORDS'),
      reviewWords: words(env, 'SIM_REVIEW_WORDS'),
      logger: { level },
      ...(xpay === undefined ? {} : { xpay }),
      retryScale: fraction(env, 'SIM_RETRY_SCALE'),
      notifyTimeoutMs: integer(env, 'SIM_NOTIFY_TIMEOUT_MS', 5000, 1, 600000),
      refundDelayMs: integer(env, 'SIM_REFUND_DELAY_MS', 0, 0, 86400000),
    },
  }
}
