import crypto from 'node:crypto'
import cors from '@fastify/cors'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import { decodeKey, trustProxyOption, type Config } from './config'
import { warnOnIgnoredProxyHeader } from './client-address'
import type { Db } from './db/database'
import { Catalog } from './domain/catalog'
import type { Viewer } from './domain/gating'
import { IssueReader } from './domain/issues'
import path from 'node:path'
import multipart from '@fastify/multipart'
import { Accounts } from './domain/accounts'
import { FolderStorage, type MediaStorage } from './infra/media-storage'
import { SecretBox } from './infra/secret-box'
import { TtlCache } from './infra/ttl-cache'
import { AccessTokenCache } from './wechat/access-token'
import { WeChatApi } from './wechat/api'
import { authRoutes } from './routes/auth'
import { orderRoutes } from './routes/orders'
import { Payments } from './payments/payments'
import { Reconciler } from './payments/reconciler'
import { loadWechatpayKeys } from './payments/wechatpay/keys'
import { WechatpayApi } from './payments/wechatpay/api'
import { wechatpayNotifyRoutes } from './payments/wechatpay/notify-routes'
import { WechatpayRail } from './payments/wechatpay/rail'
import { XpayApi } from './payments/xpay/api'
import { xpayPushRoutes } from './payments/xpay/push-route'
import { XpayRail } from './payments/xpay/rail'
import { meRoutes } from './routes/me'
import { studyRoutes } from './routes/study'
import { viewerForToken, type TokenCheck } from './domain/users'
import { ViewCounter } from './domain/view-counter'
import { ApiError } from './errors'
import { loggerOptions } from './logger'
import { REPO_ROOT } from './paths'
import { healthRoutes } from './routes/health'
import { issueRoutes } from './routes/issues'
import { catalogRoutes } from './routes/catalog'
import { searchRoutes } from './routes/search'
import { navigatorRoutes } from './routes/navigator'
import { practiceRoutes } from './routes/practice'
import { pdfRoutes } from './routes/pdf'
import { subscriptionsRoutes } from './routes/subscriptions'
import { sharingRoutes } from './routes/sharing'
import { SubscriptionSweep } from './domain/subscription-sweep'

export interface ContentCache {
  clear(): void
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    db: Db
    catalog: Catalog
    issues: IssueReader
    views: ViewCounter
    /** Registers a cache of content reads, dropped whenever content may have changed */
    registerContentCache(cache: ContentCache): void
    /** Token → viewer, briefly; clear it when a session or membership changes */
    viewerCache: TtlCache<TokenCheck>
    accounts: Accounts
    storage: MediaStorage
    /** WeChat's APIs, or a 503 WECHAT_NOT_CONFIGURED when the AppSecret is not set */
    wechatClients(): { wechat: WeChatApi; accessTokens: AccessTokenCache }
    payments: Payments
    reconciler: Reconciler
    /** 通知我下一期: announces new issues to subscribed readers and sends the messages */
    subscriptionSweep: SubscriptionSweep
    /** WeChat Pay's verification keys by serial, or null when WeChat Pay is not configured */
    wechatpayKeys(): ReadonlyMap<string, crypto.KeyObject> | null
    /** The request's session, or a 401 LOGIN_REQUIRED */
    requireSession(request: FastifyRequest): { userId: number; tokenHash: string }
    /** Drops every cached read of content, e.g. after this process changed content */
    dropContentCaches(): void
  }
  interface FastifyRequest {
    /** The signed-in viewer, or null for an anonymous one (set by the auth hook) */
    viewer: Viewer | null
    /** The session the bearer token stands for, or null without one */
    session: { userId: number; tokenHash: string } | null
  }
}

/** Who counts as one viewer for view counts: the user, or an anonymous reader's address and browser. */
export function viewerKey(request: import('fastify').FastifyRequest): string {
  if (request.viewer) return `u:${request.viewer.userId}`
  const fingerprint = `${request.ip}|${request.headers['user-agent'] ?? ''}`
  return `a:${crypto.createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`
}

