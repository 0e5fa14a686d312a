import type crypto from 'node:crypto'
import path from 'node:path'
import { sql } from 'kysely'
import { decodeKey, type Config } from './config'
import { pendingMigrations, type Db, type DialectName } from './db/database'
import { Accounts } from './domain/accounts'
import { AdminReports } from './domain/admin-reports'
import { Audit } from './domain/audit'
import { Catalog } from './domain/catalog'
import { CourseDesk } from './domain/course-desk'
import { Courses } from './domain/courses'
import { Funnel } from './domain/funnel'
import { IssuePdfCache } from './domain/issue-pdf'
import { IssueDesk } from './domain/issue-desk'
import { IssueSchedule } from './domain/issue-schedule'
import { IssueReader } from './domain/issues'
import { Members } from './domain/members'
import { Navigator, type PublicNavigatorPage } from './domain/navigator'
import { Operators } from './domain/operators'
import { PreviewTickets } from './domain/preview-tickets'
import { Practice } from './domain/practice'
import { ReaderDirectory } from './domain/reader-directory'
import { ScanLogins } from './domain/scan-logins'
import { Shipping } from './domain/shipping'
import { IssueSearch } from './domain/search'
import { ShareCards, Sharing } from './domain/sharing'
import { StudyTools } from './domain/study'
import { Store } from './domain/store'
import { SiteSettings } from './domain/site-settings'
import { SubscriptionSweep } from './domain/subscription-sweep'
import { SubscriptionOptIns } from './domain/subscriptions'
import { Throttles } from './domain/throttles'
import { viewerForToken, type TokenCheck } from './domain/users'
import { ViewCounter } from './domain/view-counter'
import { ApiError } from './errors'
import type { Logger } from './infra/log'
import { FolderStorage, type MediaStorage } from './infra/media-storage'
import { DatabaseMediaStorage } from './infra/database-media-storage'
import { SharedRateLimiter } from './infra/shared-rate-limiter'
import { ChangeFeed, type ChangeTopic } from './db/change-feed'
import { SecretBox } from './infra/secret-box'
import { MediaUrlSigner } from './infra/signed-media-url'
import { Metrics } from './infra/metrics'
import { TtlCache } from './infra/ttl-cache'
import { REPO_ROOT } from './paths'
import { CourseOrders } from './payments/course-orders'
import { GoodsOrders } from './payments/goods'
import { Payments } from './payments/payments'
import { Reconciler } from './payments/reconciler'
import { missingRailSettings } from './payments/rail-settings'
import { WechatpayApi } from './payments/wechatpay/api'
import { loadWechatpayKeys } from './payments/wechatpay/keys'
import { WechatpayRail } from './payments/wechatpay/rail'
import { XpayApi } from './payments/xpay/api'
import { XpayRail } from './payments/xpay/rail'
import type { NavigatorRegionListDto } from './schemas/navigator'
import { AccessTokenCache } from './wechat/access-token'
import { WeChatApi } from './wechat/api'

/** The time in epoch milliseconds; tests pass a fake one. Every service reads time through it. */
export type Clock = () => number

export interface ServiceDeps {
  config: Config
  db: Db
  clock: Clock
  log: Logger
}

/** Anything that keeps reads of content and may be dropped when content changes. */
export interface ContentCache {
  clear(): void
}

/**
 * Every service, cache, limiter and job of one API process, built once by createServices.
 * Nothing in here knows about HTTP: the web app, the admin CLI and tests all use the same object.
 */
export interface Services {
  config: Config
  clock: Clock
  log: Logger
  /** The database handle, for the composition root's callers (CLI, tests); routes never use it */
  db: Db
  /** Whether the database answers and its schema is up to date, for the health and readiness checks */
  database: { dialect: DialectName; ping(): Promise<void>; pendingMigrations(): Promise<string[]> }
  /** Prometheus metrics of this process (infra/metrics.ts), served on METRICS_PORT */
  metrics: Metrics

