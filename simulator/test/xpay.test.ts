import { openidFor } from '../src/ids'
import {
  accessToken,
  APPID,
  expectWechatError,
  jscode2session,
  loginCode,
  startSim,
  type Json,
  type Sim,
} from './helpers'
import {
  AES_KEY,
  APP_KEY_SANDBOX,
  control,
  decryptPush,
  deliveries,
  hmacHex,
  openPush,
  PUSH_TOKEN,
  sha1Sorted,
  startReceiver,
  virtualPayment,
  waitFor,
  waitForDeliveries,
  xpayApi,
  xpayOptions,
  XPAY_OK,
  type Receiver,
} from './payments'

/** wx.login + jscode2session: the session_key the server signs with */
async function login(sim: Sim, user: string): Promise<{ openid: string; sessionKey: string }> {
  const session = await jscode2session(sim, await loginCode(sim, user))
  return { openid: session.openid as string, sessionKey: session.session_key as string }
}

async function pay(sim: Sim, user: string, payment: Record<string, unknown>, action = 'confirm', extra: Json = {}) {
  const response = await sim.fetch('/__phone/xpay/pay', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, action, ...payment, ...extra }),
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Json
}

describe('xpay in plain mode', () => {
  let sim: Sim
  let receiver: Receiver
  let token: string

  beforeAll(async () => {
    receiver = await startReceiver(XPAY_OK)
    sim = await startSim({ xpay: xpayOptions(`${receiver.url}/api/wechat/message-push`, false), retryScale: 0.001 })
  })
  afterAll(async () => {
    await sim.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await sim.post('/__control/reset')
    receiver.received.length = 0
    receiver.answer(() => XPAY_OK)
    token = await accessToken(sim)
  })

  const query = (openid: string, orderId: string, env = 0) =>
    xpayApi(sim, 'query_order', token, { openid, env, order_id: orderId })

  it('pays on confirm, pushes xpay_goods_deliver_notify, and query_order shows it delivered', async () => {
    const { openid, sessionKey } = await login(sim, 'alice')
    const payment = virtualPayment(sessionKey)
    const outTradeNo = JSON.parse(payment.signData).outTradeNo as string
    expect(await pay(sim, 'alice', payment)).toEqual({ errMsg: 'requestVirtualPayment:ok' })

    await waitFor(() => receiver.received.length === 1, 5000, 'the push')
    const push = receiver.received[0]!
    expect(push.method).toBe('POST')
    expect(push.path).toBe('/api/wechat/message-push')
    expect(push.headers['content-type']).toBe('application/json')
    const message = openPush(push, false)
    expect(message).toEqual({
      ToUserName: expect.stringMatching(/^gh_[0-9a-f]{12}$/),
      FromUserName: expect.stringMatching(/^o/),
      CreateTime: expect.any(Number),
      MsgType: 'event',
      Event: 'xpay_goods_deliver_notify',
      OpenId: openid,
      OutTradeNo: outTradeNo,
      Env: 0,
      WeChatPayInfo: {
        MchOrderNo: expect.stringMatching(/^mp\d{24}$/),
        TransactionId: expect.stringMatching(/^4200\d{24}$/),
        PaidTime: expect.any(Number),
      },
      GoodsInfo: { ProductId: 'vip_month', Quantity: 1, OrigPrice: 1800, ActualPrice: 1800, Attach: 'plan=month' },
      RetryTimes: 0,
    })
    expect(message.FromUserName).not.toBe(openid)
    expect(Math.abs((message.CreateTime as number) - Date.now() / 1000)).toBeLessThan(5)

    const [delivery] = await waitForDeliveries(sim, 1, { rail: 'xpay' })
    expect(delivery).toMatchObject({
      event: 'xpay_goods_deliver_notify',
      out_trade_no: outTradeNo,
      attempt: 1,
      status: 200,
      result: 'ok',
      answer: '{"ErrCode":0,"ErrMsg":"success"}',
      retryInMs: null,
    })
    const answer = await query(openid, outTradeNo)
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok' })
    const pushInfo = message.WeChatPayInfo as Json
    expect(answer.order).toMatchObject({
      order_id: outTradeNo,
      status: 4,
      order_type: 0,
      order_fee: 1800,
      paid_fee: 1800,
      left_fee: 1800,
      env_type: 1,
      wxpay_order_id: pushInfo.TransactionId,
      channel_order_id: pushInfo.MchOrderNo,
      paid_time: pushInfo.PaidTime,
      wx_order_id: expect.stringMatching(/^\d{20}$/),
    })
    expect((answer.order as Json).provide_time).toBeGreaterThan(0)
  })

  it('answers cancel with errCode -2 and fail with -1; the order stays created (status 1), no push', async () => {
    const { openid, sessionKey } = await login(sim, 'bob')
    const cancelled = virtualPayment(sessionKey)
    expect(await pay(sim, 'bob', cancelled, 'cancel')).toEqual({
      errMsg: 'requestVirtualPayment:fail cancel',
      errCode: -2,
    })
    const failed = virtualPayment(sessionKey)
    expect(await pay(sim, 'bob', failed, 'fail')).toEqual({ errMsg: 'requestVirtualPayment:fail', errCode: -1 })
    const order = (await query(openid, JSON.parse(cancelled.signData).outTradeNo)).order as Json
    expect(order).toMatchObject({ status: 1, paid_fee: 0, paid_time: 0, wxpay_order_id: '' })
    // The same signData can be paid after a cancel.
    expect(await pay(sim, 'bob', cancelled)).toEqual({ errMsg: 'requestVirtualPayment:ok' })
    await waitFor(() => receiver.received.length === 1, 5000, 'the push')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(receiver.received).toHaveLength(1)
  })

  it('checks paySig (-15006) and the user signature with the latest session_key (-15005)', async () => {
    const { sessionKey } = await login(sim, 'carol')
    const good = virtualPayment(sessionKey)
    expect(
      await pay(sim, 'carol', { ...good, paySig: hmacHex('another key', `requestVirtualPayment&${good.signData}`) }),
    ).toEqual({ errMsg: 'requestVirtualPayment:fail PAY_SIG_INVALID', errCode: -15006 })
    // The uri of paySig is requestVirtualPayment, not /xpay/requestVirtualPayment.
    const withPath = hmacHex('xpay-app-key-0123456789abcdef', `/xpay/requestVirtualPayment&${good.signData}`)
    expect((await pay(sim, 'carol', { ...good, paySig: withPath })).errCode).toBe(-15006)
    // A signData changed after signing fails paySig.
    const changed = good.signData.replace('"goodsPrice":1800', '"goodsPrice":1')
    expect((await pay(sim, 'carol', { ...good, signData: changed })).errCode).toBe(-15006)

    // wx.login again: the old session_key no longer signs.
    const { sessionKey: fresh } = await login(sim, 'carol')
    expect(await pay(sim, 'carol', good)).toEqual({
      errMsg: 'requestVirtualPayment:fail SIGNATURE_INVALID',
      errCode: -15005,
    })
    expect(await pay(sim, 'carol', virtualPayment(fresh))).toEqual({ errMsg: 'requestVirtualPayment:ok' })
    // A user who never logged in has no session_key.
    expect((await pay(sim, 'nobody', virtualPayment(fresh))).errCode).toBe(-15005)
  })

  it('uses the sandbox AppKey for env 1', async () => {
    const { openid, sessionKey } = await login(sim, 'dan')
    const prodKeyed = virtualPayment(sessionKey, { env: 1 })
    expect((await pay(sim, 'dan', prodKeyed)).errCode).toBe(-15006)
    const sandbox = virtualPayment(sessionKey, { env: 1 }, APP_KEY_SANDBOX)
    expect(await pay(sim, 'dan', sandbox)).toEqual({ errMsg: 'requestVirtualPayment:ok' })
    const outTradeNo = JSON.parse(sandbox.signData).outTradeNo as string
    await waitFor(() => receiver.received.length === 1, 5000, 'the push')
    expect(openPush(receiver.received[0]!, false).Env).toBe(1)
    // query_order signs with the sandbox AppKey for env 1, and env 0 does not see the order.
    const found = await xpayApi(sim, 'query_order', token, { openid, env: 1, order_id: outTradeNo }, APP_KEY_SANDBOX)
    expect(found.order).toMatchObject({ env_type: 2 })
    expectWechatError(await query(openid, outTradeNo, 0), 268490002, 'order not exist')
  })

  it('refuses bad requests as the client does: mode, signData fields, offerId, price, reused outTradeNo', async () => {
    const { sessionKey } = await login(sim, 'erin')
    const expectFail = async (payment: Record<string, unknown>, errCode: number, detail: string) => {
      const answer = await pay(sim, 'erin', payment)
      expect(answer).toEqual({ errMsg: `requestVirtualPayment:fail ${detail}`, errCode })
    }
    await expectFail(
      { ...virtualPayment(sessionKey), mode: 'short_series_coin' },
      -15001,
      'mode must be short_series_goods',
    )
    await expectFail(virtualPayment(sessionKey, { offerId: '999' }), -15001, 'offerId does not match the mini-program')
    await expectFail(
      virtualPayment(sessionKey, { goodsPrice: 1700 }),
      -15001,
      'goodsPrice 1700 differs from the product price 1800',
    )
    await expectFail(virtualPayment(sessionKey, { productId: 'gold' }), -15001, 'product gold does not exist')
    const badNo = 'outTradeNo must be 8-32 characters of [0-9A-Za-z_-|*@], not starting with _'
    await expectFail(virtualPayment(sessionKey, { outTradeNo: '_VIP00000001' }), -15001, badNo)
    await expectFail(virtualPayment(sessionKey, { outTradeNo: 'VIP0001' }), -15001, badNo)
    await expectFail(virtualPayment(sessionKey, { outTradeNo: 'VIP0001#x' }), -15001, badNo)
    await expectFail(virtualPayment(sessionKey, { currencyType: 'USD' }), -15001, 'currencyType must be CNY')
    const notJson = { ...virtualPayment(sessionKey), signData: '{"offerId":' }
    await expectFail(notJson, -15001, 'signData is not JSON')

    const paid = virtualPayment(sessionKey, { outTradeNo: 'a|b*c@d-e_f1' })
    expect(await pay(sim, 'erin', paid)).toEqual({ errMsg: 'requestVirtualPayment:ok' })
    await expectFail(paid, -15002, 'outTradeNo has been used')
    const sameNo = virtualPayment(sessionKey, { outTradeNo: 'a|b*c@d-e_f1', attach: 'other' })
    await expectFail(sameNo, -15002, 'outTradeNo has been used')
  })

  it('answers INVALID_PLATFORM to old iOS clients and pays iOS orders through Apple', async () => {
    const { openid, sessionKey } = await login(sim, 'fay')
    expect(await pay(sim, 'fay', virtualPayment(sessionKey), 'confirm', { platform: 'ios-old' })).toEqual({
      errMsg: 'requestVirtualPayment:fail INVALID_PLATFORM',
      errCode: -1,
    })
    const cheap = virtualPayment(sessionKey, { productId: 'tip', goodsPrice: 99 })
    const noProducts = await startSim({ xpay: { ...xpayOptions(`${receiver.url}/push`, false), products: undefined } })
    try {
      const { sessionKey: key } = await login(noProducts, 'fay')
      const small = virtualPayment(key, { productId: 'tip', goodsPrice: 99 })
      expect(await pay(noProducts, 'fay', small, 'confirm', { platform: 'ios' })).toEqual({
        errMsg: 'requestVirtualPayment:fail iOS orders must be at least 1 yuan',
        errCode: -15001,
      })
    } finally {
      await noProducts.close()
    }
    expect((await pay(sim, 'fay', cheap)).errCode).toBe(-15001)

    const ios = virtualPayment(sessionKey)
    expect(await pay(sim, 'fay', ios, 'confirm', { platform: 'ios' })).toEqual({ errMsg: 'requestVirtualPayment:ok' })
    await waitFor(() => receiver.received.length === 1, 5000, 'the push')
    const message = openPush(receiver.received[0]!, false)
    expect(message.WeChatPayInfo).toBeUndefined()
    expect(message.GoodsInfo).toMatchObject({ ActualPrice: 1800 })
    const outTradeNo = JSON.parse(ios.signData).outTradeNo as string
    expect((await query(openid, outTradeNo)).order).toMatchObject({ order_type: 7 })
    const refund = await xpayApi(sim, 'refund_order', token, {
      openid,
      order_id: outTradeNo,
      refund_order_id: 'R-ios-0001',
      left_fee: 1800,
      refund_fee: 1800,
      biz_meta: '',
      refund_reason: '3',
      req_from: '2',
      env: 0,
    })
    expectWechatError(refund, 268490002, 'iOS orders are refunded by Apple only')
  })

  it('guards the server APIs with access_token and pay_sig over the exact body', async () => {
    const { openid, sessionKey } = await login(sim, 'gus')
    const payment = virtualPayment(sessionKey)
    await pay(sim, 'gus', payment)
    const orderId = JSON.parse(payment.signData).outTradeNo as string
    const body = JSON.stringify({ openid, env: 0, order_id: orderId })
    const sig = hmacHex('xpay-app-key-0123456789abcdef', `/xpay/query_order&${body}`)
    const call = async (path: string, text = body) => {
      const response = await sim.fetch(path, { method: 'POST', body: text })
      return (await response.json()) as Json
    }
    expectWechatError(await call(`/xpay/query_order?pay_sig=${sig}`), 41001)
    expectWechatError(await call(`/xpay/query_order?access_token=nope&pay_sig=${sig}`), 40001)
    expectWechatError(await call(`/xpay/query_order?access_token=${token}`), 268490003, 'pay_sig error')
    expectWechatError(await call(`/xpay/query_order?access_token=${token}&pay_sig=${sig.toUpperCase()}`), 268490003)
    // The same fields with other spacing are other bytes: pay_sig covers the body as sent.
    const spaced = JSON.stringify({ openid, env: 0, order_id: orderId }, null, 1)
    expectWechatError(await call(`/xpay/query_order?access_token=${token}&pay_sig=${sig}`, spaced), 268490003)
    const ok = await call(`/xpay/query_order?access_token=${token}&pay_sig=${sig}`)
    expect(ok).toMatchObject({ errcode: 0, order: { order_id: orderId } })

    expectWechatError(await query(openid, 'UNKNOWN000001'), 268490002, 'order not exist')
    expectWechatError(await query(openidFor(APPID, 'someone'), orderId), 268490001, 'invalid openid')
    expectWechatError(await xpayApi(sim, 'query_order', token, { openid, env: 0 }), 268490002)
    const byWxId = await xpayApi(sim, 'query_order', token, {
      openid,
      env: 0,
      wx_order_id: (ok.order as Json).wx_order_id,
    })
    expect(byWxId.order).toMatchObject({ order_id: orderId })
  })

  it('lets notify_provide_goods deliver an order whose push was lost', async () => {
    expect((await control(sim, '/__control/notifications', { rail: 'xpay', mode: 'drop' })).status).toBe(200)
    const { openid, sessionKey } = await login(sim, 'hal')
    const payment = virtualPayment(sessionKey)
    const orderId = JSON.parse(payment.signData).outTradeNo as string
    await pay(sim, 'hal', payment)
    const [dropped] = await waitForDeliveries(sim, 1)
    expect(dropped).toMatchObject({ result: 'dropped', attempt: 0, status: null, out_trade_no: orderId })
    expect(receiver.received).toHaveLength(0)
    expect((await query(openid, orderId)).order).toMatchObject({ status: 2, provide_time: 0 })

    expect(await xpayApi(sim, 'notify_provide_goods', token, { order_id: orderId, env: 0 })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    })
    expect((await query(openid, orderId)).order).toMatchObject({ status: 4 })
    // Again: still delivered, still ok.
    expect(await xpayApi(sim, 'notify_provide_goods', token, { order_id: orderId, env: 0 })).toMatchObject({
      errcode: 0,
    })

    const unpaid = virtualPayment(sessionKey)
    await pay(sim, 'hal', unpaid, 'cancel')
    const notPaid = await xpayApi(sim, 'notify_provide_goods', token, {
      order_id: JSON.parse(unpaid.signData).outTradeNo,
      env: 0,
    })
    expectWechatError(notPaid, 268490002, 'order status 1 cannot be delivered')
  })

  it('refunds: refund_order, then xpay_refund_notify; a repeated refund_order_id moves no money twice', async () => {
    const { openid, sessionKey } = await login(sim, 'ivy')
    const payment = virtualPayment(sessionKey, { productId: 'vip_year', goodsPrice: 16800 })
    const orderId = JSON.parse(payment.signData).outTradeNo as string
    await pay(sim, 'ivy', payment)
    await waitForDeliveries(sim, 1)
    const request = {
      openid,
      order_id: orderId,
      refund_order_id: 'REF-0000000001',
      left_fee: 16800,
      refund_fee: 6800,
      biz_meta: 'ticket 42',
      refund_reason: '3',
      req_from: '1',
      env: 0,
    }
    const accepted = await xpayApi(sim, 'refund_order', token, request)
    const order = (await query(openid, orderId)).order as Json
    expect(accepted).toEqual({
      errcode: 0,
      errmsg: 'ok',
      refund_order_id: 'REF-0000000001',
      refund_wx_order_id: expect.stringMatching(/^\d{20}$/),
      pay_order_id: orderId,
      pay_wx_order_id: order.wx_order_id,
    })

    const refunds = await waitForDeliveries(sim, 1, { event: 'xpay_refund_notify' })
    expect(refunds[0]).toMatchObject({ result: 'ok', out_trade_no: orderId, out_refund_no: 'REF-0000000001' })
    const push = receiver.received.find((entry) => entry.body.includes('xpay_refund_notify'))!
    const message = openPush(push, false)
    expect(message).toEqual({
      ToUserName: expect.stringMatching(/^gh_/),
      FromUserName: expect.any(String),
      CreateTime: expect.any(Number),
      MsgType: 'event',
      Event: 'xpay_refund_notify',
      OpenId: openid,
      WxRefundId: accepted.refund_wx_order_id,
      MchRefundId: 'REF-0000000001',
      WxOrderId: order.wx_order_id,
      MchOrderId: orderId,
      RefundFee: 6800,
      RetCode: 0,
      RetMsg: 'success',
      RefundStartTimestamp: expect.any(Number),
      RefundSuccTimestamp: expect.any(Number),
      WxpayRefundTransactionId: expect.stringMatching(/^\d{28}$/),
      RetryTimes: 0,
    })
    expect((await query(openid, orderId)).order).toMatchObject({ status: 4, left_fee: 10000 })
    expect((await query(openid, 'REF-0000000001')).order).toMatchObject({
      order_type: 1,
      status: 5,
      refund_fee: 6800,
      biz_meta: 'ticket 42',
    })

    // The same request again: the same refund, no second money movement, no second push.
    expect(await xpayApi(sim, 'refund_order', token, request)).toEqual(accepted)
    expect((await query(openid, orderId)).order).toMatchObject({ left_fee: 10000 })
    expectWechatError(
      await xpayApi(sim, 'refund_order', token, { ...request, refund_fee: 100 }),
      268490002,
      'refund_order_id has been used for another refund',
    )
    // left_fee must be what query_order says.
    const second = { ...request, refund_order_id: 'REF-0000000002', left_fee: 16800, refund_fee: 10000 }
    expectWechatError(await xpayApi(sim, 'refund_order', token, second), 268490016)
    expect(await xpayApi(sim, 'refund_order', token, { ...second, left_fee: 10000 })).toMatchObject({ errcode: 0 })
    await waitForDeliveries(sim, 2, { event: 'xpay_refund_notify' })
    expect((await query(openid, orderId)).order).toMatchObject({ status: 5, left_fee: 0 })
    expect((await deliveries(sim, { event: 'xpay_refund_notify' })).length).toBe(2)
  })

  it('reports a failed refund with a non-zero RetCode and gives the fee back', async () => {
    const { openid, sessionKey } = await login(sim, 'jon')
    const payment = virtualPayment(sessionKey)
    const orderId = JSON.parse(payment.signData).outTradeNo as string
    await pay(sim, 'jon', payment)
    expect((await control(sim, '/__control/refunds', { rail: 'xpay', outcome: 'ABNORMAL' })).status).toBe(200)
    await xpayApi(sim, 'refund_order', token, {
      openid,
      order_id: orderId,
      refund_order_id: 'REF-FAIL-0001',
      left_fee: 1800,
      refund_fee: 1800,
      biz_meta: '',
      refund_reason: '0',
      req_from: '3',
      env: 0,
    })
    await waitForDeliveries(sim, 1, { event: 'xpay_refund_notify' })
    const push = receiver.received.find((entry) => entry.body.includes('xpay_refund_notify'))!
    expect(openPush(push, false)).toMatchObject({ RetCode: 268490006, RefundSuccTimestamp: 0 })
    expect((await query(openid, 'REF-FAIL-0001')).order).toMatchObject({ status: 7 })
    expect((await query(openid, orderId)).order).toMatchObject({ status: 4, left_fee: 1800 })
  })

  it('retries on WeChat’s schedule, time-compressed: fail twice, then success makes 3 attempts', async () => {
    receiver.answer((_request, index) =>
      index === 0
        ? { status: 200, body: '{"ErrCode":1,"ErrMsg":"busy"}' }
        : index === 1
          ? { status: 500, body: 'oops' }
          : XPAY_OK,
    )
    const { sessionKey } = await login(sim, 'kim')
    await pay(sim, 'kim', virtualPayment(sessionKey))
    const attempts = await waitForDeliveries(sim, 3)
    expect(attempts.map((entry) => [entry.attempt, entry.status, entry.result, entry.retryInMs])).toEqual([
      [1, 200, 'failed', 15],
      [2, 500, 'failed', 15],
      [3, 200, 'ok', null],
    ])
    expect(receiver.received.map((entry) => openPush(entry, false).RetryTimes)).toEqual([0, 1, 2])
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(receiver.received).toHaveLength(3)
    expect((await sim.get('/__control/notifications')).pending).toBe(0)
  })

  it('answers the URL check with the echostr', async () => {
    receiver.answer((request) => {
      const ok =
        request.method === 'GET' &&
        request.query.get('signature') ===
          sha1Sorted(PUSH_TOKEN, request.query.get('timestamp') ?? '', request.query.get('nonce') ?? '')
      return { status: 200, body: ok ? (request.query.get('echostr') ?? '') : 'no' }
    })
    const { json } = await control(sim, '/__control/xpay/verify-url', {})
    expect(json).toMatchObject({ ok: true, status: 200 })
    expect(json.body).toBe(json.echostr)
  })
})

