import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * Every Prometheus metric of one API process, in one registry of its own (tests build many apps
 * in one process; the global registry is never used). Values the process already keeps (order
 * counts, cache hits, the database pool) are read when Prometheus scrapes, through the sources
 * the composition root passes in; events (requests, notifications, fulfilments, sweeps) are
 * counted as they happen through the methods below. Served on METRICS_PORT by serveMetrics, never
 * on the public port. docs/operations.md lists the metrics.
 */

/** Why a payment notification was refused: a small fixed set, so the label stays bounded */
export type NotificationRefusal =
  /** The rail is not configured on this server */
  | 'not_configured'
  /** A signature (URL, body or msg_signature) does not verify, or a plain body where 安全模式 is on */
  | 'signature'
  /** Signed too long ago: a replay */
  | 'stale'
  /** Not JSON, not a notification, cannot be decrypted, not an event of this kind */
  | 'malformed'
  /** Verified but naming no order of ours, another merchant, amount or payer, or another environment */
  | 'mismatch'
  /** Virtual payment: the order is not paid at WeChat (yet); WeChat pushes again */
  | 'not_paid'
  /** WeChat could not be asked about it: WeChat retries */
  | 'unavailable'

export type NotificationKind = 'payment' | 'refund' | 'other'

export interface CacheStats {
  hits: number
  misses: number
  size: number
}

export interface PoolStats {
  /** Connections open (idle and in use) */
  total: number
  idle: number
  /** Queries waiting for a connection */
  waiting: number
}

/** What the process keeps that metrics read at scrape time */
export interface MetricsSources {
  /** Orders per status, from one grouped query */
  orderCounts(): Promise<Record<string, number>>
  /** Hit and miss counts of each named cache */
  caches(): Record<string, CacheStats>
  /** The database pool, or null where there is none (SQLite) */
  pool(): PoolStats | null
}

export interface SweepFindings {
  checked: number
  fulfilled: number
  refunded: number
  refundsFailed: number
  closed: number
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Fulfilment lag: a notification lands in seconds, the sweep in minutes, a lost push in hours */
const LAG_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600, 24 * 3600]