  catalog: Catalog
  /** The operator's run-time settings: paywall copy, preselected plan, contacts, 公众号 QR */
  settings: SiteSettings
  issues: IssueReader
  views: ViewCounter
  search: IssueSearch
  navigator: Navigator
  study: StudyTools
  practice: Practice
  pdfs: IssuePdfCache
  sharing: Sharing
  shareCards: ShareCards
  /** The paywall funnel: the app's events, their daily roll-ups (a leased job) and the report */
  funnel: Funnel
  optIns: SubscriptionOptIns
  accounts: Accounts
  members: Members
  /** The people of the operator console, their scan sign-ins and the audit trail of what they did */
  operators: Operators
  scanLogins: ScanLogins
  /** The console's "Preview as" tickets: one issue cut for a pretend viewer, for 10 minutes */
  previewTickets: PreviewTickets
  audit: Audit
  /** The operator console's reads and desks: dashboard counts, readers, issues of every status */
  adminReports: AdminReports
  readers: ReaderDirectory
  issueDesk: IssueDesk
  /** 定时发布: scheduling issues, and the leased job that publishes due ones and announces them */
  issueSchedule: IssueSchedule
  storage: MediaStorage
  throttles: Throttles
  payments: Payments
  /** The store's books and magazines: the shelf, 销售 and 浏览 counts (docs/store.md) */
  store: Store
  /** Goods orders: checkout with stock reserved, lines and addresses, the 待发货 queue */
  goods: GoodsOrders
  /** Shipping goods orders: 已发货 with its outbox row, the shipping-upload job, 已收货 from WeChat's get_order */
  shipping: Shipping
  /** Video courses: the shelf, who plays which lesson, signed URLs, progress (docs/courses.md) */
  courses: Courses
  /** Orders of courses sold alone, on the rail that sells VIP */
  courseOrders: CourseOrders
  /** The operator's side of courses: the list with sales and learners, shelf, price, grants, imports (audited) */
  courseDesk: CourseDesk
  /** Where this API keeps the course media it serves itself (sample clips; production uses a CDN) */
  courseMedia: MediaStorage
  /** Signs and checks course media URLs */
  courseMediaUrls: MediaUrlSigner
  reconciler: Reconciler
  /** 通知我下一期: announces new issues to subscribed readers and sends the messages */
  subscriptionSweep: SubscriptionSweep
  /** WeChat Pay's rail and verification keys by serial, both null when WeChat Pay is not configured */
  wechatpay: { rail: WechatpayRail | null; keys: ReadonlyMap<string, crypto.KeyObject> | null }

  /** Token → viewer, briefly; clear it when a session or membership changes */
  viewerCache: TtlCache<TokenCheck>
  /** Caches of what routes send, all dropped with dropContentCaches */
  caches: {
    /** Cut issues as serialized JSON, keyed by issue, content version and access decision */
    issueCuts: TtlCache<string>
    /** Issue lists as serialized JSON: free-part summaries only, the same for every viewer */
    issueLists: TtlCache<string>
    /** Search results as serialized JSON: titles and free text only, the same for every viewer */
    searchResults: TtlCache<string>
    /** Published issues per region id */
    regionCounts: TtlCache<Map<number, number>>
    navigatorRegions: TtlCache<NavigatorRegionListDto>
    navigatorPages: TtlCache<PublicNavigatorPage>
  }

  /** The viewer a bearer token stands for, through the viewer cache */
  viewerForToken(token: string, now: number): Promise<TokenCheck>
  /** WeChat's APIs, or a 503 WECHAT_NOT_CONFIGURED when the AppSecret is not set */
  wechatClients(): { wechat: WeChatApi; accessTokens: AccessTokenCache }
  /** Drops every cached read of content, e.g. after this process changed content */
  dropContentCaches(): void
  /** Drops the caches when another process changed the database (SQLite); cheap, called per request */
  dropCachesIfChanged(): void
  /** Hears what other replicas on the same PostgreSQL changed, and drops the caches it concerns */
  changes: ChangeFeed
  /** Something changed here (a sign-out, a membership, content): drops this process's caches and tells the other replicas */
  announce(topic: ChangeTopic): void