describe('xpay in 安全模式', () => {
  let sim: Sim
  let receiver: Receiver

  beforeAll(async () => {
    receiver = await startReceiver(XPAY_OK)
    sim = await startSim({
      xpay: xpayOptions(`${receiver.url}/push?from=wechat`, true),
      retryScale: 0.001,
      notifyTimeoutMs: 300,
    })
  })
  afterAll(async () => {
    await sim.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await sim.post('/__control/reset')
    receiver.received.length = 0
    receiver.answer(() => XPAY_OK)
  })

  it('encrypts the push: msg_signature over the Encrypt, AES-256-CBC with the appid trailer', async () => {
    const { openid, sessionKey } = await login(sim, 'lea')
    const payment = virtualPayment(sessionKey)
    await pay(sim, 'lea', payment)
    await waitFor(() => receiver.received.length === 1, 5000, 'the push')
    const push = receiver.received[0]!
    expect(push.query.get('from')).toBe('wechat')
    const envelope = JSON.parse(push.body) as Json
    expect(Object.keys(envelope).sort()).toEqual(['Encrypt', 'ToUserName'])
    expect(envelope.ToUserName).toMatch(/^gh_/)
    const { appid } = decryptPush(envelope.Encrypt as string, AES_KEY)
    expect(appid).toBe(APPID)
    const message = openPush(push, true)
    expect(message).toMatchObject({
      ToUserName: envelope.ToUserName,
      Event: 'xpay_goods_deliver_notify',
      OpenId: openid,
      OutTradeNo: JSON.parse(payment.signData).outTradeNo,
      GoodsInfo: { ActualPrice: 1800 },
    })
  })

  it('counts a slow receiver as a failure after notifyTimeoutMs and tries again', async () => {
    receiver.answer((_request, index) => (index === 0 ? { ...XPAY_OK, delayMs: 600 } : XPAY_OK))
    const { sessionKey } = await login(sim, 'max')
    await pay(sim, 'max', virtualPayment(sessionKey))
    const attempts = await waitForDeliveries(sim, 2)
    expect(attempts.map((entry) => [entry.status, entry.answer, entry.result])).toEqual([
      [null, 'timeout', 'failed'],
      [200, '{"ErrCode":0,"ErrMsg":"success"}', 'ok'],
    ])
  })
})