export class Metrics {
  readonly registry = new Registry()
  private defaultsOn = false
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'>
  private readonly notificationsVerified: Counter<'rail' | 'kind'>
  private readonly notificationsRefused: Counter<'rail' | 'reason'>
  private readonly fulfilmentLag: Histogram<'rail' | 'source'>
  private readonly reconcileRuns: Counter<'result'>
  private readonly reconcileFindings: Counter<'finding'>
  private readonly reconcileDuration: Histogram
  private readonly reconcileLastSuccess: Gauge

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    this.httpRequests = new Counter({
      name: 'beichen_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    })
    this.httpDuration = new Histogram({
      name: 'beichen_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    new Gauge({
      name: 'beichen_orders',
      help: 'Orders in the database by status (read at scrape time)',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await sources.orderCounts()
        this.reset()
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count)
      },
    })
    this.notificationsVerified = new Counter({
      name: 'beichen_payment_notifications_verified_total',
      help: 'Payment notifications verified and accepted (answered 2xx), by rail and kind',
      labelNames: ['rail', 'kind'],
      registers,
    })
    this.notificationsRefused = new Counter({
      name: 'beichen_payment_notifications_refused_total',
      help: 'Payment notifications refused, by rail and reason',
      labelNames: ['rail', 'reason'],
      registers,
    })
    this.fulfilmentLag = new Histogram({
      name: 'beichen_payment_fulfilment_lag_seconds',
      help: "Time from the rail's paid time to fulfilment, by rail and what settled it (notification, query, sweep)",
      labelNames: ['rail', 'source'],
      buckets: LAG_BUCKETS,
      registers,
    })
    this.reconcileRuns = new Counter({
      name: 'beichen_reconcile_runs_total',
      help: 'Reconciliation sweeps run by this process (not counting runs while another replica held the lease)',
      labelNames: ['result'],
      registers,
    })
    this.reconcileFindings = new Counter({
      name: 'beichen_reconcile_findings_total',
      help: 'Orders reconciliation asked about (checked) and what it settled: fulfilled, refunded, refunds_failed, closed',
      labelNames: ['finding'],
      registers,
    })
    this.reconcileDuration = new Histogram({
      name: 'beichen_reconcile_duration_seconds',
      help: 'Time one reconciliation sweep took',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    })
    this.reconcileLastSuccess = new Gauge({
      name: 'beichen_reconcile_last_success_timestamp_seconds',
      help: 'When this process last finished a reconciliation sweep (Unix time)',
      registers,
    })
    new Counter({
      name: 'beichen_cache_lookups_total',
      help: 'Cache lookups by cache and result (hit, miss) since the process started (read at scrape time)',
      labelNames: ['cache', 'result'],
      registers,
      collect() {
        this.reset()
        for (const [cache, stats] of Object.entries(sources.caches())) {
          this.inc({ cache, result: 'hit' }, stats.hits)
          this.inc({ cache, result: 'miss' }, stats.misses)
        }
      },
    })
    new Gauge({
      name: 'beichen_cache_hit_ratio',
      help: 'Hits over lookups of each cache since the process started (absent before the first lookup)',
      labelNames: ['cache'],
      registers,
      collect() {
        this.reset()
        for (const [cache, stats] of Object.entries(sources.caches())) {
          const lookups = stats.hits + stats.misses
          if (lookups > 0) this.set({ cache }, stats.hits / lookups)
        }
      },
    })
    new Gauge({
      name: 'beichen_cache_entries',
      help: 'Entries held by each cache',
      labelNames: ['cache'],
      registers,
      collect() {
        this.reset()
        for (const [cache, stats] of Object.entries(sources.caches())) this.set({ cache }, stats.size)
      },
    })
    new Gauge({
      name: 'beichen_db_pool_connections',
      help: 'PostgreSQL pool connections by state (total, idle); absent on SQLite',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset()
        const pool = sources.pool()
        if (!pool) return
        this.set({ state: 'total' }, pool.total)
        this.set({ state: 'idle' }, pool.idle)
      },
    })
    new Gauge({
      name: 'beichen_db_pool_waiting',
      help: 'Queries waiting for a PostgreSQL pool connection; absent on SQLite',
      registers,
      collect() {
        this.reset()
        const pool = sources.pool()
        if (pool) this.set(pool.waiting)
      },
    })
  }

  /**
   * Node's own metrics (event-loop lag, heap, GC, CPU, handles), from the first scrape or when the
   * metrics server starts: their monitors run until the process ends, so a process that is never
   * scraped (a test, the admin CLI) never starts them.
   */
  enableDefaultMetrics(): void {
    if (this.defaultsOn) return
    this.defaultsOn = true
    collectDefaultMetrics({ register: this.registry })
  }

  /** One answered request; `route` is the route's pattern (/api/issues/:id), never the raw URL */
  request(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) }
    this.httpRequests.inc(labels)
    this.httpDuration.observe(labels, seconds)
  }

  notificationVerified(rail: string, kind: NotificationKind): void {
    this.notificationsVerified.inc({ rail, kind })
  }

  notificationRefused(rail: string, reason: NotificationRefusal): void {
    this.notificationsRefused.inc({ rail, reason })
  }

  /** An order fulfilled `lagMs` after the rail says it was paid */
  fulfilled(rail: string, source: string, lagMs: number): void {
    this.fulfilmentLag.observe({ rail, source }, Math.max(0, lagMs) / 1000)
  }

  /** A reconciliation sweep this process ran: its findings, or null when it failed */
  sweep(findings: SweepFindings | null, durationMs: number, at: number): void {
    this.reconcileDuration.observe(durationMs / 1000)
    if (!findings) {
      this.reconcileRuns.inc({ result: 'failed' })
      return
    }
    this.reconcileRuns.inc({ result: 'ok' })
    this.reconcileLastSuccess.set(at / 1000)
    this.reconcileFindings.inc({ finding: 'checked' }, findings.checked)
    this.reconcileFindings.inc({ finding: 'fulfilled' }, findings.fulfilled)
    this.reconcileFindings.inc({ finding: 'refunded' }, findings.refunded)
    this.reconcileFindings.inc({ finding: 'refunds_failed' }, findings.refundsFailed)
    this.reconcileFindings.inc({ finding: 'closed' }, findings.closed)
  }

  /** The exposition text and its content type */
  async scrape(): Promise<{ contentType: string; body: string }> {
    this.enableDefaultMetrics()
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

export interface MetricsServer {
  /** http://host:port */
  url: string
  close(): Promise<void>
}

/**
 * A tiny HTTP server answering GET /metrics, for METRICS_PORT: a port of its own, bound to
 * METRICS_HOST (loopback by default), so the metrics never reach the public API port.
 */
export async function serveMetrics(
  metrics: Metrics,
  options: { host: string; port: number; onError?: (error: unknown) => void },
): Promise<MetricsServer> {
  metrics.enableDefaultMetrics()
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0]
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n')
      return
    }
    metrics.scrape().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType })
        response.end(request.method === 'HEAD' ? undefined : body)
      },
      (error: unknown) => {
        options.onError?.(error)
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n')
      },
    )
  })
  // Scrapes are short: idle keep-alive sockets must not hold a shutdown.
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