  /** Starts the timers: view-count flushes, the reconciliation sweep, the subscription sweep when configured, the due-publish job, the shipping-upload job */
  start(): void
  /** Stops the timers, flushes view counts and waits for runs in progress */
  stop(): Promise<void>
}

/** The contacts readers see until the operator sets others: the environment's. */
function contactDefaults(config: Config) {
  return {
    servicePhone: config.SERVICE_PHONE,
    serviceHours: config.SERVICE_HOURS,
    businessPhone: config.BUSINESS_PHONE,
    officialAccountName: config.OFFICIAL_ACCOUNT_NAME,
    channelsName: config.CHANNELS_NAME,
    channelsFinderUserName: config.CHANNELS_FINDER_USER_NAME,
    weiboName: config.WEIBO_NAME,
  }
}

/** The composition root: builds every service once, wired to one another. */
export function createServices({ config, db, clock, log }: ServiceDeps): Services {
  const now = clock
  const catalog = new Catalog(db.kysely)
  const settings = new SiteSettings(db.kysely, contactDefaults(config), config.ISSUE_CACHE_TTL_MS)
  const issues = new IssueReader(db.kysely, catalog, settings, config.ISSUE_CACHE_TTL_MS)
  const views = new ViewCounter(db.kysely, (error) => log.error({ err: error }, 'view count flush failed'))

  // Who a token stands for is kept a moment: the hot path then reads no session row.
  // Anything that revokes a session or changes a membership in this process clears it.
  const viewerCache = new TtlCache<TokenCheck>(1000, 10000)
  const ttl = config.ISSUE_CACHE_TTL_MS
  const caches: Services['caches'] = {
    issueCuts: new TtlCache<string>(ttl, 2000),
    issueLists: new TtlCache<string>(ttl, 500),
    searchResults: new TtlCache<string>(ttl, 500),
    // Counting issues per region reads the whole table: the answer is kept like other content reads.
    regionCounts: new TtlCache<Map<number, number>>(ttl, 1),
    // Both navigator caches hold what every viewer sees (counts, numbers, titles, VIP flags); read
    // states are added per request from the reader's own rows and never cached.
    navigatorRegions: new TtlCache<NavigatorRegionListDto>(ttl, 1),
    navigatorPages: new TtlCache<PublicNavigatorPage>(ttl, 200),
  }
  // PNGs of about 100 KB: 200 cards stay under 25 MB.
  const shareCards = new ShareCards(db.kysely, catalog, { ttlMs: 6 * 3600000, maxEntries: 200 })
  const funnel = new Funnel(db.kysely, {
    now,
    log,
    rollupIntervalMs: config.FUNNEL_ROLLUP_INTERVAL_MS,
    rawRetentionDays: config.FUNNEL_RAW_DAYS,
  })
  const contentCaches: ContentCache[] = [
    catalog,
    settings,
    issues,
    viewerCache,
    ...Object.values(caches),
    shareCards,
    funnel,
  ]
  const dropContentCaches = () => contentCaches.forEach((cache) => cache.clear())
  // Content imported by another process (npm run content:import) is seen on the next
  // request on SQLite; on PostgreSQL caches expire after ISSUE_CACHE_TTL_MS.
  // What another replica changed on PostgreSQL is heard at once (LISTEN/NOTIFY) instead.
  const changes = new ChangeFeed(db, config.DATABASE_URL, log)
  const dropFor = (topic: ChangeTopic) => (topic === 'content' ? dropContentCaches() : viewerCache.clear())
  changes.onChange(dropFor)
  const announce = (topic: ChangeTopic) => {
    dropFor(topic)
    void changes.publish(topic)
  }
  let seenChanges = db.externalChangeCounter()
  const dropCachesIfChanged = () => {
    const changes = db.externalChangeCounter()
    if (changes !== seenChanges) {
      seenChanges = changes
      dropContentCaches()
    }
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
  const avatarFolder = new FolderStorage(path.resolve(REPO_ROOT, config.MEDIA_DIR, 'avatars'))
  // In the database every replica serves what any replica stored; files from before are still served.
  const storage: MediaStorage =
    config.MEDIA_STORAGE === 'database' ? new DatabaseMediaStorage(db.kysely, now, avatarFolder) : avatarFolder
  // Replicas on one PostgreSQL count every limit against one total.
  const sharedLimits =
    config.RATE_LIMIT_STORE === 'database' || (config.RATE_LIMIT_STORE === 'auto' && db.dialect === 'postgres')
  const throttles = sharedLimits
    ? new Throttles(config, (name, limit, windowMs) => new SharedRateLimiter(db.kysely, name, limit, windowMs))
    : new Throttles(config)
  const accounts = new Accounts({
    db: db.kysely,
    wechat,
    accessTokens,
    secretBox,
    storage,
    mediaBaseUrl: config.PUBLIC_BASE_URL.replace(/\/+$/, ''),
  })

  const operators = new Operators(db.kysely)

  const wechatpayKeys = loadWechatpayKeys(config)
  const xpayReady = Boolean(accessTokens && config.XPAY_OFFER_ID && config.XPAY_APP_KEY && config.MSG_PUSH_TOKEN)
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
  // Read at scrape time: the caches and services named here exist by the time anyone scrapes.
  const metrics = new Metrics({
    orderCounts: () => payments.orderCounts(),
    caches: () => ({
      viewers: viewerCache.stats(),
      ...Object.fromEntries(Object.entries(caches).map(([name, cache]) => [name, cache.stats()])),
    }),
    pool: () => db.poolStats(),
  })
  const payments = new Payments({
    db: db.kysely,
    log,
    rail: config.PAYMENT_RAIL,
    rails: { ...(xpayRail ? { xpay: xpayRail } : {}), ...(wechatpayRail ? { wechatpay: wechatpayRail } : {}) },
    orderExpireMs: config.ORDER_EXPIRE_MINUTES * 60000,
    firstQueryAfterMs: config.RECONCILE_AFTER_MS,
    giveUpAfterMs: config.ORDER_GIVE_UP_HOURS * 3600000,
    unconfigured: (rail) => {
      const missing = missingRailSettings(config, rail)
      return `${rail === 'xpay' ? '小程序虚拟支付 (xpay)' : 'WeChat Pay'} is not configured on this server${missing.length > 0 ? `: set ${missing.join(', ')}` : ''}`
    },
    onMembershipChange: () => announce('membership'),
    onFulfilled: ({ rail, source, lagMs }) => metrics.fulfilled(rail, source, lagMs),
    now,
  })
  const reconciler = new Reconciler(db.kysely, payments, log, {
    intervalMs: config.RECONCILE_INTERVAL_MS,
    now,
    onSweep: (report, durationMs) => metrics.sweep(report, durationMs, Date.now()),
  })
  const subscriptionSweep = new SubscriptionSweep(db.kysely, log, {
    intervalMs: config.SUBSCRIBE_SWEEP_INTERVAL_MS,
    miniprogramState: config.SUBSCRIBE_MINIPROGRAM_STATE,
    clients: () => (wechat && accessTokens ? { wechat, accessTokens } : null),
    now,
  })
  const issueSchedule = new IssueSchedule(db.kysely, {
    intervalMs: config.SCHEDULE_SWEEP_SECONDS * 1000,
    now,
    log,
    onPublished: async () => {
      announce('content')
      // Announced now rather than at the sweep's next turn; the sweep's own rules keep it to one message per opt-in.
      if (config.SUBSCRIBE_TEMPLATE_ID) await subscriptionSweep.runOnce()
    },
  })

  const shipping = new Shipping({
    db: db.kysely,
    log,
    clients: () => (wechat && accessTokens ? { wechat, accessTokens } : null),
    mchid: config.WECHATPAY_MCHID,
    appid: config.WECHAT_APPID,
    intervalMs: config.SHIPPING_UPLOAD_INTERVAL_MS,
    now,
  })

  // Course media: a CDN in production; here, media storage. The key is configured (the CDN's), or
  // one the first migration to courses made, which every replica reads from the database.
  const courseMedia: MediaStorage =
    config.MEDIA_STORAGE === 'database'
      ? new DatabaseMediaStorage(db.kysely, now)
      : new FolderStorage(path.resolve(REPO_ROOT, config.MEDIA_DIR, 'courses'))
  const courseMediaUrls = new MediaUrlSigner({
    base: config.COURSE_MEDIA_BASE_URL || `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/api/media/course`,
    key:
      config.COURSE_MEDIA_URL_KEY ||
      (async () =>
        (
          await db.kysely
            .selectFrom('signing_keys')
            .select('secret')
            .where('name', '=', 'course_media')
            .executeTakeFirstOrThrow()
        ).secret),
    ttlSeconds: config.COURSE_MEDIA_URL_TTL_SECONDS,
    now,
  })
  const courses = new Courses({ db: db.kysely, urls: courseMediaUrls, now })
  const audit = new Audit(db.kysely, now)

  let started = false
  return {
    config,
    clock,
    log,
    db,
    database: {
      dialect: db.dialect,
      ping: async () => {
        await sql`select 1`.execute(db.kysely)
      },
      pendingMigrations: () => pendingMigrations(db),
    },
    metrics,
    catalog,
    settings,
    issues,
    views,
    search: new IssueSearch(db.kysely, db.dialect, catalog, issues),
    navigator: new Navigator(db.kysely, catalog),
    study: new StudyTools(db.kysely, catalog, issues),
    practice: new Practice(db.kysely, catalog),
    pdfs: new IssuePdfCache({
      folder: path.resolve(REPO_ROOT, config.MEDIA_DIR, 'pdf'),
      maxFilesPerReader: config.PDF_FILES_PER_READER,
    }),
    sharing: new Sharing(db.kysely, catalog),
    shareCards,
    funnel,
    optIns: new SubscriptionOptIns(db.kysely, catalog, config.SUBSCRIBE_TEMPLATE_ID),
    accounts,
    members: new Members(db.kysely),
    operators,
    scanLogins: new ScanLogins(db.kysely, operators),
    previewTickets: new PreviewTickets(decodeKey(config.ADMIN_SESSION_KEY)),
    audit,
    adminReports: new AdminReports({
      db: db.kysely,
      rail: config.PAYMENT_RAIL,
      sells: () => payments.railOf(config.PAYMENT_RAIL) !== null,
      safeMode: Boolean(config.MSG_PUSH_AES_KEY),
    }),
    readers: new ReaderDirectory(db.kysely),
    issueDesk: new IssueDesk(db, catalog),
    issueSchedule,
    storage,
    throttles,
    payments,
    store: new Store(db.kysely),
    goods: new GoodsOrders({
      db: db.kysely,
      payments,
      shipping,
      accounts,
      now,
    }),
    shipping,
    courses,
    courseOrders: new CourseOrders({
      db: db.kysely,
      payments,
      courses,
      accounts,
      now,
    }),
    courseDesk: new CourseDesk({ db: db.kysely, storage: courseMedia, audit, now }),
    courseMedia,
    courseMediaUrls,
    reconciler,
    subscriptionSweep,
    wechatpay: { rail: wechatpayRail, keys: wechatpayKeys?.wechatpayKeys ?? null },
    viewerCache,
    caches,
    viewerForToken: async (token, at) => {
      let check = viewerCache.get(token, at)
      if (!check) {
        check = await viewerForToken(db.kysely, token, at)
        if (check.ok) viewerCache.set(token, check, at)
      }
      return check
    },
    wechatClients: () => {
      if (!wechat || !accessTokens) {
        throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'WeChat is not set up on this server')
      }
      return { wechat, accessTokens }
    },
    dropContentCaches,
    dropCachesIfChanged,
    changes,
    announce,
    start: () => {
      if (started) return
      started = true
      views.start(config.VIEW_FLUSH_INTERVAL_MS)
      void changes.start()
      reconciler.start()
      funnel.start()
      if (config.SUBSCRIBE_TEMPLATE_ID) subscriptionSweep.start()
      issueSchedule.start()
      shipping.start()
    },
    stop: async () => {
      started = false
      await views.stop()
      await reconciler.stop()
      await funnel.stop()
      await issueSchedule.stop()
      await shipping.stop()
      await subscriptionSweep.stop()
      await changes.stop()
    },
  }
}
