import net from 'node:net'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * Every setting comes from the environment and is validated once at start.
 * docs/configuration.md lists each variable with its default; a unit test keeps the two in step.
 */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** postgres://… selects PostgreSQL; empty selects SQLite at SQLITE_PATH */
  DATABASE_URL: Type.String({ default: '', pattern: '^(|postgres(ql)?://.+)$' }),
  SQLITE_PATH: Type.String({ default: 'data/beichen.db', minLength: 1 }),
  /** Import content/ when the database has no issue yet */
  IMPORT_SAMPLE_CONTENT: Type.Boolean({ default: true }),
  SAMPLE_CONTENT_DIR: Type.String({ default: 'content', minLength: 1 }),
  /** Largest request body accepted, bytes */
  BODY_LIMIT: Type.Integer({ default: 65536, minimum: 1024, maximum: 10485760 }),
  /** Comma-separated origins allowed by CORS (the H5 preview); empty allows none */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** How often buffered view counts are written, ms */
  VIEW_FLUSH_INTERVAL_MS: Type.Integer({ default: 2000, minimum: 50, maximum: 600000 }),
  /** How long a cut issue stays in the per-access-level cache, ms (0 disables) */
  ISSUE_CACHE_TTL_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 600000 }),
  /** Service line shown to readers (GET /api/contacts, like the other contact settings below) */
  SERVICE_PHONE: Type.String({ default: '400-1788-950', minLength: 1, maxLength: 32 }),
  /** When the service line answers */
  SERVICE_HOURS: Type.String({ default: '09:00—21:30', minLength: 1, maxLength: 40 }),
  /** 商务合作 line */
  BUSINESS_PHONE: Type.String({ default: '18674025063', minLength: 1, maxLength: 32 }),
  /** 公众号 name readers search for */
  OFFICIAL_ACCOUNT_NAME: Type.String({ default: '北辰遴选', minLength: 1, maxLength: 40 }),
  /** 视频号 name shown to readers */
  CHANNELS_NAME: Type.String({ default: '北辰遴选', minLength: 1, maxLength: 40 }),
  /** 视频号 id (finderUserName, sph…) opened with wx.openChannelsUserProfile; empty: shown by name only */
  CHANNELS_FINDER_USER_NAME: Type.String({ default: '', maxLength: 64 }),
  /** 微博 name shown to readers */
  WEIBO_NAME: Type.String({ default: '北辰遴选', minLength: 1, maxLength: 40 }),
  /** Port of the Prometheus metrics endpoint (GET /metrics), separate from PORT; 0 turns it off */
  METRICS_PORT: Type.Integer({ default: 0, minimum: 0, maximum: 65535 }),
  /** Interface the metrics endpoint listens on: loopback unless the scraper runs elsewhere */
  METRICS_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** On SIGTERM/SIGINT, how long requests in flight and the final flush may take before the process exits 1, ms */
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 10000, minimum: 100, maximum: 600000 }),

  /** Where WeChat's server APIs live: the simulator in development and tests */
  WECHAT_API_BASE: Type.String({ default: 'https://api.weixin.qq.com', pattern: '^https?://[^\\s]+$' }),
  WECHAT_APPID: Type.String({ default: 'touristappid', minLength: 1, maxLength: 64 }),
  /** The mini-program's AppSecret; without it login answers 503 WECHAT_NOT_CONFIGURED */
  WECHAT_APPSECRET: Type.String({ default: '', maxLength: 128 }),
  /** 32 bytes, base64 or hex: encrypts each reader's session_key at rest; required with WECHAT_APPSECRET */
  SESSION_KEY_ENCRYPTION_KEY: Type.String({ default: '', maxLength: 128 }),
  /** Time allowed for one call to WeChat, ms */
  WECHAT_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 60000 }),
  /** Pass nicknames through WeChat's msg_sec_check */
  NICKNAME_SECURITY_CHECK: Type.Boolean({ default: true }),
  /** Folder for cached PDFs, and for avatars with MEDIA_STORAGE=folder (or uploaded before the database kept them) */
  MEDIA_DIR: Type.String({ default: 'data/media', minLength: 1 }),
  /** Where uploaded media live: the database (every replica serves them; no extra server) or MEDIA_DIR (one server) */
  MEDIA_STORAGE: Type.Union([Type.Literal('database'), Type.Literal('folder')], { default: 'database' }),
  /** Where rate-limit windows are counted: `auto` (the database on PostgreSQL, so replicas share one total; memory on SQLite), `memory` or `database` */
  RATE_LIMIT_STORE: Type.Union([Type.Literal('auto'), Type.Literal('memory'), Type.Literal('database')], {
    default: 'auto',
  }),
  /** Public base URL of the API for media links; empty gives paths relative to the API */
  PUBLIC_BASE_URL: Type.String({ default: '', pattern: '^(|https?://[^\\s]+)$' }),
  /** Logins allowed per client address and per WeChat user, each per minute */
  LOGIN_RATE_PER_IP: Type.Integer({ default: 30, minimum: 1, maximum: 100000 }),
  LOGIN_RATE_PER_USER: Type.Integer({ default: 10, minimum: 1, maximum: 100000 }),
  /**
   * Which proxies in front may name the client in X-Forwarded-For: empty (not decided: the header is
   * ignored, with a warning once), `false` (none: the peer address is the client), a hop count (e.g. 1
   * behind one load balancer: the right-most entry), or comma-separated addresses/CIDRs of the proxies.
   */
  TRUST_PROXY: Type.String({ default: '', maxLength: 1000 }),
  /** Share cards drawn (cache misses) per client address per minute */
  SHARE_CARD_RENDERS_PER_IP: Type.Integer({ default: 30, minimum: 1, maximum: 100000 }),
  /** PDFs rendered (not served from the disk cache) per reader per hour */
  PDF_RENDERS_PER_READER: Type.Integer({ default: 30, minimum: 1, maximum: 100000 }),
  /** PDFs kept on disk per reader; past it the reader's own least recently served go first */
  PDF_FILES_PER_READER: Type.Integer({ default: 20, minimum: 1, maximum: 100000 }),
  /** Orders created per reader per hour (each asks WeChat for a payment) */
  ORDERS_PER_READER: Type.Integer({ default: 20, minimum: 1, maximum: 100000 }),
  /** Nickname changes per reader per hour (each spends msg_sec_check quota) */
  NICKNAME_CHANGES_PER_READER: Type.Integer({ default: 20, minimum: 1, maximum: 100000 }),
  /** Avatar uploads per reader per hour */
  AVATAR_UPLOADS_PER_READER: Type.Integer({ default: 20, minimum: 1, maximum: 100000 }),
  /** Funnel event batches (POST /api/events) per client address, and per anonymous viewer key, per minute */
  EVENTS_PER_IP: Type.Integer({ default: 300, minimum: 1, maximum: 1000000 }),
  EVENTS_PER_VIEWER: Type.Integer({ default: 30, minimum: 1, maximum: 1000000 }),
  /** How often the funnel's raw events are rolled up into daily rows, ms (0: never, e.g. in tests that run it by hand) */
  FUNNEL_ROLLUP_INTERVAL_MS: Type.Integer({ default: 300000, minimum: 0, maximum: 86400000 }),
  /** Days raw funnel events are kept; rolled-up daily counts are kept for good */
  FUNNEL_RAW_DAYS: Type.Integer({ default: 14, minimum: 8, maximum: 365 }),

  /** Which rail sells VIP: virtual payment (WeChat's rule for virtual goods) or WeChat Pay JSAPI */
  PAYMENT_RAIL: Type.Union([Type.Literal('xpay'), Type.Literal('wechatpay')], { default: 'xpay' }),
  /** Unpaid orders are closed after this many minutes */
  ORDER_EXPIRE_MINUTES: Type.Integer({ default: 15, minimum: 2, maximum: 1440 }),
  /** How often the reconciliation sweep runs, ms (0: never, e.g. in tests that run it by hand) */
  RECONCILE_INTERVAL_MS: Type.Integer({ default: 60000, minimum: 0, maximum: 3600000 }),
  /** An order is first queried by the sweep this long after it was made, ms; later queries back off from it (at least 30 s) */
  RECONCILE_AFTER_MS: Type.Integer({ default: 120000, minimum: 0, maximum: 86400000 }),
  /**
   * Hours after an order was made when reconciliation stops asking about an unsettled one and closes it
   * for good: past WeChat Pay's order lifetime (ORDER_EXPIRE_MINUTES) and the 24 h 4 m over which WeChat
   * retries a notification. A verified notification that comes later still settles it.
   */
  ORDER_GIVE_UP_HOURS: Type.Integer({ default: 48, minimum: 1, maximum: 720 }),

  /** 消息推送 (message push) settings of the mini-program: Token and, for 安全模式, EncodingAESKey */
  MSG_PUSH_TOKEN: Type.String({ default: '', maxLength: 64 }),
  MSG_PUSH_AES_KEY: Type.String({ default: '', pattern: '^(|[A-Za-z0-9]{43})$' }),
  /** `allow` lets production run 消息推送 in plain mode (no MSG_PUSH_AES_KEY); see docs/deploy.md */
  MSG_PUSH_PLAIN_MODE: Type.Union([Type.Literal(''), Type.Literal('allow')], { default: '' }),
  /** Virtual payment: the offer id and the AppKey of the configured environment (0 live, 1 sandbox) */
  XPAY_OFFER_ID: Type.String({ default: '', maxLength: 64 }),
  XPAY_APP_KEY: Type.String({ default: '', maxLength: 128 }),
  XPAY_ENV: Type.Union([Type.Literal(0), Type.Literal(1)], { default: 0 }),

  /** WeChat Pay API v3: the merchant, its API certificate serial and private key file */
  WECHATPAY_API_BASE: Type.String({ default: 'https://api.mch.weixin.qq.com', pattern: '^https?://[^\\s]+$' }),
  WECHATPAY_MCHID: Type.String({ default: '', maxLength: 32 }),
  WECHATPAY_MERCHANT_SERIAL: Type.String({ default: '', maxLength: 64 }),
  WECHATPAY_MERCHANT_KEY_FILE: Type.String({ default: '' }),
  /** The APIv3 key (32 characters) that encrypts notifications */
  WECHATPAY_APIV3_KEY: Type.String({ default: '', pattern: '^(|.{32})$' }),
  /** 微信支付公钥: its id (PUB_KEY_ID_…) and PEM file; and/or a platform certificate's serial and PEM file */
  WECHATPAY_PUBLIC_KEY_ID: Type.String({ default: '', maxLength: 64 }),
  WECHATPAY_PUBLIC_KEY_FILE: Type.String({ default: '' }),
  WECHATPAY_PLATFORM_CERT_SERIAL: Type.String({ default: '', maxLength: 64 }),
  WECHATPAY_PLATFORM_CERT_FILE: Type.String({ default: '' }),
  /** Public HTTPS base URL of this API, for notify_url (WeChat Pay calls it from the internet) */
  WECHATPAY_NOTIFY_BASE: Type.String({ default: '', pattern: '^(|https?://[^\\s?]+)$' }),

  /** 通知我下一期: the one-time subscribe-message template (empty: the feature is off) */
  SUBSCRIBE_TEMPLATE_ID: Type.String({ default: '', pattern: '^[A-Za-z0-9_-]{0,128}$' }),
  /** How often new issues are announced and due messages sent, ms (0: never, e.g. in tests that run it by hand) */
  SUBSCRIBE_SWEEP_INTERVAL_MS: Type.Integer({ default: 30000, minimum: 0, maximum: 3600000 }),
  /** Which version of the mini-program a message opens */
  SUBSCRIBE_MINIPROGRAM_STATE: Type.Union([Type.Literal('developer'), Type.Literal('trial'), Type.Literal('formal')], {
    default: 'formal',
  }),

  /** How often scheduled issues (定时发布) that are due get published, seconds (0: never, e.g. in tests that run it by hand) */
  SCHEDULE_SWEEP_SECONDS: Type.Integer({ default: 30, minimum: 0, maximum: 3600 }),
  /** How often the shipping-upload job uploads shipments to WeChat (0: never by itself) */
  SHIPPING_UPLOAD_INTERVAL_MS: Type.Integer({ default: 30000, minimum: 0, maximum: 3600000 }),

  /**
   * Where course videos, posters and subtitles are fetched from: a CDN (or cloud VOD) base URL that
   * checks type-A signed URLs with COURSE_MEDIA_URL_KEY; empty: this API serves them from media storage
   */
  COURSE_MEDIA_BASE_URL: Type.String({ default: '', maxLength: 300, pattern: '^(|https?://[^\\s?#]+)$' }),
  /** The key course media URLs are signed with (the CDN's own, required with COURSE_MEDIA_BASE_URL); empty: one the server makes and keeps in the database */
  COURSE_MEDIA_URL_KEY: Type.String({ default: '', maxLength: 128 }),
  /** How long a signed course media URL plays, seconds */
  COURSE_MEDIA_URL_TTL_SECONDS: Type.Integer({ default: 600, minimum: 30, maximum: 86400 }),

  /** 32 bytes, hex or base64: encrypts and signs the operator console's session cookie; required in production */
  ADMIN_SESSION_KEY: Type.String({ default: '', maxLength: 128 }),
  /** A console session ends after this many minutes without a request */
  ADMIN_IDLE_MINUTES: Type.Integer({ default: 30, minimum: 1, maximum: 1440 }),
  /** Which version of the mini-program the console's sign-in 小程序码 opens */
  ADMIN_CONFIRM_ENV_VERSION: Type.Union([Type.Literal('release'), Type.Literal('trial'), Type.Literal('develop')], {
    default: 'trial',
  }),
  /** Where the H5 build is served: the console's "Preview as" frames its article page (empty: no frame, the 小程序码 only) */
  PREVIEW_H5_BASE: Type.String({ default: '', maxLength: 300, pattern: '^(|https?://[^\\s?#]+)$' }),
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {}

