import { serveMetrics, type MetricsServer } from '../../src/infra/metrics'
import type { PaymentRail } from '../../src/db/schema'
import { startPaymentStack, type PaymentStack } from '../payment-stack'
import { dialects, startTestApp } from '../helpers'

jest.setTimeout(60000)

/** One sample of the exposition text: the value of `name{labels}`, or undefined when absent */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3])
  }
  return undefined
}

const cases = dialects().flatMap((dialect) =>
  (['xpay', 'wechatpay'] as PaymentRail[]).map((rail) => [dialect, rail] as const),
)

describe.each(cases)('GET /metrics on %s (%s)', (dialect, rail) => {
  let s: PaymentStack
  let metrics: MetricsServer
  let issueId: number

  beforeAll(async () => {
    // A metrics port switches request timing on; the test serves the metrics itself, on a free port.
    s = await startPaymentStack(dialect, rail, { env: { METRICS_PORT: '9464' } })
    metrics = await serveMetrics(s.app.services.metrics, { host: '127.0.0.1', port: 0 })
    const list = await s.call('GET', '/api/issues')
    issueId = list.body.items[0].id
  })
  afterAll(async () => {
    await metrics.close()
    await s.close()
  })

  const scrape = async () => {
    const response = await fetch(`${metrics.url}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/plain')
    return response.text()
  }

  it('counts requests, payments, notifications, reconciliation, caches and the pool', async () => {
    const simRail = rail === 'xpay' ? 'xpay' : 'pay'
    await s.call('GET', `/api/issues/${issueId}`)
    await s.call('GET', `/api/issues/${issueId}`)
    expect((await s.call('GET', '/api/no-such-thing')).status).toBe(404)

    // A paid order, fulfilled from its notification.
    const token = await s.login('metered')
    const paid = await s.buy('metered', token, 'month')
    const statusOf = async (id: number) =>
      (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
    await s.waitFor(async () => (await statusOf(paid.id)) === 'fulfilled')

    // A paid order whose notification is lost: the sweep finds it.
    await s.control('/notifications', { rail: simRail, mode: 'drop', count: 1 })
    const lost = await s.buy('metered', token, 'month')
    await s.waitFor(async () => {
      const log = await s.control(`/notifications?out_trade_no=${lost.outTradeNo}`)
      return log.deliveries.some((delivery: { result: string }) => delivery.result === 'dropped')
    })
    expect(await statusOf(lost.id)).toBe('pending')
    const report = await s.app.services.reconciler.runOnce()
    expect(report.fulfilled).toBe(1)
    expect(await statusOf(lost.id)).toBe('fulfilled')

    // Signed-in reads after the membership changed: the second one finds the viewer cached.
    await s.call('GET', `/api/issues/${issueId}`, token)
    await s.call('GET', `/api/issues/${issueId}`, token)

    // A forged notification is refused.
    const forged = await fetch(
      rail === 'xpay'
        ? `${s.api}/api/wechat/message-push?signature=0&timestamp=1&nonce=n`
        : `${s.api}/api/wechatpay/notify`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    )
    expect(forged.status).toBe(401)

    const text = await scrape()
    // Requests by route pattern, never the raw URL
    const issueRoute = { route: '/api/issues/:id', method: 'GET', status: '200' }
    expect(sample(text, 'beichen_http_requests_total', issueRoute)).toBe(4)
    expect(sample(text, 'beichen_http_request_duration_seconds_count', issueRoute)).toBe(4)
    expect(sample(text, 'beichen_http_request_duration_seconds_sum', issueRoute)).toBeGreaterThan(0)
    expect(sample(text, 'beichen_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1)
    expect(sample(text, 'beichen_http_requests_total', { route: '/api/orders', method: 'POST', status: '200' })).toBe(2)
    expect(text).not.toContain(`/api/issues/${issueId}"`)
    expect(text).not.toContain('no-such-thing')

    // Orders by status, read at scrape time
    expect(sample(text, 'beichen_orders', { status: 'fulfilled' })).toBe(2)
    expect(sample(text, 'beichen_orders', { status: 'pending' })).toBe(0)

    // Notifications: the genuine one verified, the forged one refused for its signature
    expect(sample(text, 'beichen_payment_notifications_verified_total', { rail, kind: 'payment' })).toBe(1)
    expect(sample(text, 'beichen_payment_notifications_refused_total', { rail, reason: 'signature' })).toBe(1)

    // Fulfilment lag: one from the notification, one from the sweep, each under a minute here. A plain-mode
    // 消息推送 only makes the server ask WeChat, so that fulfilment comes from a query.
    const lag = (source: string) => ({ rail, source })
    const pushed = rail === 'xpay' ? 'query' : 'notification'
    expect(sample(text, 'beichen_payment_fulfilment_lag_seconds_count', lag(pushed))).toBe(1)
    expect(sample(text, 'beichen_payment_fulfilment_lag_seconds_count', lag('sweep'))).toBe(1)
    expect(sample(text, 'beichen_payment_fulfilment_lag_seconds_bucket', { ...lag(pushed), le: '60' })).toBe(1)

    // Reconciliation: one run, what it found
    expect(sample(text, 'beichen_reconcile_runs_total', { result: 'ok' })).toBe(1)
    expect(sample(text, 'beichen_reconcile_findings_total', { finding: 'fulfilled' })).toBe(1)
    expect(sample(text, 'beichen_reconcile_findings_total', { finding: 'checked' })).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'beichen_reconcile_duration_seconds_count')).toBe(1)
    expect(sample(text, 'beichen_reconcile_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60)

    // Caches: the second read of the issue hit the cut cache; signed-in requests use the viewer cache
    expect(sample(text, 'beichen_cache_lookups_total', { cache: 'issueCuts', result: 'hit' })).toBeGreaterThanOrEqual(1)
    const ratio = sample(text, 'beichen_cache_hit_ratio', { cache: 'issueCuts' }) as number
    expect(ratio).toBeGreaterThan(0)
    expect(ratio).toBeLessThanOrEqual(1)
    expect(sample(text, 'beichen_cache_lookups_total', { cache: 'viewers', result: 'hit' })).toBeGreaterThanOrEqual(1)

    // The database pool: PostgreSQL only
    if (dialect === 'postgres') {
      expect(sample(text, 'beichen_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1)
      // The scrape's own order count may be waiting for a connection being opened
      expect(sample(text, 'beichen_db_pool_waiting')).toBeGreaterThanOrEqual(0)
    } else {
      expect(sample(text, 'beichen_db_pool_connections', { state: 'total' })).toBeUndefined()
    }

    // Node's own metrics, event-loop lag among them
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
  })

  it('is not served on the public port', async () => {
    const response = await s.call('GET', '/metrics')
    expect(response.status).toBe(404)
    expect(JSON.stringify(response.body)).not.toContain('beichen_')
    // Only GET /metrics on the metrics port
    expect((await fetch(`${metrics.url}/`)).status).toBe(404)
  })

  it('/readyz: ready when the database, migrations, WeChat and the selling rail are all there', async () => {
    const ready = await s.call('GET', '/readyz')
    expect(ready).toEqual({
      status: 200,
      body: {
        status: 'ready',
        checks: { database: 'ok', migrations: 'ok', wechat: 'ok', payments: 'ok' },
        missing: [],
      },
    })
    // A migration of this build missing from the database: not ready
    const last = await s.db.kysely
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .orderBy('name' as never, 'desc')
      .executeTakeFirstOrThrow()
    const name = (last as { name: string }).name
    await s.db.kysely
      .deleteFrom('kysely_migration' as never)
      .where('name' as never, '=', name as never)
      .execute()
    try {
      const behind = await s.call('GET', '/readyz')
      expect(behind.status).toBe(503)
      expect(behind.body.checks.migrations).toBe('failed')
      expect(behind.body.missing.join(' ')).toContain(name)
    } finally {
      await s.db.kysely
        .insertInto('kysely_migration' as never)
        .values({ name, timestamp: new Date().toISOString() } as never)
        .execute()
    }
    expect((await s.call('GET', '/readyz')).status).toBe(200)
  })
})

describe.each(dialects())('/readyz without WeChat on %s', (dialect) => {
  it('is alive (/healthz) but not ready to sell, and says what is missing', async () => {
    const t = await startTestApp(dialect, { importSample: false })
    try {
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
      const response = await t.app.inject({ method: 'GET', url: '/readyz' })
      expect(response.statusCode).toBe(503)
      const body = response.json()
      expect(body.status).toBe('not_ready')
      expect(body.checks).toEqual({ database: 'ok', migrations: 'ok', wechat: 'failed', payments: 'failed' })
      expect(body.missing.join('\n')).toContain('WECHAT_APPSECRET')
      expect(body.missing.join('\n')).toContain('XPAY_OFFER_ID')
      const openapi = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']))
    } finally {
      await t.close()
    }
  })
})
