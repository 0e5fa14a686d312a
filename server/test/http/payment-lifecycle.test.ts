import { execFile } from 'node:child_process'
import crypto from 'node:crypto'
import { promisify } from 'node:util'
import type { OrderRow, PaymentRail } from '../../src/db/schema'
import { pushSignature } from '../../src/payments/xpay/message-push'
import { dialects, REPO_ROOT } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'

/**
 * Every paid order ends right and every refund closes its loop: orders paid after a local close,
 * refund pushes whose body proves nothing, lost refund notifications, failed refunds, refunds made
 * outside the server, and reconciliation that never starves new orders behind stuck ones.
 */

jest.setTimeout(60000)

const DAY = 86400000

interface Helpers {
  s: PaymentStack
  row(id: number): Promise<OrderRow>
  events(id: number): Promise<string[]>
  expiry(token: string): Promise<number>
  /** Makes the order due for the sweep now */
  due(id: number): Promise<void>
  /** The simulator's rail name */
  simRail: 'xpay' | 'pay'
}

function helpers(get: () => PaymentStack): Helpers {
  return {
    get s() {
      return get()
    },
    get simRail() {
      return get().rail === 'xpay' ? ('xpay' as const) : ('pay' as const)
    },
    row: (id) => get().db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    events: async (id) =>
      (
        await get().db.kysely.selectFrom('ledger').select('event').where('order_id', '=', id).orderBy('id').execute()
      ).map((entry) => entry.event),
    expiry: async (token) => {
      const membership = (await get().call('GET', '/api/me', token)).body.membership
      return membership.expiresAt ? Date.parse(membership.expiresAt) : 0
    },
    due: async (id) => {
      await get()
        .db.kysely.updateTable('orders')
        .set({ next_query_at: Date.now() - 1 })
        .where('id', '=', id)
        .execute()
    },
  }
}