/** Never echoed in a message or a log. */
export const SECRET_VARIABLES = new Set([
  'WECHAT_APPSECRET',
  'SESSION_KEY_ENCRYPTION_KEY',
  'DATABASE_URL',
  'MSG_PUSH_TOKEN',
  'MSG_PUSH_AES_KEY',
  'XPAY_APP_KEY',
  'WECHATPAY_APIV3_KEY',
  'ADMIN_SESSION_KEY',
  'COURSE_MEDIA_URL_KEY',
])

/** Reads and validates the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw))
  const merged = { ...(converted as object), ...overrides }
  const problems = [...Value.Errors(ConfigSchema, merged)].map((error) => {
    const name = error.path.replace(/^\//, '')
    const got = SECRET_VARIABLES.has(name)
      ? 'a value that is not shown'
      : JSON.stringify(env[name] ?? (merged as Record<string, unknown>)[name])
    return `${name}: ${error.message} (got ${got})`
  })
  const config = merged as Config
  // Checks across variables read the typed values, so only once each variable is valid on its own.
  const valid = problems.length === 0
  if (config.WECHAT_APPSECRET && !decodeKey(config.SESSION_KEY_ENCRYPTION_KEY)) {
    problems.push(
      'SESSION_KEY_ENCRYPTION_KEY: must be 32 bytes written as 64 hex digits or base64 when WECHAT_APPSECRET is set',
    )
  }
  if (config.ADMIN_SESSION_KEY && !decodeKey(config.ADMIN_SESSION_KEY)) {
    problems.push('ADMIN_SESSION_KEY: must be 32 bytes written as 64 hex digits or base64')
  }
  if (config.COURSE_MEDIA_BASE_URL && !/^[A-Za-z0-9]{16,40}$/.test(config.COURSE_MEDIA_URL_KEY)) {
    problems.push(
      "COURSE_MEDIA_URL_KEY: must be the CDN's URL signing key, 16 to 40 letters and digits, when COURSE_MEDIA_BASE_URL is set",
    )
  }
  if (valid) {
    const trustProblem = trustProxyProblem(config.TRUST_PROXY)
    if (trustProblem) problems.push(trustProblem)
    if (config.NODE_ENV === 'production') problems.push(...productionProblems(config))
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  return config
}

/** Names proxy-addr (Fastify's trustProxy) accepts besides addresses: see docs/deploy.md. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function trustProxyProblem(value: string): string | null {
  const setting = value.trim()
  if (setting === '' || setting === 'false' || /^[0-9]{1,2}$/.test(setting)) return null
  if (setting === 'true') {
    return 'TRUST_PROXY: `true` would take the client address from the left-most X-Forwarded-For entry, which any client writes: set the number of proxies in front (e.g. 1) or their addresses'
  }
  const bad = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => !PROXY_RANGE_NAMES.has(entry) && !isAddressOrCidr(entry))
  return bad.length === 0
    ? null
    : `TRUST_PROXY: ${JSON.stringify(bad.join(','))} is not an address or CIDR: use false, a hop count (e.g. 1) or comma-separated proxy addresses/CIDRs`
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/')
  const family = net.isIP(address)
  if (family === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/**
 * What Fastify's trustProxy option gets: false, the proxies' addresses, or for a hop count a
 * function trusting that many hops from the socket (Fastify 5 refuses a bare number, since the
 * peer is then not checked: a hop count is only safe when nothing but the proxies can connect).
 */