export interface BuildOptions {
  config: Config
  db: Db
  /** A pino logger or logger options; defaults to the configured level */
  logger?: FastifyBaseLogger
  now?: () => number
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

export async function buildApp(options: BuildOptions): Promise<App> {
  const { config, db } = options
  const now = options.now ?? Date.now
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(config) }),
    bodyLimit: config.BODY_LIMIT,
    // Who the client is (request.ip) drives limits and view counts: only configured proxies may say.
    trustProxy: trustProxyOption(config),
    routerOptions: { maxParamLength: 200 },
    // Errors raised before routing (a malformed URL, a too-long parameter) get the same shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400
      void reply.code(status).send({ error: { code: 'INVALID_URL', message: `${error.message}: check the address` } })
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('config', config)
  warnOnIgnoredProxyHeader(app, config)
  app.decorate('db', db)
  app.decorate('catalog', new Catalog(db.kysely))
  app.decorate('issues', new IssueReader(db.kysely, app.catalog, config.ISSUE_CACHE_TTL_MS))
  app.decorate('views', new ViewCounter(db.kysely, (error) => app.log.error({ err: error }, 'view count flush failed')))
  app.views.start(config.VIEW_FLUSH_INTERVAL_MS)
  app.addHook('onClose', async () => {
    await app.views.stop()
  })

  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } })
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Beichen Reader API',
        version: '0.1.0',
        description: '北辰遴选 reader: issues, paywall, membership',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  })
  const origins = config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  // Every method the API uses: @fastify/cors allows only GET, HEAD and POST unless told.
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
  if (origins.length > 0) await app.register(cors, { origin: origins, methods, maxAge: 600 })

  // Who a token stands for is kept a moment: the hot path then reads no session row.
  // Anything that revokes a session or changes a membership in this process clears it.
  const viewerCache = new TtlCache<TokenCheck>(1000, 10000)
  app.decorate('viewerCache', viewerCache)
  const contentCaches: ContentCache[] = [app.catalog, app.issues, viewerCache]
  app.decorate('registerContentCache', (cache: ContentCache) => void contentCaches.push(cache))
  app.decorate('dropContentCaches', () => contentCaches.forEach((cache) => cache.clear()))
  // Content imported by another process (npm run content:import) is seen on the next
  // request on SQLite; on PostgreSQL caches expire after ISSUE_CACHE_TTL_MS.
  let seenChanges = db.externalChangeCounter()
  const dropCachesIfChanged = () => {
    const changes = db.externalChangeCounter()
    if (changes !== seenChanges) {
      seenChanges = changes
      app.dropContentCaches()
    }
  }

  app.decorateRequest('viewer', null)
  app.decorateRequest('session', null)
  app.addHook('onRequest', (request, _reply, done) => {
    dropCachesIfChanged()
    const header = request.headers.authorization
    if (header === undefined) return done()
    authenticate(header)
      .then((check) => {
        request.viewer = check.viewer
        request.session = { userId: check.viewer.userId, tokenHash: check.tokenHash }
        done()
      })
      .catch(done)
  })
  app.decorate('requireSession', (request: FastifyRequest) => {
    if (!request.session) throw new ApiError(401, 'LOGIN_REQUIRED', 'sign in first', { 'www-authenticate': 'Bearer' })
    return request.session
  })

  const authenticate = async (header: string): Promise<Extract<TokenCheck, { ok: true }>> => {
    const match = /^Bearer ([^\s]{1,200})$/.exec(header)
    const at = now()
    let check = match ? viewerCache.get(match[1], at) : undefined
    if (!check) {
      check = match ? await viewerForToken(db.kysely, match[1], at) : { ok: false as const }
      if (match && check.ok) viewerCache.set(match[1], check, at)
    }
    if (!check.ok) {
      throw new ApiError(401, 'INVALID_TOKEN', 'your sign-in is missing, expired or revoked: sign in again', {
        'www-authenticate': 'Bearer error="invalid_token"',
      })
    }
    return check
  }

  const wechat = config.WECHAT_APPSECRET
    ? new WeChatApi({
        baseUrl: config.WECHAT_API_BASE,
        appid: config.WECHAT_APPID,
        secret: config.WECHAT_APPSECRET,
        timeoutMs: config.WECHAT_TIMEOUT_MS,
      })
    : null
  const accessTokens = wechat ? new AccessTokenCache(() => wechat.stableToken(), now) : null
  const key = decodeKey(config.SESSION_KEY_ENCRYPTION_KEY)
  const secretBox = key ? new SecretBox(key) : null
  app.decorate('storage', new FolderStorage(path.resolve(REPO_ROOT, config.MEDIA_DIR, 'avatars')))
  app.decorate(
    'accounts',
    new Accounts({
      db: db.kysely,
      wechat,
      accessTokens,
      secretBox,
      storage: app.storage,
      mediaBaseUrl: config.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    }),
  )
  app.decorate('wechatClients', () => {
    if (!wechat || !accessTokens) {
      throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'WeChat is not set up on this server')
    }
    return { wechat, accessTokens }
  })
  await app.register(multipart)

  const wechatpayKeys = loadWechatpayKeys(config)
  const xpayReady = Boolean(accessTokens && config.XPAY_OFFER_ID && config.XPAY_APP_KEY && config.MSG_PUSH_TOKEN)
  app.decorate('wechatpayKeys', () => wechatpayKeys?.wechatpayKeys ?? null)
  const xpayRail =
    xpayReady && accessTokens
      ? new XpayRail({
          api: new XpayApi({
            baseUrl: config.WECHAT_API_BASE,
            appKey: config.XPAY_APP_KEY,
            env: config.XPAY_ENV,
            timeoutMs: config.WECHAT_TIMEOUT_MS,
            accessTokens,
          }),
          offerId: config.XPAY_OFFER_ID,
          appKey: config.XPAY_APP_KEY,
          env: config.XPAY_ENV,
          secretBox,
          now,
        })
      : null
  const merchant = wechatpayKeys
    ? { mchid: config.WECHATPAY_MCHID, serial: config.WECHATPAY_MERCHANT_SERIAL, privateKey: wechatpayKeys.merchantKey }
    : null
  const wechatpayRail =
    wechatpayKeys && merchant
      ? new WechatpayRail({
          api: new WechatpayApi({
            baseUrl: config.WECHATPAY_API_BASE,
            appid: config.WECHAT_APPID,
            merchant,
            wechatpayKeys: wechatpayKeys.wechatpayKeys,
            timeoutMs: config.WECHAT_TIMEOUT_MS,
            now,
          }),
          appid: config.WECHAT_APPID,
          merchant,
          notifyBase: config.WECHATPAY_NOTIFY_BASE.replace(/\/+$/, ''),
          now,
        })
      : null
  app.decorate(
    'payments',
    new Payments({
      db: db.kysely,
      log: app.log,
      rail: config.PAYMENT_RAIL,
      rails: { ...(xpayRail ? { xpay: xpayRail } : {}), ...(wechatpayRail ? { wechatpay: wechatpayRail } : {}) },
      orderExpireMs: config.ORDER_EXPIRE_MINUTES * 60000,
      firstQueryAfterMs: config.RECONCILE_AFTER_MS,
      giveUpAfterMs: config.ORDER_GIVE_UP_HOURS * 3600000,
      onMembershipChange: () => viewerCache.clear(),
      now,
    }),
  )
  app.decorate(
    'reconciler',
    new Reconciler(db.kysely, app.payments, app.log, { intervalMs: config.RECONCILE_INTERVAL_MS, now }),
  )
  app.reconciler.start()
  app.addHook('onClose', async () => {
    await app.reconciler.stop()
  })
  app.decorate(
    'subscriptionSweep',
    new SubscriptionSweep(db.kysely, app.log, {
      intervalMs: config.SUBSCRIBE_SWEEP_INTERVAL_MS,
      miniprogramState: config.SUBSCRIBE_MINIPROGRAM_STATE,
      clients: () => (wechat && accessTokens ? { wechat, accessTokens } : null),
      now,
    }),
  )
  if (config.SUBSCRIBE_TEMPLATE_ID) app.subscriptionSweep.start()
  app.addHook('onClose', async () => {
    await app.subscriptionSweep.stop()
  })

  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger())
  await app.register(healthRoutes)
  await app.register(catalogRoutes, { prefix: '/api' })
  await app.register(issueRoutes, { prefix: '/api', now })
  await app.register(searchRoutes, { prefix: '/api', now })
  await app.register(authRoutes, { prefix: '/api', now })
  await app.register(meRoutes, { prefix: '/api', now })
  await app.register(studyRoutes, { prefix: '/api', now })
  await app.register(orderRoutes, { prefix: '/api', now })
  await app.register(xpayPushRoutes, { prefix: '/api', now })
  await app.register(wechatpayNotifyRoutes, {
    prefix: '/api',
    now,
    rail: wechatpayRail,
    keys: wechatpayKeys?.wechatpayKeys ?? null,
  })
  await app.register(navigatorRoutes, { prefix: '/api', now })
  await app.register(practiceRoutes, { prefix: '/api', now })
  await app.register(pdfRoutes, { prefix: '/api', now })
  await app.register(subscriptionsRoutes, { prefix: '/api', now })
  await app.register(sharingRoutes, { prefix: '/api', now })
  return app
}

