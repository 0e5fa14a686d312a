import { openidFor } from '../src/ids'
import { accessToken, APPID, jscode2session, loginCode, startSim, type Json, type Sim } from './helpers'
import {
  AES_KEY,
  CERT_SERIAL,
  control,
  decryptPush,
  decryptResource,
  deliveries,
  headerGetter,
  MCHID,
  openNotification,
  openPush,
  PAY_OK,
  payOptions,
  paySign,
  PUB_KEY_ID,
  PUSH_TOKEN,
  sha1Sorted,
  startReceiver,
  v3,
  verifyWechatpay,
  virtualPayment,
  waitFor,
  waitForDeliveries,
  xpayApi,
  xpayOptions,
  XPAY_OK,
  type Received,
  type Receiver,
} from './payments'

const OPENID = openidFor(APPID, 'alice')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('notification switches and retries, both rails', () => {
  let sim: Sim
  let receiver: Receiver
  let n = 0

  beforeAll(async () => {
    receiver = await startReceiver(PAY_OK)
    sim = await startSim({
      xpay: xpayOptions(`${receiver.url}/push`, true),
      pay: payOptions(),
      retryScale: 0.001,
    })
  })
  afterAll(async () => {
    await sim.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await sim.post('/__control/reset')
    receiver.received.length = 0
    receiver.answer((request) => (request.path === '/push' ? XPAY_OK : PAY_OK))
  })

  const pushes = () => receiver.received.filter((entry) => entry.path === '/push')
  const notifications = () => receiver.received.filter((entry) => entry.path === '/notify')
  const setSwitch = async (body: Json) => {
    const { status, json } = await control(sim, '/__control/notifications', body)
    expect(status).toBe(200)
    return json
  }

  /** Places a WeChat Pay order and pays it on the phone; returns its out_trade_no */
  const payV3 = async (total = 4900): Promise<string> => {
    const outTradeNo = `BK${Date.now()}${n++}`
    const placed = await v3(sim, 'POST', '/v3/pay/transactions/jsapi', {
      appid: APPID,
      mchid: MCHID,
      description: 'book',
      out_trade_no: outTradeNo,
      notify_url: `${receiver.url}/notify`,
      amount: { total },
      payer: { openid: OPENID },
    })
    const response = await sim.fetch('/__phone/pay/jsapi', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...paySign(APPID, placed.json.prepay_id as string), action: 'confirm' }),
    })
    expect(await response.json()).toEqual({ errMsg: 'requestPayment:ok' })
    return outTradeNo
  }

  /** Logs alice in and pays for vip_month through the xpay sheet; returns the outTradeNo */
  const payXpay = async (action = 'confirm'): Promise<string> => {
    const session = await jscode2session(sim, await loginCode(sim, 'alice'))
    const payment = virtualPayment(session.session_key as string)
    await sim.post('/__phone/xpay/pay', { user: 'alice', action, ...payment })
    return JSON.parse(payment.signData).outTradeNo as string
  }

  const bodyOf = (received: Received) => JSON.parse(received.body) as Json
  const messageOf = (received: Received) => {
    const envelope = bodyOf(received)
    return JSON.parse(decryptPush(envelope.Encrypt as string, AES_KEY).message) as Json
  }

  it('drop: nothing is sent, the order is paid all the same (reconciliation must find it)', async () => {
    await setSwitch({ rail: 'pay', mode: 'drop', count: 2 })
    await setSwitch({ rail: 'xpay', mode: 'drop' })
    const first = await payV3()
    const second = await payV3()
    const orderId = await payXpay()
    const log = await waitForDeliveries(sim, 3)
    expect(log.map((entry) => [entry.rail, entry.out_trade_no, entry.result, entry.attempt])).toEqual([
      ['pay', first, 'dropped', 0],
      ['pay', second, 'dropped', 0],
      ['xpay', orderId, 'dropped', 0],
    ])
    await sleep(50)
    expect(receiver.received).toHaveLength(0)
    const query = await v3(sim, 'GET', `/v3/pay/transactions/out-trade-no/${first}?mchid=${MCHID}`)
    expect(query.json.trade_state).toBe('SUCCESS')
    const order = await xpayApi(sim, 'query_order', await accessToken(sim), {
      openid: OPENID,
      env: 0,
      order_id: orderId,
    })
    expect(order.order).toMatchObject({ status: 2 })
    // The switch is used up: the next one is delivered.
    await payV3()
    await waitFor(() => notifications().length === 1, 5000, 'the third notification')
  })

  it('duplicate: N copies at once, each the same notification', async () => {
    await setSwitch({ rail: 'pay', mode: 'duplicate', duplicates: 3 })
    await setSwitch({ rail: 'xpay', mode: 'duplicate' })
    const outTradeNo = await payV3()
    const orderId = await payXpay()
    await waitFor(() => notifications().length === 3 && pushes().length === 2, 5000, 'the copies')
    const ids = notifications().map((entry) => bodyOf(entry).id)
    expect(new Set(ids).size).toBe(1)
    expect(notifications().map((entry) => openNotification(entry).resource.out_trade_no)).toEqual([
      outTradeNo,
      outTradeNo,
      outTradeNo,
    ])
    expect(pushes().map((entry) => openPush(entry, true).OutTradeNo)).toEqual([orderId, orderId])
    const log = await waitForDeliveries(sim, 5)
    expect(
      log
        .filter((entry) => entry.rail === 'pay')
        .map((entry) => entry.copy)
        .sort(),
    ).toEqual([1, 2, 3])
    expect(log.every((entry) => entry.mode === 'duplicate' && entry.result === 'ok')).toBe(true)
  })

  it('delay: the first attempt waits delayMs', async () => {
    await setSwitch({ rail: 'pay', mode: 'delay', delayMs: 300 })
    const started = Date.now()
    await payV3()
    await waitFor(() => notifications().length === 1, 5000, 'the delayed notification')
    expect(notifications()[0]!.at - started).toBeGreaterThanOrEqual(290)
    expect((await deliveries(sim))[0]).toMatchObject({ mode: 'delay', result: 'ok' })
  })

  it('reorder: a notification is held until the next one has been answered', async () => {
    await setSwitch({ rail: 'pay', mode: 'reorder' })
    const first = await payV3()
    await sleep(50)
    expect(notifications()).toHaveLength(0)
    const second = await payV3()
    await waitFor(() => notifications().length === 2, 5000, 'both notifications')
    expect(notifications().map((entry) => openNotification(entry).resource.out_trade_no)).toEqual([second, first])

    // With nothing after it, a held notification goes out after delayMs.
    await setSwitch({ rail: 'xpay', mode: 'reorder', delayMs: 150 })
    const started = Date.now()
    await payXpay()
    await waitFor(() => pushes().length === 1, 5000, 'the held push')
    expect(pushes()[0]!.at - started).toBeGreaterThanOrEqual(140)
  })

  it('wrong_amount, wrong_appid, wrong_mchid, wrong_openid: genuinely signed, once, with a mismatching field', async () => {
    receiver.answer((request) => (request.path === '/push' ? { status: 200, body: '{"ErrCode":1}' } : { status: 400 }))
    const expectField = async (mode: string, check: (resource: Json) => void) => {
      receiver.received.length = 0
      await setSwitch({ rail: 'pay', mode })
      const outTradeNo = await payV3()
      await waitFor(() => notifications().length === 1, 5000, mode)
      const { resource, serial } = openNotification(notifications()[0]!)
      expect(serial).toBe(PUB_KEY_ID)
      expect(resource.out_trade_no).toBe(outTradeNo)
      check(resource)
      // A forgery is sent once: the receiver's refusal is not retried.
      await sleep(60)
      expect(await deliveries(sim, { out_trade_no: outTradeNo })).toEqual([
        expect.objectContaining({ mode, attempt: 1, status: 400, result: 'failed', retryInMs: null }),
      ])
    }
    await expectField('wrong_amount', (resource) =>
      expect(resource.amount).toEqual({ total: 4901, payer_total: 4901, currency: 'CNY', payer_currency: 'CNY' }),
    )
    await expectField('wrong_appid', (resource) => expect(resource.appid).not.toBe(APPID))
    await expectField('wrong_mchid', (resource) => expect(resource.mchid).not.toBe(MCHID))
    await expectField('wrong_openid', (resource) => expect((resource.payer as Json).openid).not.toBe(OPENID))

    receiver.received.length = 0
    await setSwitch({ rail: 'xpay', mode: 'wrong_amount', count: 3 })
    await payXpay()
    await waitFor(() => pushes().length === 1, 5000, 'the wrong amount')
    expect(messageOf(pushes()[0]!).GoodsInfo).toMatchObject({ OrigPrice: 1801, ActualPrice: 1801 })
    receiver.received.length = 0
    await setSwitch({ rail: 'xpay', mode: 'normal' })
    await setSwitch({ rail: 'xpay', mode: 'wrong_appid' })
    await payXpay()
    await waitFor(() => pushes().length === 1, 5000, 'the wrong appid')
    const envelope = bodyOf(pushes()[0]!)
    expect(envelope.ToUserName).toBe('gh_000000000000')
    expect(decryptPush(envelope.Encrypt as string, AES_KEY).appid).not.toBe(APPID)
    receiver.received.length = 0
    await setSwitch({ rail: 'xpay', mode: 'wrong_openid' })
    await payXpay()
    await waitFor(() => pushes().length === 1, 5000, 'the wrong openid')
    expect(messageOf(pushes()[0]!).OpenId).not.toBe(OPENID)
  })

  it('genuine: after the forgery, the real notification follows', async () => {
    receiver.answer((request) => {
      if (request.path !== '/notify') return XPAY_OK
      try {
        const { resource } = openNotification(request)
        return { status: (resource.amount as Json).total === 4900 ? 204 : 400 }
      } catch {
        return { status: 401 }
      }
    })
    await setSwitch({ rail: 'pay', mode: 'wrong_amount', genuine: true })
    const outTradeNo = await payV3()
    const log = await waitForDeliveries(sim, 2, { out_trade_no: outTradeNo })
    expect(log.map((entry) => [entry.mode, entry.status, entry.result])).toEqual([
      ['wrong_amount', 400, 'failed'],
      ['normal', 204, 'ok'],
    ])
  })

  it('bad_signature, unknown_serial, stale_timestamp, signtest, tampered_ciphertext fail the receiver’s checks', async () => {
    const probe = async (mode: string): Promise<Received> => {
      receiver.received.length = 0
      await setSwitch({ rail: 'pay', mode })
      await payV3()
      await waitFor(() => notifications().length === 1, 5000, mode)
      return notifications()[0]!
    }
    const headers = (received: Received) => headerGetter(received.headers)
    let received = await probe('bad_signature')
    expect(() => verifyWechatpay(headers(received), received.body)).toThrow('bad signature')
    received = await probe('unknown_serial')
    expect(received.headers['wechatpay-serial']).toMatch(/^PUB_KEY_ID_\d{32}$/)
    expect(() => verifyWechatpay(headers(received), received.body)).toThrow('unknown Wechatpay-Serial')
    received = await probe('stale_timestamp')
    const age = Date.now() / 1000 - Number(received.headers['wechatpay-timestamp'])
    expect(age).toBeGreaterThan(300)
    expect(age).toBeLessThan(305)
    expect(() => verifyWechatpay(headers(received), received.body)).toThrow('stale timestamp')
    expect(verifyWechatpay(headers(received), received.body, 400).serial).toBe(PUB_KEY_ID)
    received = await probe('signtest')
    expect(received.headers['wechatpay-signature']).toMatch(/^WECHATPAY\/SIGNTEST\//)
    expect(() => verifyWechatpay(headers(received), received.body)).toThrow('signature probe')
    received = await probe('tampered_ciphertext')
    expect(verifyWechatpay(headers(received), received.body).serial).toBe(PUB_KEY_ID)
    const resource = bodyOf(received).resource as { ciphertext: string; nonce: string; associated_data: string }
    expect(() => decryptResource(resource)).toThrow()

    // xpay: the signatures are wrong, or the Encrypt no longer matches its msg_signature.
    const pushProbe = async (mode: string): Promise<Received> => {
      receiver.received.length = 0
      await setSwitch({ rail: 'xpay', mode })
      await payXpay()
      await waitFor(() => pushes().length === 1, 5000, mode)
      return pushes()[0]!
    }
    received = await pushProbe('bad_signature')
    expect(() => openPush(received, true)).toThrow()
    expect(received.query.get('signature')).toMatch(/^[0-9a-f]{40}$/)
    received = await pushProbe('tampered_ciphertext')
    const timestamp = received.query.get('timestamp') ?? ''
    const nonce = received.query.get('nonce') ?? ''
    expect(received.query.get('signature')).toBe(sha1Sorted(PUSH_TOKEN, timestamp, nonce))
    const encrypt = bodyOf(received).Encrypt as string
    expect(received.query.get('msg_signature')).not.toBe(sha1Sorted(PUSH_TOKEN, timestamp, nonce, encrypt))
    received = await pushProbe('stale_timestamp')
    expect(Date.now() / 1000 - Number(received.query.get('timestamp'))).toBeGreaterThan(300)
    expect(openPush(received, true).Event).toBe('xpay_goods_deliver_notify')
  })

  it('platform_cert: signed by the platform certificate key, named by its serial, retried as usual', async () => {
    receiver.answer((request, index) => (index === 0 ? { status: 500 } : request.path === '/push' ? XPAY_OK : PAY_OK))
    await setSwitch({ rail: 'pay', mode: 'platform_cert' })
    await payV3()
    await waitFor(() => notifications().length === 2, 5000, 'the retried notification')
    for (const received of notifications()) {
      expect(openNotification(received).serial).toBe(CERT_SERIAL)
    }
    const log = await deliveries(sim)
    expect(log.map((entry) => [entry.mode, entry.attempt, entry.result])).toEqual([
      ['platform_cert', 1, 'failed'],
      ['platform_cert', 2, 'ok'],
    ])
  })

  it('applies a switch to one event only when told, and lists pending switches', async () => {
    const listed = await setSwitch({ rail: 'pay', mode: 'drop', event: 'REFUND.SUCCESS' })
    expect(listed.switches).toEqual([{ rail: 'pay', mode: 'drop', event: 'REFUND.SUCCESS', remaining: 1 }])
    const outTradeNo = await payV3()
    await waitFor(() => notifications().length === 1, 5000, 'the payment notification')
    await v3(sim, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: outTradeNo,
      out_refund_no: `R${outTradeNo}`,
      notify_url: `${receiver.url}/notify`,
      amount: { refund: 4900, total: 4900, currency: 'CNY' },
    })
    const log = await waitForDeliveries(sim, 2)
    expect(log.map((entry) => [entry.event, entry.result])).toEqual([
      ['TRANSACTION.SUCCESS', 'ok'],
      ['REFUND.SUCCESS', 'dropped'],
    ])
    expect((await sim.get('/__control/notifications')).switches).toEqual([])
    expect(await deliveries(sim, { event: 'REFUND.SUCCESS', rail: 'pay' })).toHaveLength(1)
    expect(await deliveries(sim, { rail: 'xpay' })).toHaveLength(0)
  })

  it('refuses switches that do not fit the rail', async () => {
    const refused = async (body: Json) =>
      expect((await control(sim, '/__control/notifications', body)).status).toBe(400)
    await refused({ rail: 'xpay', mode: 'wrong_mchid' })
    await refused({ rail: 'xpay', mode: 'unknown_serial' })
    await refused({ rail: 'xpay', mode: 'signtest' })
    await refused({ rail: 'xpay', mode: 'platform_cert' })
    await refused({ rail: 'pay', mode: 'delay', genuine: true })
    await refused({ rail: 'pay', mode: 'shuffle' })
    await refused({ rail: 'pay', mode: 'duplicate', duplicates: 1 })

    const bare = await startSim({ pay: payOptions(false), xpay: xpayOptions(`${receiver.url}/push`, false) })
    try {
      const status = async (body: Json) => (await control(bare, '/__control/notifications', body)).status
      expect(await status({ rail: 'pay', mode: 'platform_cert' })).toBe(400)
      expect(await status({ rail: 'xpay', mode: 'tampered_ciphertext' })).toBe(400)
      expect(await status({ rail: 'pay', mode: 'unknown_serial' })).toBe(200)
    } finally {
      await bare.close()
    }
    const none = await startSim()
    try {
      expect((await control(none, '/__control/notifications', { rail: 'pay', mode: 'drop' })).status).toBe(400)
      expect((await control(none, '/__control/notifications', { rail: 'xpay', mode: 'drop' })).status).toBe(400)
      expect((await control(none, '/__control/pay', { rail: 'pay', out_trade_no: 'X12345' })).status).toBe(400)
      expect((await none.fetch('/v3/pay/transactions/jsapi', { method: 'POST' })).status).toBe(404)
      expect((await none.fetch('/xpay/query_order', { method: 'POST' })).status).toBe(404)
      const sheet = await control(none, '/__phone/xpay/pay', {
        user: 'a',
        signData: '{}',
        paySig: '',
        signature: '',
        mode: 'short_series_goods',
        action: 'confirm',
      })
      expect(sheet.status).toBe(400)
    } finally {
      await none.close()
    }
  })

  it('/__control/pay marks an order paid without notifying anyone', async () => {
    const placed = await v3(sim, 'POST', '/v3/pay/transactions/jsapi', {
      appid: APPID,
      mchid: MCHID,
      description: 'book',
      out_trade_no: 'QUIET000001',
      notify_url: `${receiver.url}/notify`,
      amount: { total: 100 },
      payer: { openid: OPENID },
    })
    expect(placed.status).toBe(200)
    const paid = await control(sim, '/__control/pay', { rail: 'pay', out_trade_no: 'QUIET000001' })
    expect(paid.status).toBe(200)
    expect(paid.json.transaction).toMatchObject({ trade_state: 'SUCCESS', out_trade_no: 'QUIET000001' })
    expect((await control(sim, '/__control/pay', { rail: 'pay', out_trade_no: 'QUIET000001' })).status).toBe(400)
    expect((await control(sim, '/__control/pay', { rail: 'pay', out_trade_no: 'NOPE000001' })).status).toBe(400)

    // xpay: an order the user cancelled, or a signData never shown to the user.
    const cancelled = await payXpay('cancel')
    const quiet = await control(sim, '/__control/pay', { rail: 'xpay', out_trade_no: cancelled })
    expect(quiet.json.order).toMatchObject({ order_id: cancelled, status: 2 })
    const signData = JSON.stringify({
      offerId: '1450123456',
      buyQuantity: 2,
      env: 0,
      currencyType: 'CNY',
      productId: 'vip_month',
      goodsPrice: 1800,
      outTradeNo: 'QUIETXPAY0001',
      attach: '',
    })
    const created = await control(sim, '/__control/pay', { rail: 'xpay', user: 'bob', signData })
    expect(created.json.order).toMatchObject({ status: 2, paid_fee: 3600, openid: openidFor(APPID, 'bob') })
    const token = await accessToken(sim)
    const order = await xpayApi(sim, 'query_order', token, {
      openid: openidFor(APPID, 'bob'),
      env: 0,
      order_id: 'QUIETXPAY0001',
    })
    expect(order.order).toMatchObject({ status: 2, order_fee: 3600, paid_fee: 3600 })
    await sleep(50)
    expect(receiver.received).toHaveLength(0)
    expect(await deliveries(sim)).toHaveLength(0)
    const payments = await sim.get('/__control/payments')
    expect((payments.xpay as { orders: Json[] }).orders).toHaveLength(2)
    expect((payments.pay as { transactions: Json[] }).transactions).toHaveLength(1)
  })

  it('retries a refused WeChat Pay notification with the same body and a fresh signature', async () => {
    receiver.answer((_request, index) => (index < 2 ? { status: index === 0 ? 500 : 404 } : { status: 200 }))
    await payV3()
    const log = await waitForDeliveries(sim, 3)
    expect(log.map((entry) => [entry.attempt, entry.status, entry.result, entry.retryInMs])).toEqual([
      [1, 500, 'failed', 15],
      [2, 404, 'failed', 15],
      [3, 200, 'ok', null],
    ])
    const bodies = new Set(notifications().map((entry) => entry.body))
    expect(bodies.size).toBe(1)
    expect(new Set(notifications().map((entry) => entry.headers['wechatpay-nonce'])).size).toBe(3)
    for (const entry of notifications()) openNotification(entry)
  })

  it('a receiver that is down counts as a failure; reset stops the retries', async () => {
    const slow = await startSim({ pay: payOptions(), retryScale: 0.02 })
    const gone = await startReceiver(PAY_OK)
    const url = gone.url
    await gone.close()
    try {
      const placed = await v3(slow, 'POST', '/v3/pay/transactions/jsapi', {
        appid: APPID,
        mchid: MCHID,
        description: 'book',
        out_trade_no: 'DOWN0000001',
        notify_url: `${url}/notify`,
        amount: { total: 100 },
        payer: { openid: OPENID },
      })
      await slow.post('/__phone/pay/jsapi', { ...paySign(APPID, placed.json.prepay_id as string), action: 'confirm' })
      const [first] = await waitForDeliveries(slow, 1)
      expect(first).toMatchObject({ status: null, answer: 'ECONNREFUSED', result: 'failed', retryInMs: 300 })
      expect((await slow.get('/__control/notifications')).pending).toBe(1)
      await slow.post('/__control/reset')
      expect((await slow.get('/__control/notifications')).pending).toBe(0)
      await sleep(400)
      expect(await deliveries(slow)).toHaveLength(0)
    } finally {
      await slow.close()
    }
  })
})
