import type { PaymentRail } from '../../src/db/schema'
import { dialects, vipSentences } from '../helpers'
import crypto from 'node:crypto'
import type { OrderRow } from '../../src/db/schema'
import { pushSignature } from '../../src/payments/xpay/message-push'
import { encryptResource, rsaSign } from '../../src/payments/wechatpay/sign'
import { encryptPush } from '../../../simulator/src/signing'
import { startPaymentStack, type PaymentStack } from '../payment-stack'

/** A notification for a paid order, signed with this run's WeChat keys exactly as WeChat signs it. */
function genuineNotification(
  s: PaymentStack,
  order: OrderRow,
): { path: string; headers: Record<string, string>; body: string } {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(8).toString('hex')
  const transactionId = `4200${crypto.randomBytes(12).toString('hex')}`
  if (s.rail === 'xpay') {
    const body = JSON.stringify({
      ToUserName: 'gh_000000000000',
      FromUserName: 'o-system',
      CreateTime: Number(timestamp),
      MsgType: 'event',
      Event: 'xpay_goods_deliver_notify',
      OpenId: order.openid,
      OutTradeNo: order.out_trade_no,
      Env: 0,
      WeChatPayInfo: { MchOrderNo: order.out_trade_no, TransactionId: transactionId, PaidTime: Number(timestamp) },
      GoodsInfo: {
        ProductId: order.plan_id,
        Quantity: 1,
        OrigPrice: order.amount_fen,
        ActualPrice: order.amount_fen,
        Attach: '',
      },
      RetryTimes: 0,
    })
    const token = s.fixture.server.MSG_PUSH_TOKEN
    const query = new URLSearchParams({ signature: pushSignature(token, timestamp, nonce), timestamp, nonce })
    const aesKey = s.fixture.server.MSG_PUSH_AES_KEY
    if (!aesKey)
      return { path: `/api/wechat/message-push?${query}`, headers: { 'content-type': 'application/json' }, body }
    // 安全模式: the body is encrypted and msg_signature covers it.
    const encrypt = encryptPush(aesKey, s.fixture.server.WECHAT_APPID, body)
    query.set('encrypt_type', 'aes')
    query.set('msg_signature', pushSignature(token, timestamp, nonce, encrypt))
    return {
      path: `/api/wechat/message-push?${query}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ToUserName: 'gh_000000000000', Encrypt: encrypt }),
    }
  }
  const pay = s.fixture.simulator.pay as NonNullable<typeof s.fixture.simulator.pay>
  const transaction = {
    appid: s.fixture.server.WECHAT_APPID,
    mchid: pay.mchid,
    out_trade_no: order.out_trade_no,
    transaction_id: transactionId,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    success_time: new Date().toISOString(),
    payer: { openid: order.openid },
    amount: { total: order.amount_fen, payer_total: order.amount_fen, currency: 'CNY', payer_currency: 'CNY' },
  }
  const resource = encryptResource(pay.apiV3Key, JSON.stringify(transaction), 'transaction')
  const body = JSON.stringify({
    id: `EV-${crypto.randomBytes(8).toString('hex')}`,
    create_time: new Date().toISOString(),
    event_type: 'TRANSACTION.SUCCESS',
    resource_type: 'encrypt-resource',
    summary: '支付成功',
    resource: { original_type: 'transaction', ...resource },
  })
  const signature = rsaSign(crypto.createPrivateKey(pay.platformPrivateKey), `${timestamp}\n${nonce}\n${body}\n`)
  return {
    path: '/api/wechatpay/notify',
    headers: {
      'content-type': 'application/json',
      'wechatpay-serial': pay.platformKeyId,
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-signature': signature,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
    body,
  }
}

jest.setTimeout(30000)

const rails: PaymentRail[] = ['xpay', 'wechatpay']
const cases = dialects().flatMap((dialect) => rails.map((rail) => [dialect, rail] as const))

describe.each(cases)('payments on %s, rail %s', (dialect, rail) => {
  let s: PaymentStack
  let seedId: number
  beforeAll(async () => {
    // Virtual payment in 安全模式, where the body itself is signed (plain mode: its own describe below).
    s = await startPaymentStack(dialect, rail, { encrypted: rail === 'xpay' })
    seedId = (
      await s.db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
        .executeTakeFirstOrThrow()
    ).id
  })
  afterAll(() => s.close())

  const status = async (id: number) =>
    (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
  const ledgerOf = async (id: number) =>
    (
      await s.db.kysely
        .selectFrom('ledger')
        .select(['event', 'source', 'amount_fen'])
        .where('order_id', '=', id)
        .orderBy('id')
        .execute()
    ).map((row) => row.event)
  const membership = async (token: string) => (await s.call('GET', '/api/me', token)).body.membership

  it('the happy path: plan price from the server, paid at the phone, fulfilled from the notification, the article unlocks', async () => {
    const token = await s.login('reader')
    expect((await s.call('GET', `/api/issues/${seedId}`, token)).body.access.granted).toBe(false)
    const plans = (await s.call('GET', '/api/plans?platform=android')).body
    expect(plans.purchase).toEqual({ rail, available: true, notice: '' })
    const { id, answer } = await s.buy('reader', token, 'half_year')
    expect(answer.errMsg).toMatch(/:ok$/)
    await s.waitFor(async () => (await status(id)) === 'fulfilled')
    const order = (await s.call('GET', `/api/orders/${id}`, token)).body
    expect(order).toMatchObject({ status: 'fulfilled', amountFen: 4800, planId: 'half_year', months: 6, rail })
    const vip = await membership(token)
    expect(vip.active).toBe(true)
    const months = (Date.parse(vip.expiresAt) - Date.now()) / (30.4 * 86400000)
    expect(months).toBeGreaterThan(5.8)
    expect(months).toBeLessThan(6.2)
    const article = await s.call('GET', `/api/issues/${seedId}`, token)
    expect(article.body.access.granted).toBe(true)
    expect(JSON.stringify(article.body)).toContain(vipSentences()[3])
    expect(await ledgerOf(id)).toEqual(['order_created', 'paid', 'fulfilled'])
    expect((await s.call('GET', '/api/orders', token)).body.items.map((o: { id: number }) => o.id)).toContain(id)
  })

  it('a double tap makes one order; an unknown plan is a 404; the client cannot set a price', async () => {
    const token = await s.login('tapper')
    const body = { planId: 'month', platform: 'android', requestKey: 'double-tap-0001' }
    const [a, b] = await Promise.all([
      s.call('POST', '/api/orders', token, body),
      s.call('POST', '/api/orders', token, body),
    ])
    expect(a.body.order.id).toBe(b.body.order.id)
    expect(a.body.order.amountFen).toBe(990)
    expect(
      (await s.call('POST', '/api/orders', token, { ...body, requestKey: 'other-plan-01', planId: 'lifetime' })).status,
    ).toBe(404)
    expect(
      (await s.call('POST', '/api/orders', token, { ...body, requestKey: 'with-price-01', priceFen: 1 })).status,
    ).toBe(400)
    expect((await s.call('POST', '/api/orders', undefined, body)).status).toBe(401)
  })

  it('a cancelled payment leaves the order pending and the paywall in place; it is closed when it expires', async () => {
    const token = await s.login('canceller')
    const { id, answer } = await s.buy('canceller', token, 'month', 'cancel')
    expect(answer.errMsg).toContain('cancel')
    expect((await s.call('GET', `/api/orders/${id}`, token)).body.status).toBe('pending')
    expect((await s.call('GET', `/api/issues/${seedId}`, token)).body.access.granted).toBe(false)
    await s.db.kysely
      .updateTable('orders')
      .set({ expires_at: Date.now() - 1000, created_at: Date.now() - 3600000, next_query_at: Date.now() - 1000 })
      .where('id', '=', id)
      .execute()
    await s.app.services.reconciler.runOnce()
    expect(await status(id)).toBe('closed')
    expect(await ledgerOf(id)).toEqual(['order_created', 'closed'])
  })

  it('cancelling an order queries it first, then closes it; a paid one is kept', async () => {
    const token = await s.login('quitter')
    const { id } = await s.buy('quitter', token, 'month', 'cancel')
    const cancelled = await s.call('POST', `/api/orders/${id}/cancel`, token)
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'closed'])
    expect(await ledgerOf(id)).toEqual(['order_created', 'closed'])
    const other = await s.login('intruder')
    expect((await s.call('POST', `/api/orders/${id}/cancel`, other)).status).toBe(404)

    await s.control('/notifications', { rail: rail === 'xpay' ? 'xpay' : 'pay', mode: 'drop', count: 20 })
    const paid = await s.buy('quitter', token, 'month')
    const kept = await s.call('POST', `/api/orders/${paid.id}/cancel`, token)
    expect(kept.body.status).toBe('fulfilled')
    await s.control('/reset', {})
  })

  it('继续支付: a pending order is paid later with the same order, once; a settled or closed one is not payable', async () => {
    const token = await s.login('resumer')
    const { id } = await s.buy('resumer', token, 'month', 'cancel')
    expect(await status(id)).toBe('pending')
    const other = await s.login('resume-intruder')
    expect((await s.call('POST', `/api/orders/${id}/pay`, other)).status).toBe(404)

    const resumed = await s.call('POST', `/api/orders/${id}/pay`, token)
    expect(resumed.status).toBe(200)
    expect(resumed.body.order).toMatchObject({ id, status: 'pending', amountFen: 990 })
    const { payment } = resumed.body
    expect(payment.rail).toBe(rail)
    const answer =
      payment.rail === 'xpay'
        ? await s.phone('/xpay/pay', { user: 'resumer', ...payment.xpay, action: 'confirm' })
        : await s.phone('/pay/jsapi', { user: 'resumer', ...payment.wechatpay, action: 'confirm' })
    expect(answer.errMsg).toMatch(/:ok$/)
    await s.waitFor(async () => (await status(id)) === 'fulfilled')
    expect(await ledgerOf(id)).toEqual(['order_created', 'paid', 'fulfilled'])
    expect((await membership(token)).active).toBe(true)

    const again = await s.call('POST', `/api/orders/${id}/pay`, token)
    expect([again.status, again.body.error.code]).toEqual([409, 'ORDER_NOT_PAYABLE'])
    const { id: closed } = await s.buy('resumer', token, 'month', 'cancel')
    expect((await s.call('POST', `/api/orders/${closed}/cancel`, token)).body.status).toBe('closed')
    expect((await s.call('POST', `/api/orders/${closed}/pay`, token)).body.error.code).toBe('ORDER_NOT_PAYABLE')
  })

  it('a dropped notification is found by reconciliation', async () => {
    const token = await s.login('dropped')
    await s.control('/notifications', { rail: rail === 'xpay' ? 'xpay' : 'pay', mode: 'drop', count: 20 })
    const { id } = await s.buy('dropped', token, 'month')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await status(id)).toBe('pending')
    await s.app.services.reconciler.runOnce()
    expect(await status(id)).toBe('fulfilled')
    expect(await ledgerOf(id)).toEqual(['order_created', 'paid', 'fulfilled'])
    expect((await membership(token)).active).toBe(true)
    await s.control('/reset', {})
  })

  it('50 concurrent duplicate notifications: one fulfilment, one ledger row', async () => {
    const token = await s.login('duplicated')
    const before = await membership(token)
    expect(before.active).toBe(false)
    await s.control('/notifications', {
      rail: rail === 'xpay' ? 'xpay' : 'pay',
      mode: 'duplicate',
      duplicates: 20,
      count: 1,
    })
    const { id, outTradeNo } = await s.buy('duplicated', token, 'year')
    await s.waitFor(async () => {
      const log = await s.control(`/notifications?out_trade_no=${outTradeNo}`)
      return (
        log.deliveries.filter((d: { status?: number; ok?: boolean }) => d.ok !== undefined || d.status !== undefined)
          .length >= 20
      )
    })
    await s.waitFor(async () => (await status(id)) === 'fulfilled')
    // And 30 more concurrent replays of verified evidence: all answered, none fulfils again.
    const row = await order(id)
    const evidence = {
      transactionId: row.transaction_id ?? '',
      amountFen: row.amount_fen,
      openid: row.openid,
      paidAt: Date.now(),
    }
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.app.services.payments.settle(row.out_trade_no, evidence, 'notification', `replay-${i}`),
      ),
    )
    expect(new Set(outcomes)).toEqual(new Set(['already']))
    expect((await ledgerOf(id)).filter((event) => event === 'fulfilled')).toHaveLength(1)
    const vip = await membership(token)
    const months = (Date.parse(vip.expiresAt) - Date.now()) / (30.4 * 86400000)
    expect(months).toBeLessThan(12.3)
  })

  it('50 concurrent copies of one genuine notification over HTTP: all answered alike, one fulfilment, one ledger row', async () => {
    const token = await s.login('fifty')
    const created = await s.call('POST', '/api/orders', token, {
      planId: 'month',
      platform: 'android',
      requestKey: 'fifty-copies-1',
    })
    const row = await order(created.body.order.id)
    const request = genuineNotification(s, row)
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${s.api}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        })
        return `${response.status} ${await response.text()}`
      }),
    )
    expect(new Set(answers).size).toBe(1)
    expect(answers[0]).toMatch(rail === 'xpay' ? /^200 \{"ErrCode":0,"ErrMsg":"success"\}$/ : /^204 $/)
    expect(await status(row.id)).toBe('fulfilled')
    expect(await ledgerOf(row.id)).toEqual(['order_created', 'paid', 'fulfilled'])
    const grants = await s.db.kysely
      .selectFrom('memberships')
      .select('expires_at')
      .where('user_id', '=', row.user_id)
      .execute()
    expect(grants).toHaveLength(1)
    expect(grants[0].expires_at - Date.now()).toBeLessThan(32 * 86400000)
  })

  const order = (id: number) =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('two orders of one reader fulfilled at the same moment both count: neither extension is lost', async () => {
    const token = await s.login('twice')
    const created = await Promise.all(
      ['twice-0001', 'twice-0002'].map((requestKey) =>
        s.call('POST', '/api/orders', token, { planId: 'month', platform: 'android', requestKey }),
      ),
    )
    const rows = await Promise.all(created.map((answer) => order(answer.body.order.id)))
    const outcomes = await Promise.all(
      rows.map((row, i) =>
        s.app.services.payments.settle(
          row.out_trade_no,
          { transactionId: `twice-${i}`, amountFen: row.amount_fen, openid: row.openid, paidAt: Date.now() },
          'query',
        ),
      ),
    )
    expect(outcomes).toEqual(['fulfilled', 'fulfilled'])
    const months = (Date.parse((await membership(token)).expiresAt) - Date.now()) / (30.4 * 86400000)
    expect(months).toBeGreaterThan(1.9)
    expect(months).toBeLessThan(2.1)
  })

  const forgeries =
    rail === 'xpay'
      ? ['wrong_amount', 'wrong_openid', 'bad_signature', 'stale_timestamp']
      : [
          'bad_signature',
          'unknown_serial',
          'stale_timestamp',
          'signtest',
          'tampered_ciphertext',
          'wrong_amount',
          'wrong_appid',
          'wrong_mchid',
          'wrong_openid',
        ]
  it.each(forgeries)('a forged notification (%s) is refused and changes nothing', async (mode) => {
    const user = `forged-${mode}`.replace(/_/g, '-').slice(0, 30)
    const token = await s.login(user)
    await s.control('/notifications', { rail: rail === 'xpay' ? 'xpay' : 'pay', mode, count: 1 })
    await s.control('/notifications', { rail: rail === 'xpay' ? 'xpay' : 'pay', mode: 'drop', count: 20 })
    const { id, outTradeNo } = await s.buy(user, token, 'month')
    await s.waitFor(async () => {
      const log = await s.control(`/notifications?out_trade_no=${outTradeNo}`)
      return log.deliveries.some((d: { mode?: string; status?: number }) => d.status !== undefined && d.status !== 0)
    })
    const log = await s.control(`/notifications?out_trade_no=${outTradeNo}`)
    const first = log.deliveries[0]
    expect(first.status === 200 || first.status === 204 ? JSON.stringify(first) : 'refused').toBe('refused')
    expect(await status(id)).toBe('pending')
    expect(await ledgerOf(id)).toEqual(['order_created'])
    expect((await membership(token)).active).toBe(false)
    await s.control('/reset', {})
  })

  it('a refund shortens the VIP by the period the order granted, never below now', async () => {
    const token = await s.login('refunder')
    const { id } = await s.buy('refunder', token, 'month')
    await s.waitFor(async () => (await status(id)) === 'fulfilled')
    const paid = await membership(token)
    const refunding = await s.app.services.payments.refund(id, '用户申请退款')
    expect(['refunding', 'refunded']).toContain(refunding.status)
    await s.waitFor(async () => (await status(id)) === 'refunded')
    const after = await membership(token)
    expect(Date.parse(after.expiresAt)).toBeLessThan(Date.parse(paid.expiresAt))
    expect(Date.parse(after.expiresAt)).toBeGreaterThanOrEqual(Date.now() - 5000)
    expect(after.active).toBe(false)
    expect(await ledgerOf(id)).toEqual(['order_created', 'paid', 'fulfilled', 'refund_requested', 'refunded'])
    await expect(s.app.services.payments.refund(id, 'again')).rejects.toMatchObject({ code: 'ORDER_NOT_REFUNDABLE' })
  })

  it('the ledger is append-only', async () => {
    await s.login('auditor')
    const user = await s.db.kysely.selectFrom('users').select('id').limit(1).executeTakeFirstOrThrow()
    await s.db.kysely
      .insertInto('ledger')
      .values({
        order_id: null,
        user_id: user.id,
        event: 'vip_granted',
        amount_fen: 0,
        source: 'admin',
        detail: 'test',
        created_at: Date.now(),
      })
      .execute()
    // toMatchObject, not toThrow: better-sqlite3's errors come from the realm of the first test file.
    const refused = { message: expect.stringMatching(/append-only/) }
    await expect(s.db.kysely.updateTable('ledger').set({ amount_fen: 1 }).execute()).rejects.toMatchObject(refused)
    await expect(s.db.kysely.deleteFrom('ledger').execute()).rejects.toMatchObject(refused)
  })
})

describe('iOS', () => {
  it('the JSAPI rail shows no price or buy button on iOS; virtual payment sells there', async () => {
    const s = await startPaymentStack('sqlite', 'wechatpay')
    try {
      expect((await s.call('GET', '/api/plans?platform=ios')).body.purchase).toEqual({
        rail: 'wechatpay',
        available: false,
        notice: expect.stringContaining('iOS'),
      })
      const token = await s.login('iphone')
      const refused = await s.call('POST', '/api/orders', token, {
        planId: 'month',
        platform: 'ios',
        requestKey: 'ios-attempt-1',
      })
      expect([refused.status, refused.body.error.code]).toEqual([403, 'PURCHASE_UNAVAILABLE'])
    } finally {
      await s.close()
    }
    const x = await startPaymentStack('sqlite', 'xpay')
    try {
      expect((await x.call('GET', '/api/plans?platform=ios')).body.purchase.available).toBe(true)
    } finally {
      await x.close()
    }
  })
})

describe('消息推送 in plain mode (the signature covers the URL, not the body)', () => {
  let s: PaymentStack
  beforeAll(async () => {
    s = await startPaymentStack('sqlite', 'xpay')
  })
  afterAll(() => s.close())
  const orderRow = (id: number) =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const ledgerOf = async (id: number) =>
    s.db.kysely
      .selectFrom('ledger')
      .select(['event', 'source', 'amount_fen'])
      .where('order_id', '=', id)
      .orderBy('id')
      .execute()

  it('a push naming an order nobody paid fulfils nothing, however well its URL is signed', async () => {
    const token = await s.login('plain-unpaid')
    const created = await s.call('POST', '/api/orders', token, {
      planId: 'month',
      platform: 'android',
      requestKey: 'plain-unpaid-1',
    })
    const row = await orderRow(created.body.order.id)
    const request = genuineNotification(s, row)
    const response = await fetch(`${s.api}${request.path}`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    })
    expect(response.status).toBe(409)
    expect((await orderRow(row.id)).status).toBe('pending')
    expect((await ledgerOf(row.id)).map((entry) => entry.event)).toEqual(['order_created'])
  })

  it('a paid order whose push lies about the amount is fulfilled from the rail’s own answer', async () => {
    const token = await s.login('plain-lying')
    await s.control('/notifications', { rail: 'xpay', mode: 'wrong_amount', count: 1 })
    const { id } = await s.buy('plain-lying', token, 'month')
    await s.waitFor(async () => (await orderRow(id)).status === 'fulfilled')
    const row = await orderRow(id)
    const paid = (await ledgerOf(id)).find((entry) => entry.event === 'paid')
    expect(paid).toMatchObject({ source: 'query', amount_fen: row.amount_fen })
    expect((await s.call('GET', '/api/me', token)).body.membership.active).toBe(true)
    await s.control('/reset', {})
  })
})

describe('消息推送 in 安全模式', () => {
  it('encrypted deliveries fulfil; the URL check echoes; a plain push is refused', async () => {
    const s = await startPaymentStack('sqlite', 'xpay', { encrypted: true })
    try {
      const check = await s.control('/xpay/verify-url', {})
      expect([check.status, check.body]).toEqual([200, check.echostr])
      const token = await s.login('secure')
      const { id } = await s.buy('secure', token, 'month')
      await s.waitFor(
        async () =>
          (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow())
            .status === 'fulfilled',
      )
      const plain = await fetch(`${s.api}/api/wechat/message-push?signature=x&timestamp=1&nonce=n`, {
        method: 'POST',
        body: '{}',
      })
      expect(plain.status).toBe(401)
    } finally {
      await s.close()
    }
  })
})