function errorHandler(
  this: FastifyInstance,
  error: FastifyError | ApiError,
  request: import('fastify').FastifyRequest,
  reply: import('fastify').FastifyReply,
) {
  if (error instanceof ApiError) {
    reply
      .headers(error.headers)
      .code(error.statusCode)
      .send({ error: { code: error.code, message: error.message } })
    return
  }
  if (error.validation) {
    const first = error.validation[0]
    const where = { querystring: 'query parameter', params: 'path parameter', body: 'body field', headers: 'header' }[
      error.validationContext ?? 'body'
    ]
    const name =
      (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') ||
      String(
        (first?.params as { missingProperty?: string; additionalProperty?: string })?.missingProperty ??
          (first?.params as { additionalProperty?: string })?.additionalProperty ??
          '',
      )
    const code =
      error.validationContext === 'querystring' || error.validationContext === 'params'
        ? 'INVALID_PARAMETER'
        : 'INVALID_BODY'
    reply.code(400).send({ error: { code, message: `${where} "${name}" ${first?.message ?? 'is not valid'}` } })
    return
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const code = error.code?.startsWith('FST_') ? clientErrorCode(error.code, status) : (error.code ?? 'BAD_REQUEST')
    const message = code === 'FILE_TOO_LARGE' ? 'the file is too large: avatars may be at most 2 MB' : error.message
    reply.code(status).send({ error: { code, message } })
    return
  }
  request.log.error({ err: error }, 'request failed')
  reply
    .code(500)
    .send({ error: { code: 'INTERNAL', message: 'something went wrong on our side: try again in a moment' } })
}

function clientErrorCode(fastifyCode: string, status: number): string {
  if (fastifyCode === 'FST_REQ_FILE_TOO_LARGE') return 'FILE_TOO_LARGE'
  if (status === 413) return 'BODY_TOO_LARGE'
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE'
  if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'INVALID_JSON'
  return 'BAD_REQUEST'
}