/** A message push whose URL is signed with the push token, as WeChat signs it in plain mode */
function signedPush(s: PaymentStack, body: string) {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(6).toString('hex')
  const query = new URLSearchParams({
    signature: pushSignature(s.fixture.server.MSG_PUSH_TOKEN, timestamp, nonce),
    timestamp,
    nonce,
  })
  return fetch(`${s.api}/api/wechat/message-push?${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
}

async function createOrder(s: PaymentStack, token: string, planId = 'month') {
  const created = await s.call('POST', '/api/orders', token, {
    planId,
    platform: 'android',
    requestKey: crypto.randomBytes(8).toString('hex'),
  })
  if (created.status !== 200) throw new Error(JSON.stringify(created.body))
  return created.body as { order: { id: number; outTradeNo: string }; payment: { xpay: Record<string, string> } }
}

const xpayModes = dialects().flatMap((dialect) => [[dialect, 'plain'] as const, [dialect, '安全模式'] as const])

describe.each(xpayModes)('virtual payment on %s, 消息推送 %s', (dialect, mode) => {
  let stack: PaymentStack
  const h = helpers(() => stack)
  beforeAll(async () => {
    stack = await startPaymentStack(dialect, 'xpay', { encrypted: mode === '安全模式' })
  })
  afterAll(() => stack.close())
  afterEach(() => stack.control('/reset', {}))

  it('an order cancelled here and then paid with the same signData is fulfilled once', async () => {
    const { s } = h
    const token = await s.login('late-payer')
    const { order, payment } = await createOrder(s, token)
    const cancelled = await s.call('POST', `/api/orders/${order.id}/cancel`, token)
    expect(cancelled.body.status).toBe('closed')
    const answer = await s.phone('/xpay/pay', { user: 'late-payer', ...payment.xpay, action: 'confirm' })
    expect(answer.errMsg).toMatch(/:ok$/)
    await s.waitFor(async () => (await h.row(order.id)).status === 'fulfilled')
    // WeChat's retries of the same push change nothing more.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(await h.events(order.id)).toEqual(['order_created', 'closed', 'paid', 'fulfilled'])
    expect((await h.row(order.id)).next_query_at).toBeNull()
    expect(await h.expiry(token)).toBeGreaterThan(Date.now() + 27 * DAY)
  })

  it('an order closed here, paid on the phone and its push lost, is found by the sweep', async () => {
    const { s } = h
    const token = await s.login('late-lost')
    const { order, payment } = await createOrder(s, token)
    await s.call('POST', `/api/orders/${order.id}/cancel`, token)
    expect((await h.row(order.id)).next_query_at).not.toBeNull()
    await s.control('/notifications', { rail: 'xpay', mode: 'drop', count: 5 })
    await s.phone('/xpay/pay', { user: 'late-lost', ...payment.xpay, action: 'confirm' })
    await h.due(order.id)
    const report = await s.app.services.reconciler.runOnce()
    expect(report.fulfilled).toBeGreaterThanOrEqual(1)
    expect((await h.row(order.id)).status).toBe('fulfilled')
    expect(await h.events(order.id)).toEqual(['order_created', 'closed', 'paid', 'fulfilled'])
    // The lost push is answered by telling WeChat the goods were delivered.
    const wechat = await s.control('/payments')
    expect(wechat.xpay.orders.find((o: { order_id: string }) => o.order_id === order.outTradeNo).status).toBe(4)
  })

  it('a signed push whose body is null or not an object is a 400, never a 500', async () => {
    const { s } = h
    if (mode === '安全模式') return // a plain body is refused with 401 before it is read
    for (const body of ['null', '[]', '"text"', '42']) {
      const response = await signedPush(s, body)
      expect([body, response.status]).toEqual([body, 400])
    }
  })
})

describe.each(dialects())('消息推送 in plain mode on %s: a refund push is only a reason to ask', (dialect) => {
  let s: PaymentStack
  const h = helpers(() => s)
  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'xpay')
  })
  afterAll(() => s.close())

  it('a well-signed push claiming our refund succeeded changes nothing until WeChat says so', async () => {
    const token = await s.login('refund-claim')
    const { id, outTradeNo } = await s.buy('refund-claim', token, 'month')
    await s.waitFor(async () => (await h.row(id)).status === 'fulfilled')
    const before = await h.expiry(token)
    // A refund under way whose number WeChat never heard of (as if the request were lost).
    await s.db.kysely
      .updateTable('orders')
      .set({ status: 'refunding', refund_no: 'RFclaimed000000000001' })
      .where('id', '=', id)
      .execute()
    const row = await h.row(id)
    const response = await signedPush(
      s,
      JSON.stringify({
        Event: 'xpay_refund_notify',
        OpenId: row.openid,
        MchOrderId: outTradeNo,
        MchRefundId: 'RFclaimed000000000001',
        RefundFee: row.amount_fen,
        RetCode: 0,
      }),
    )
    expect(response.status).toBe(200)
    expect((await h.row(id)).status).toBe('refunding')
    expect(await h.events(id)).not.toContain('refunded')
    expect(await h.expiry(token)).toBe(before)
  })
})

const cases = dialects().flatMap((dialect) => (['xpay', 'wechatpay'] as PaymentRail[]).map((rail) => [dialect, rail]))

describe.each(cases)('refunds and reconciliation on %s, rail %s', (dialect, rail) => {
  let stack: PaymentStack
  const h = helpers(() => stack)
  beforeAll(async () => {
    stack = await startPaymentStack(dialect as 'sqlite' | 'postgres', rail as PaymentRail, {
      encrypted: rail === 'xpay',
    })
  })
  afterAll(() => stack.close())
  afterEach(() => stack.control('/reset', {}))

  const refundEvent = () => (h.simRail === 'xpay' ? 'xpay_refund_notify' : undefined)

  async function fulfilled(user: string, planId = 'month') {
    const token = await h.s.login(user)
    const bought = await h.s.buy(user, token, planId)
    await h.s.waitFor(async () => (await h.row(bought.id)).status === 'fulfilled')
    return { token, ...bought }
  }

  it('a refund whose notification was lost is finished by the sweep, and the VIP shortened', async () => {
    const { s } = h
    const { token, id } = await fulfilled('refund-lost')
    const paidUntil = await h.expiry(token)
    await s.control('/notifications', { rail: h.simRail, mode: 'drop', count: 5, event: refundEvent() })
    expect((await s.app.services.payments.refund(id, '用户申请退款')).status).toBe('refunding')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await h.row(id)).status).toBe('refunding')
    await h.due(id)
    const report = await s.app.services.reconciler.runOnce()
    expect(report.refunded).toBe(1)
    expect((await h.row(id)).status).toBe('refunded')
    expect(await h.events(id)).toEqual(['order_created', 'paid', 'fulfilled', 'refund_requested', 'refunded'])
    expect(await h.expiry(token)).toBeLessThan(paidUntil - 27 * DAY)
  })

  it('a refund that fails ends back at fulfilled, with a ledger row and a reason for the operator', async () => {
    const { s } = h
    const { token, id } = await fulfilled('refund-fails')
    const paidUntil = await h.expiry(token)
    await s.control('/refunds', { rail: h.simRail, outcome: h.simRail === 'xpay' ? 'ABNORMAL' : 'CLOSED' })
    await s.app.services.payments.refund(id, '用户申请退款')
    await s.waitFor(async () => (await h.row(id)).status === 'fulfilled')
    const row = await h.row(id)
    expect(row.refund_failure).toEqual(expect.stringMatching(/退款/))
    expect(await h.events(id)).toEqual(['order_created', 'paid', 'fulfilled', 'refund_requested', 'refund_failed'])
    expect(await h.expiry(token)).toBe(paidUntil)
    // The operator can try again: a new refund number, and this time it goes through.
    await s.app.services.payments.refund(id, '再次退款')
    await s.waitFor(async () => (await h.row(id)).status === 'refunded')
    expect((await h.row(id)).refund_no).not.toBe(row.refund_no)
  })

  it('the operator refunds from the CLI and sees a failed refund with its reason', async () => {
    const { s } = h
    const { id } = await fulfilled('cli-refund')
    const row = await h.row(id)
    const env = {
      ...process.env,
      ...s.fixture.server,
      ...(s.sqlitePath ? { SQLITE_PATH: s.sqlitePath, DATABASE_URL: '' } : { DATABASE_URL: s.databaseUrl }),
      WECHAT_API_BASE: s.sim,
      WECHATPAY_API_BASE: s.sim,
      PAYMENT_RAIL: s.rail,
      LOG_LEVEL: 'warn',
    }
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [require.resolve('tsx/cli'), 'server/src/cli/admin.ts', ...args], {
        cwd: REPO_ROOT,
        env,
      })
    await s.control('/refunds', { rail: h.simRail, outcome: 'CLOSED' })
    // The failure may come back before the command reads the order again: then it says so and exits 1.
    const refunded = await cli('refund', String(id), '用户申请退款').then(
      ({ stdout }) => stdout,
      (error: { code: number; stderr: string }) => `${error.code} ${error.stderr}`,
    )
    expect(refunded).toMatch(new RegExp(`^(order ${id} is refunding|1 order ${id}: the refund failed: .*退款)`))
    await s.waitFor(async () => (await h.row(id)).status === 'fulfilled' && (await h.row(id)).refund_failure !== null)
    const listed = await cli('orders', '--status', 'fulfilled', '--user', `#${row.user_id}`)
    expect(listed.stdout).toContain(`${row.out_trade_no}`)
    expect(listed.stdout).toMatch(/refund failed: \S*退款/)
    await expect(cli('orders', '--status', 'nonsense')).rejects.toMatchObject({ code: 64 })
  })

  it('a failed refund whose notification was lost is found by the sweep', async () => {
    const { s } = h
    const { id } = await fulfilled('refund-fails-quiet')
    await s.control('/refunds', { rail: h.simRail, outcome: 'CLOSED' })
    await s.control('/notifications', { rail: h.simRail, mode: 'drop', count: 5, event: refundEvent() })
    await s.app.services.payments.refund(id, '用户申请退款')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await h.due(id)
    const report = await s.app.services.reconciler.runOnce()
    expect(report.refundsFailed).toBe(1)
    expect((await h.row(id)).status).toBe('fulfilled')
  })

  it('a refund made in the merchant console is accepted, ledgered and shortens the VIP, once', async () => {
    const { s } = h
    const { token, id, outTradeNo } = await fulfilled('console-refund', 'half_year')
    const paidUntil = await h.expiry(token)
    const order = await h.row(id)
    const half = order.amount_fen / 2
    await s.control('/notifications', { rail: h.simRail, mode: 'duplicate', duplicates: 3, event: refundEvent() })
    const refundUrl = `${s.api}/api/wechatpay/refund-notify`
    await s.control('/merchant-refund', {
      rail: h.simRail,
      out_trade_no: outTradeNo,
      amount: half,
      ...(h.simRail === 'pay' ? { notify_url: refundUrl } : {}),
    })
    await s.waitFor(async () => (await h.row(id)).refunded_fen === half)
    await new Promise((resolve) => setTimeout(resolve, 150))
    let row = await h.row(id)
    expect([row.status, row.refunded_fen]).toEqual(['fulfilled', half])
    const period = (order.granted_until ?? 0) - (order.granted_from ?? 0)
    expect(Math.abs(paidUntil - (await h.expiry(token)) - period / 2)).toBeLessThan(1000)
    // The rest, also from the console: the order is refunded and the whole period taken back.
    await s.control('/merchant-refund', {
      rail: h.simRail,
      out_trade_no: outTradeNo,
      ...(h.simRail === 'pay' ? { notify_url: refundUrl } : {}),
    })
    await s.waitFor(async () => (await h.row(id)).status === 'refunded')
    row = await h.row(id)
    expect(row.refunded_fen).toBe(order.amount_fen)
    expect(await h.events(id)).toEqual(['order_created', 'paid', 'fulfilled', 'partially_refunded', 'refunded'])
    expect(await h.expiry(token)).toBeLessThan(Date.now() + 1000)
  })

  it('500 stuck orders do not starve a fresh paid one; stuck ones back off; expired ones are given up', async () => {
    const { s } = h
    const token = await s.login('fresh-payer')
    const user = await s.db.kysely
      .selectFrom('users')
      .select(['id', 'openid'])
      .where('openid', 'is not', null)
      .executeTakeFirstOrThrow()
    const now = Date.now()
    // Orders WeChat never heard of, not expired: asked about again and again, never settled.
    const stuck = Array.from({ length: 500 }, (_, i) => ({
      out_trade_no: `BCSTUCK${String(i).padStart(6, '0')}${crypto.randomBytes(4).toString('hex')}`,
      user_id: user.id,
      plan_id: 'month',
      months: 1,
      amount_fen: 990,
      rail: rail as PaymentRail,
      status: 'pending' as const,
      openid: user.openid as string,
      platform: 'android',
      request_key: `stuck-${i}`,
      created_at: now - 3600000 + i,
      expires_at: now + 3600000,
      next_query_at: now - 1000,
      query_attempts: 1 + (i % 5),
      prepay_id: rail === 'wechatpay' ? `wx-stuck-${i}` : null,
    }))
    for (let i = 0; i < stuck.length; i += 100)
      await s.db.kysely
        .insertInto('orders')
        .values(stuck.slice(i, i + 100))
        .execute()
    await s.control('/notifications', { rail: h.simRail, mode: 'drop', count: 5 })
    const fresh = await s.buy('fresh-payer', token, 'month')
    await h.due(fresh.id)
    const report = await s.app.services.reconciler.runOnce()
    expect(report.checked).toBe(200)
    expect((await h.row(fresh.id)).status).toBe('fulfilled')
    // Those asked about were pushed back; the next sweep takes others.
    const asked = await s.db.kysely
      .selectFrom('orders')
      .select(['next_query_at', 'query_attempts'])
      .where('request_key', 'like', 'stuck-%')
      .where('next_query_at', '>', now)
      .execute()
    expect(asked.length).toBeGreaterThanOrEqual(199)
    expect(Math.min(...asked.map((o) => o.query_attempts))).toBeGreaterThanOrEqual(2)
    expect((await s.app.services.reconciler.runOnce()).checked).toBe(200)

    // Past WeChat's lifetime for it, an order is closed for good, with a ledger row, and not asked about again.
    const old = stuck[499]
    await s.db.kysely
      .updateTable('orders')
      .set({ created_at: now - 3 * DAY, expires_at: now - 2 * DAY, next_query_at: now - 1000, query_attempts: 0 })
      .where('out_trade_no', '=', old.out_trade_no)
      .execute()
    await s.app.services.reconciler.runOnce()
    const gaveUp = await s.db.kysely
      .selectFrom('orders')
      .selectAll()
      .where('out_trade_no', '=', old.out_trade_no)
      .executeTakeFirstOrThrow()
    expect([gaveUp.status, gaveUp.next_query_at]).toEqual(['closed', null])
    expect(await h.events(gaveUp.id)).toEqual(['reconcile_gave_up'])
  })
})