export function trustProxyOption(
  config: Pick<Config, 'TRUST_PROXY'>,
): false | string | ((address: string, hop: number) => boolean) {
  const setting = config.TRUST_PROXY.trim()
  if (setting === '' || setting === 'false') return false
  if (/^[0-9]+$/.test(setting)) {
    const hops = Number(setting)
    return hops === 0 ? false : (_address: string, hop: number) => hop < hops
  }
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .join(',')
}

/** http:// is accepted only to this host itself (a local simulator or TLS sidecar): nothing crosses a network. */
function isLoopbackUrl(value: string): boolean {
  try {
    const host = new URL(value).hostname.replace(/^\[|\]$/g, '')
    return host === 'localhost' || host === '::1' || /^127\.[0-9]+\.[0-9]+\.[0-9]+$/.test(host)
  } catch {
    return false
  }
}

/** Settings that are fine on a laptop and unsafe on the internet; docs/deploy.md says why. */
function productionProblems(config: Config): string[] {
  const problems: string[] = []
  if (config.TRUST_PROXY.trim() === '') {
    problems.push(
      'TRUST_PROXY: must be set in production, because the client address drives the login, share and throttle limits and the view counts: `false` when readers connect straight to this server, the number of proxies in front (e.g. 1 behind one load balancer), or the proxies’ addresses/CIDRs',
    )
  }
  for (const name of ['WECHAT_API_BASE', 'WECHATPAY_API_BASE', 'WECHATPAY_NOTIFY_BASE'] as const) {
    const value = config[name]
    if (value.startsWith('http://') && !isLoopbackUrl(value)) {
      problems.push(
        `${name}: must be https:// in production (got ${JSON.stringify(value)}): tokens, payments and notifications would cross the network in clear`,
      )
    }
  }
  if (config.MSG_PUSH_TOKEN && config.MSG_PUSH_TOKEN.length < 16) {
    problems.push(
      'MSG_PUSH_TOKEN: must have at least 16 characters in production: it is all that signs a 消息推送 delivery (set the same Token in the mini-program’s 消息推送 settings)',
    )
  }
  if (config.MSG_PUSH_TOKEN && !config.MSG_PUSH_AES_KEY && config.MSG_PUSH_PLAIN_MODE !== 'allow') {
    problems.push(
      'MSG_PUSH_AES_KEY: 消息推送 is in plain mode (明文模式): its signature covers no part of the body and signed URLs reach access logs; choose 安全模式 and set its EncodingAESKey here, or set MSG_PUSH_PLAIN_MODE=allow to run plain mode knowingly',
    )
  }
  if (!config.ADMIN_SESSION_KEY) {
    problems.push(
      'ADMIN_SESSION_KEY: must be set in production (32 bytes as 64 hex digits or base64, e.g. `openssl rand -hex 32`): it protects the operator console’s sessions, and a key made at start would sign every operator out on each restart and differ between replicas',
    )
  }
  return problems
}

/** The 32-byte key of SESSION_KEY_ENCRYPTION_KEY, or null when it is not one. */
export function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value, 'base64')
    return key.length === 32 ? key : null
  }
  return null
}
