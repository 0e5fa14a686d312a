import crypto from 'node:crypto'
import { openidFor } from '../src/ids'
import { APPID, startSim, type Json, type Sim } from './helpers'
import {
  authorization,
  control,
  MCHID,
  openNotification,
  PAY_OK,
  payKeys,
  payOptions,
  paySign,
  PUB_KEY_ID,
  startReceiver,
  v3,
  verifyWechatpay,
  waitForDeliveries,
  keyPair,
  type Receiver,
  type V3Response,
} from './payments'

const OPENID = openidFor(APPID, 'alice')

describe('WeChat Pay API v3 (JSAPI)', () => {
  let sim: Sim
  let receiver: Receiver
  let n = 0

  beforeAll(async () => {
    receiver = await startReceiver(PAY_OK)
    sim = await startSim({ pay: payOptions(), retryScale: 0.001 })
  })
  afterAll(async () => {
    await sim.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await sim.post('/__control/reset')
    receiver.received.length = 0
    receiver.answer(() => PAY_OK)
  })

  const order = (fields: Json = {}): Json => ({
    appid: APPID,
    mchid: MCHID,
    description: '北辰遴选-纸书',
    out_trade_no: `BK${Date.now()}${n++}`,
    notify_url: `${receiver.url}/api/payments/wechat/notify`,
    amount: { total: 4900, currency: 'CNY' },
    payer: { openid: OPENID },
    attach: 'book=7',
    ...fields,
  })
  const jsapi = (body: Json, options?: Parameters<typeof v3>[4]) =>
    v3(sim, 'POST', '/v3/pay/transactions/jsapi', body, options)
  const query = (outTradeNo: string) =>
    v3(sim, 'GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${MCHID}`)
  const cashier = async (prepayId: string, action = 'confirm', extra: Json = {}) => {
    const response = await sim.fetch('/__phone/pay/jsapi', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...paySign(APPID, prepayId), action, ...extra }),
    })
    expect(response.status).toBe(200)
    return (await response.json()) as Json
  }
  const expectV3Error = (response: V3Response, status: number, code: string, message?: string) => {
    expect(response.status).toBe(status)
    expect(Object.keys(response.json).sort()).toEqual(['code', 'message'])
    expect(response.json.code).toBe(code)
    if (message !== undefined) expect(response.json.message).toBe(message)
  }
  /** Places an order and pays it on the phone; returns the out_trade_no once the notification arrived */
  const paidOrder = async (fields: Json = {}) => {
    const body = order(fields)
    const placed = await jsapi(body)
    expect(placed.status).toBe(200)
    expect(await cashier(placed.json.prepay_id as string)).toEqual({ errMsg: 'requestPayment:ok' })
    await waitForDeliveries(sim, 1, { out_trade_no: body.out_trade_no as string, event: 'TRANSACTION.SUCCESS' })
    return body.out_trade_no as string
  }

  it('places an order and answers {prepay_id}, signed with the 微信支付公钥', async () => {
    const placed = await jsapi(order())
    expect(placed.status).toBe(200)
    expect(placed.json).toEqual({ prepay_id: expect.stringMatching(/^wx\d{14}[0-9a-f]{20}$/) })
    expect(verifyWechatpay(placed.headers, placed.text)).toEqual({ serial: PUB_KEY_ID })
    expect(placed.headers.get('wechatpay-nonce')).toMatch(/^[0-9A-Za-z]{32}$/)
    expect(placed.headers.get('request-id')).toBeTruthy()
  })

  it('refuses a bad Authorization with 401 SIGN_ERROR, answers signed', async () => {
    const body = JSON.stringify(order())
    const send = async (header: string | undefined, text = body, url = '/v3/pay/transactions/jsapi') => {
      const response = await sim.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { authorization: header }) },
        body: text,
      })
      const answer = await response.text()
      verifyWechatpay(response.headers, answer)
      return { status: response.status, headers: response.headers, text: answer, json: JSON.parse(answer) as Json }
    }
    const url = '/v3/pay/transactions/jsapi'
    expectV3Error(await send(undefined), 401, 'SIGN_ERROR')
    expectV3Error(await send(`Bearer x`), 401, 'SIGN_ERROR')
    const otherKey = keyPair().privateKey
    expectV3Error(
      await send(authorization('POST', url, body, { key: otherKey })),
      401,
      'SIGN_ERROR',
      '签名错误，请检查后再试',
    )
    const stale = Math.floor(Date.now() / 1000) - 301
    expectV3Error(
      await send(authorization('POST', url, body, { timestamp: stale })),
      401,
      'SIGN_ERROR',
      'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟',
    )
    const future = Math.floor(Date.now() / 1000) + 301
    expectV3Error(await send(authorization('POST', url, body, { timestamp: future })), 401, 'SIGN_ERROR')
    expectV3Error(await send(authorization('POST', url, body, { serial: 'ABCDEF' })), 401, 'SIGN_ERROR')
    expectV3Error(await send(authorization('POST', url, body, { mchid: '1900000002' })), 401, 'SIGN_ERROR')
    // The signature covers the exact bytes and the method.
    expectV3Error(await send(authorization('POST', url, body), `${body} `), 401, 'SIGN_ERROR')
    expectV3Error(await send(authorization('GET', url, body)), 401, 'SIGN_ERROR')
    // Within the window, an old timestamp is fine.
    const ok = await send(authorization('POST', url, body, { timestamp: Math.floor(Date.now() / 1000) - 290 }))
    expect(ok.status).toBe(200)

    // A GET signs its query string too, and an empty body line.
    const placed = JSON.parse(body) as Json
    const path = `/v3/pay/transactions/out-trade-no/${placed.out_trade_no as string}?mchid=${MCHID}`
    const pathOnly = path.split('?')[0] as string
    const response = await sim.fetch(path, { headers: { authorization: authorization('GET', pathOnly, '') } })
    expect(response.status).toBe(401)
    expect((await query(placed.out_trade_no as string)).status).toBe(200)
  })

  it('checks the order fields: lengths, notify_url, amount, currency, payer, appid, mchid', async () => {
    const bad = async (fields: Json, code = 'PARAM_ERROR', status = 400) => {
      const response = await jsapi(order(fields))
      expectV3Error(response, status, code)
      verifyWechatpay(response.headers, response.text)
      return response
    }
    expect((await jsapi(order({ description: 'x'.repeat(127) }))).status).toBe(200)
    await bad({ description: 'x'.repeat(128) })
    await bad({ description: '' })
    await bad({ out_trade_no: 'A1234' })
    await bad({ out_trade_no: 'A'.repeat(33) })
    await bad({ out_trade_no: 'BK#000001' })
    await bad({ notify_url: `${receiver.url}/notify?order=1` })
    await bad({ notify_url: 'ftp://example.com/notify' })
    await bad({ amount: { total: 0, currency: 'CNY' } })
    await bad({ amount: { total: 49.5, currency: 'CNY' } })
    await bad({ amount: { total: 4900, currency: 'USD' } })
    await bad({ payer: {} })
    await bad({ attach: 'x'.repeat(129) })
    await bad({ time_expire: 'tomorrow' })
    await bad({ appid: 'wx9999999999999999' }, 'APPID_MCHID_NOT_MATCH')
    await bad({ mchid: '1900000002' })
    expect((await jsapi(order({ amount: { total: 1 } }))).status).toBe(200)
    const broken = await sim.fetch('/v3/pay/transactions/jsapi', {
      method: 'POST',
      headers: { authorization: authorization('POST', '/v3/pay/transactions/jsapi', '{"appid":') },
      body: '{"appid":',
    })
    expect(broken.status).toBe(400)
    expect(((await broken.json()) as Json).code).toBe('PARAM_ERROR')
  })

  it('treats a repeated out_trade_no by its parameters: the same → prepay_id, others → INVALID_REQUEST, paid → ORDERPAID', async () => {
    const body = order()
    const first = await jsapi(body)
    const again = await jsapi(body)
    expect(again.status).toBe(200)
    expect(again.json.prepay_id).not.toBe(first.json.prepay_id)
    // The same fields in another order are the same parameters.
    const reordered = Object.fromEntries(Object.entries(body).reverse())
    expect((await jsapi(reordered)).status).toBe(200)
    expectV3Error(await jsapi({ ...body, amount: { total: 4800, currency: 'CNY' } }), 400, 'INVALID_REQUEST')
    expectV3Error(await jsapi({ ...body, description: 'other' }), 400, 'INVALID_REQUEST')
    // The first prepay_id still pays.
    expect(await cashier(first.json.prepay_id as string)).toEqual({ errMsg: 'requestPayment:ok' })
    expectV3Error(await jsapi(body), 400, 'ORDERPAID', '该订单已支付')
  })

  it('pays through the phone cashier and notifies TRANSACTION.SUCCESS, signed and encrypted', async () => {
    const body = order()
    const outTradeNo = body.out_trade_no as string
    const placed = await jsapi(body)
    const before = await query(outTradeNo)
    expect(before.json).toEqual({
      appid: APPID,
      mchid: MCHID,
      out_trade_no: outTradeNo,
      trade_state: 'NOTPAY',
      trade_state_desc: '订单未支付',
      attach: 'book=7',
      payer: {},
      amount: { total: 4900, currency: 'CNY', payer_currency: 'CNY' },
    })
    expect(await cashier(placed.json.prepay_id as string, 'confirm', { user: 'alice' })).toEqual({
      errMsg: 'requestPayment:ok',
    })

    const [delivery] = await waitForDeliveries(sim, 1, { rail: 'pay' })
    expect(delivery).toMatchObject({
      event: 'TRANSACTION.SUCCESS',
      out_trade_no: outTradeNo,
      status: 204,
      result: 'ok',
      attempt: 1,
    })
    const received = receiver.received[0]!
    expect(received.path).toBe('/api/payments/wechat/notify')
    expect(received.headers['content-type']).toBe('application/json')
    const { body: notification, resource, serial } = openNotification(received)
    expect(serial).toBe(PUB_KEY_ID)
    expect(notification).toEqual({
      id: delivery!.notificationId,
      create_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: {
        original_type: 'transaction',
        algorithm: 'AEAD_AES_256_GCM',
        ciphertext: expect.any(String),
        associated_data: 'transaction',
        nonce: expect.stringMatching(/^[0-9A-Za-z]{12}$/),
      },
    })
    const after = await query(outTradeNo)
    verifyWechatpay(after.headers, after.text)
    expect(resource).toEqual(after.json)
    expect(after.json).toEqual({
      appid: APPID,
      mchid: MCHID,
      out_trade_no: outTradeNo,
      transaction_id: expect.stringMatching(/^4200\d{24}$/),
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: 'book=7',
      success_time: expect.stringMatching(/\+08:00$/),
      payer: { openid: OPENID },
      amount: { total: 4900, payer_total: 4900, currency: 'CNY', payer_currency: 'CNY' },
    })
    const byId = await v3(sim, 'GET', `/v3/pay/transactions/id/${after.json.transaction_id as string}?mchid=${MCHID}`)
    expect(byId.json).toEqual(after.json)
    expectV3Error(await query('NOSUCHORDER1'), 404, 'ORDER_NOT_EXIST')
    expectV3Error(await v3(sim, 'GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}`), 400, 'PARAM_ERROR')
  })

  it('checks paySign on the phone and answers like wx.requestPayment', async () => {
    const body = order()
    const prepayId = (await jsapi(body)).json.prepay_id as string
    const send = async (fields: Json) => {
      const response = await sim.fetch('/__phone/pay/jsapi', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...paySign(APPID, prepayId), action: 'confirm', ...fields }),
      })
      return (await response.json()) as Json
    }
    const forged = paySign(APPID, prepayId, keyPair().privateKey)
    expect(await send(forged)).toEqual({ errMsg: 'requestPayment:fail 支付验证签名失败' })
    expect(await send({ paySign: paySign('wx9999999999999999', prepayId).paySign })).toEqual({
      errMsg: 'requestPayment:fail 支付验证签名失败',
    })
    expect(await send({ signType: 'MD5' })).toEqual({ errMsg: 'requestPayment:fail signType must be RSA' })
    expect(await send({ package: 'prepay_id=wx000' })).toEqual({ errMsg: 'requestPayment:fail prepay_id not found' })
    expect(await send({ user: 'bob' })).toEqual({ errMsg: 'requestPayment:fail the order belongs to another user' })
    expect(await cashier(prepayId, 'cancel')).toEqual({ errMsg: 'requestPayment:fail cancel' })
    expect(await cashier(prepayId, 'fail')).toEqual({ errMsg: 'requestPayment:fail' })
    expect((await query(body.out_trade_no as string)).json.trade_state).toBe('NOTPAY')
    expect(await cashier(prepayId)).toEqual({ errMsg: 'requestPayment:ok' })
    expect(await cashier(prepayId)).toEqual({ errMsg: 'requestPayment:fail 该订单已支付' })
    const badRequest = await sim.fetch('/__phone/pay/jsapi', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'confirm' }),
    })
    expect(badRequest.status).toBe(400)
  })

  it('closes an unpaid order with 204 (signed over an empty body), and refuses to close a paid one', async () => {
    const body = order()
    const outTradeNo = body.out_trade_no as string
    const prepayId = (await jsapi(body)).json.prepay_id as string
    const close = (no: string) => v3(sim, 'POST', `/v3/pay/transactions/out-trade-no/${no}/close`, { mchid: MCHID })
    const closed = await close(outTradeNo)
    expect(closed.status).toBe(204)
    expect(closed.text).toBe('')
    verifyWechatpay(closed.headers, '')
    expect((await close(outTradeNo)).status).toBe(204)
    expect((await query(outTradeNo)).json).toMatchObject({ trade_state: 'CLOSED', trade_state_desc: '订单已关闭' })
    expect(await cashier(prepayId)).toEqual({ errMsg: 'requestPayment:fail 订单已关闭' })
    expectV3Error(await jsapi(body), 400, 'ORDER_CLOSED')
    expectV3Error(await close('NOSUCHORDER1'), 404, 'ORDER_NOT_EXIST')

    const paid = await paidOrder()
    expectV3Error(await close(paid), 400, 'ORDERPAID')
  })

  it('refunds: PROCESSING, then REFUND.SUCCESS; the same out_refund_no is the same refund', async () => {
    const outTradeNo = await paidOrder()
    const transactionId = (await query(outTradeNo)).json.transaction_id as string
    receiver.received.length = 0
    const request = {
      out_trade_no: outTradeNo,
      out_refund_no: `RF${outTradeNo}`,
      reason: '用户申请',
      notify_url: `${receiver.url}/api/payments/wechat/refund-notify`,
      amount: { refund: 1900, total: 4900, currency: 'CNY' },
    }
    const accepted = await v3(sim, 'POST', '/v3/refund/domestic/refunds', request)
    expect(accepted.status).toBe(200)
    verifyWechatpay(accepted.headers, accepted.text)
    expect(accepted.json).toMatchObject({
      refund_id: expect.stringMatching(/^50\d{27}$/),
      out_refund_no: request.out_refund_no,
      transaction_id: transactionId,
      out_trade_no: outTradeNo,
      channel: 'ORIGINAL',
      status: 'PROCESSING',
      create_time: expect.stringMatching(/\+08:00$/),
      amount: { total: 4900, refund: 1900, payer_total: 4900, payer_refund: 1900, currency: 'CNY' },
    })
    expect(accepted.json.success_time).toBeUndefined()

    await waitForDeliveries(sim, 1, { event: 'REFUND.SUCCESS' })
    const received = receiver.received[0]!
    expect(received.path).toBe('/api/payments/wechat/refund-notify')
    const { body, resource } = openNotification(received)
    expect(body).toMatchObject({
      event_type: 'REFUND.SUCCESS',
      summary: '退款成功',
      resource: { original_type: 'refund', associated_data: 'refund' },
    })
    expect(resource).toEqual({
      mchid: MCHID,
      out_trade_no: outTradeNo,
      transaction_id: transactionId,
      out_refund_no: request.out_refund_no,
      refund_id: accepted.json.refund_id,
      refund_status: 'SUCCESS',
      success_time: expect.stringMatching(/\+08:00$/),
      user_received_account: '支付用户零钱',
      amount: { total: 4900, refund: 1900, payer_total: 4900, payer_refund: 1900 },
    })
    const fetched = await v3(sim, 'GET', `/v3/refund/domestic/refunds/${request.out_refund_no}`)
    expect(fetched.json).toMatchObject({ refund_id: accepted.json.refund_id, status: 'SUCCESS' })
    expect((await query(outTradeNo)).json).toMatchObject({ trade_state: 'REFUND', trade_state_desc: '订单发生过退款' })

    // A retry of the same refund: the same refund, nothing moves twice, no second notification.
    const retried = await v3(sim, 'POST', '/v3/refund/domestic/refunds', request)
    expect(retried.json).toMatchObject({ refund_id: accepted.json.refund_id, status: 'SUCCESS' })
    const payments = (await sim.get('/__control/payments')).pay as { transactions: Json[]; refunds: Json[] }
    expect(payments.refunds).toHaveLength(1)
    expect(payments.transactions.find((entry) => entry.out_trade_no === outTradeNo)).toMatchObject({ refunded: 1900 })
    expectV3Error(
      await v3(sim, 'POST', '/v3/refund/domestic/refunds', { ...request, amount: { ...request.amount, refund: 100 } }),
      400,
      'INVALID_REQUEST',
    )
    // By transaction_id, and no more than what is left.
    const byTransaction = {
      transaction_id: transactionId,
      out_refund_no: `RF2${outTradeNo}`,
      amount: { refund: 3001, total: 4900, currency: 'CNY' },
    }
    expectV3Error(await v3(sim, 'POST', '/v3/refund/domestic/refunds', byTransaction), 400, 'INVALID_REQUEST')
    const rest = { ...byTransaction, amount: { refund: 3000, total: 4900, currency: 'CNY' } }
    expect((await v3(sim, 'POST', '/v3/refund/domestic/refunds', rest)).status).toBe(200)
    expectV3Error(await v3(sim, 'GET', '/v3/refund/domestic/refunds/NOSUCHREFUND'), 404, 'RESOURCE_NOT_EXISTS')
    const wrongTotal = { ...request, out_refund_no: 'RF-total', amount: { refund: 1, total: 5000, currency: 'CNY' } }
    expectV3Error(await v3(sim, 'POST', '/v3/refund/domestic/refunds', wrongTotal), 400, 'PARAM_ERROR')
  })

  it('refuses to refund unpaid or unknown orders, and reports REFUND.ABNORMAL when told', async () => {
    const unpaid = order()
    await jsapi(unpaid)
    const refund = (fields: Json) =>
      v3(sim, 'POST', '/v3/refund/domestic/refunds', {
        out_refund_no: `RF${n++}`,
        notify_url: `${receiver.url}/refund`,
        amount: { refund: 100, total: 4900, currency: 'CNY' },
        ...fields,
      })
    expectV3Error(await refund({ out_trade_no: unpaid.out_trade_no }), 400, 'INVALID_REQUEST')
    expectV3Error(await refund({ out_trade_no: 'NOSUCHORDER1' }), 404, 'RESOURCE_NOT_EXISTS')

    const paid = await paidOrder()
    receiver.received.length = 0
    await control(sim, '/__control/refunds', { rail: 'pay', outcome: 'ABNORMAL' })
    expect((await refund({ out_trade_no: paid })).json.status).toBe('PROCESSING')
    await waitForDeliveries(sim, 1, { event: 'REFUND.ABNORMAL' })
    const { body, resource } = openNotification(receiver.received[0]!)
    expect(body).toMatchObject({ event_type: 'REFUND.ABNORMAL', summary: '退款异常' })
    expect(resource).toMatchObject({ refund_status: 'ABNORMAL' })
    expect(resource.success_time).toBeUndefined()
  })

  it('signs answers wrongly, or not at all, when told (for the server’s answer check)', async () => {
    const outTradeNo = order().out_trade_no as string
    await jsapi({ ...order(), out_trade_no: outTradeNo })
    const { status } = await control(sim, '/__control/pay/responses', { mode: 'unsigned' })
    expect(status).toBe(200)
    const unsigned = await query(outTradeNo)
    expect(unsigned.status).toBe(200)
    expect(unsigned.headers.get('wechatpay-signature')).toBeNull()
    await control(sim, '/__control/pay/responses', { mode: 'bad_signature' })
    const forged = await query(outTradeNo)
    expect(() => verifyWechatpay(forged.headers, forged.text)).toThrow('bad signature')
    await control(sim, '/__control/pay/responses', { mode: 'unknown_serial' })
    const unknown = await query(outTradeNo)
    expect(() => verifyWechatpay(unknown.headers, unknown.text)).toThrow('unknown Wechatpay-Serial')
    await control(sim, '/__control/pay/responses', { mode: 'stale_timestamp' })
    const stale = await query(outTradeNo)
    expect(() => verifyWechatpay(stale.headers, stale.text)).toThrow('stale timestamp')
    const normal = await query(outTradeNo)
    expect(verifyWechatpay(normal.headers, normal.text).serial).toBe(PUB_KEY_ID)
  })

  it('takes v3 faults ({code, message} under an HTTP status) and has no platform certificates to download', async () => {
    const fault = (body: Json) => control(sim, '/__control/faults', body)
    expect((await fault({ path: '/v3/pay/transactions/jsapi', code: 'SYSTEM_ERROR' })).status).toBe(200)
    expect(
      (await fault({ path: '/v3/pay/transactions/jsapi', code: 'FREQUENCY_LIMITED', httpStatus: 429 })).status,
    ).toBe(200)
    expect((await fault({ path: '/v3/pay/transactions/jsapi', errcode: -1 })).status).toBe(400)
    expect((await fault({ path: '/sns/jscode2session', code: 'SYSTEM_ERROR' })).status).toBe(400)
    expectV3Error(await jsapi(order()), 500, 'SYSTEM_ERROR', '系统错误')
    expectV3Error(await jsapi(order()), 429, 'FREQUENCY_LIMITED')
    expect((await jsapi(order())).status).toBe(200)
    const stats = await sim.get('/__control/stats')
    expect(stats.calls).toMatchObject({ '/v3/pay/transactions/jsapi': 3, '/v3/refund/domestic/refunds': 0 })

    const certificates = await v3(sim, 'GET', '/v3/certificates')
    expectV3Error(certificates, 404, 'RESOURCE_NOT_EXISTS')
    expectV3Error(await v3(sim, 'GET', '/v3/no/such/path'), 404, 'NOT_FOUND')
  })

  it('keeps the key pairs apart: the merchant key does not verify the platform’s signatures', async () => {
    const placed = await jsapi(order())
    const message = `${placed.headers.get('wechatpay-timestamp')}\n${placed.headers.get('wechatpay-nonce')}\n${placed.text}\n`
    const signature = Buffer.from(placed.headers.get('wechatpay-signature') ?? '', 'base64')
    expect(crypto.verify('sha256', Buffer.from(message), payKeys().merchant.publicKey, signature)).toBe(false)
    expect(crypto.verify('sha256', Buffer.from(message), payKeys().platform.publicKey, signature)).toBe(true)
  })
})
