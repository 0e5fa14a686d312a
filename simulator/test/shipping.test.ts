import { openidFor } from '../src/ids'
import { accessToken, APPID, startSim, type Json, type Sim } from './helpers'
import {
  MCHID,
  openPush,
  payOptions,
  startReceiver,
  v3,
  waitForDeliveries,
  XPAY_OK,
  xpayOptions,
  type Receiver,
} from './payments'

const OPENID = openidFor(APPID, 'alice')
const DAY_S = 86400

describe('发货信息管理 (order shipping)', () => {
  let sim: Sim
  let receiver: Receiver
  let token: string
  let n = 0

  beforeAll(async () => {
    receiver = await startReceiver(XPAY_OK)
    sim = await startSim({
      pay: payOptions(),
      xpay: xpayOptions(`${receiver.url}/api/wechat/message-push`, false),
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
    token = await accessToken(sim)
  })

  /** A WeChat Pay order, paid quietly; returns its numbers */
  const paid = async () => {
    n += 1
    const outTradeNo = `BK${Date.now()}${n}`
    const made = await v3(sim, 'POST', '/v3/pay/transactions/jsapi', {
      appid: APPID,
      mchid: MCHID,
      description: '北辰遴选-纸书',
      out_trade_no: outTradeNo,
      notify_url: `${receiver.url}/api/payments/wechat/notify`,
      amount: { total: 3700, currency: 'CNY' },
      payer: { openid: OPENID },
    })
    expect(made.status).toBe(200)
    const answer = await sim.post('/__control/pay', { rail: 'pay', out_trade_no: outTradeNo })
    return { outTradeNo, transactionId: (answer.transaction as Json).transaction_id as string }
  }
  const call = (path: string, body: unknown, withToken = token) =>
    sim.post(`/wxa/sec/order/${path}?access_token=${encodeURIComponent(withToken)}`, body)
  const upload = (transactionId: string, fields: Json = {}) =>
    call('upload_shipping_info', {
      order_key: { order_number_type: 2, transaction_id: transactionId },
      logistics_type: 1,
      delivery_mode: 1,
      shipping_list: [{ tracking_no: 'ZT123456789', express_company: 'ZTO', item_desc: '笔试考题解析*1' }],
      upload_time: '2026-01-01T10:00:00.000+08:00',
      payer: { openid: OPENID },
      ...fields,
    })
  const state = async (transactionId: string) =>
    ((await call('get_order', { transaction_id: transactionId })).order as Json).order_state

  it('takes one upload and one correction, then answers 10060003; get_order says 已发货', async () => {
    const { transactionId, outTradeNo } = await paid()
    expect(await state(transactionId)).toBe(1)
    expect(await upload(transactionId)).toEqual({ errcode: 0, errmsg: 'ok' })
    expect(await state(transactionId)).toBe(2)
    expect(await upload(transactionId, { upload_time: '2026-01-01T11:00:00.000+08:00' })).toEqual({
      errcode: 0,
      errmsg: 'ok',
    })
    expect((await upload(transactionId)).errcode).toBe(10060003)
    // By mchid + out_trade_no too
    const byMerchant = await call('get_order', { merchant_id: MCHID, merchant_trade_no: outTradeNo })
    expect(byMerchant.order).toMatchObject({ order_state: 2, merchant_trade_no: outTradeNo, paid_amount: 3700 })
  })

  it('refuses unknown orders, another payer, SF without a masked contact, a bad token', async () => {
    const { transactionId } = await paid()
    expect((await upload('4200000000000000000000000000')).errcode).toBe(10060001)
    expect((await upload(transactionId, { payer: { openid: openidFor(APPID, 'bob') } })).errcode).toBe(10060031)
    const sf = (contact?: string) =>
      upload(transactionId, {
        shipping_list: [
          {
            tracking_no: 'SF123',
            express_company: 'SF',
            item_desc: '书',
            ...(contact ? { contact: { receiver_contact: contact } } : {}),
          },
        ],
      })
    expect((await sf()).errcode).toBe(47001)
    expect((await sf('13912345678')).errcode).toBe(47001)
    expect((await sf('139****5678')).errcode).toBe(0)
    expect((await call('get_order', { transaction_id: '4200000000000000000000000001' })).errcode).toBe(10060001)
    expect((await call('is_trade_managed', { appid: APPID }, 'bad-token')).errcode).toBe(40001)
  })

  it('named faults: refused, not shippable, duplicate', async () => {
    const { transactionId } = await paid()
    await sim.post('/__control/shipping/fault', { kind: 'refused' })
    await sim.post('/__control/shipping/fault', { kind: 'not_shippable' })
    await sim.post('/__control/shipping/fault', { kind: 'duplicate' })
    expect((await upload(transactionId)).errcode).toBe(-1)
    expect((await upload(transactionId)).errcode).toBe(10060004)
    expect((await upload(transactionId)).errcode).toBe(10060003)
    expect(await state(transactionId)).toBe(1)
    expect((await upload(transactionId)).errcode).toBe(0)
  })

  it('confirm-receipt moves the order to 确认收货 and pushes trade_manage_order_settlement; 提醒发货 pushes too', async () => {
    const { transactionId, outTradeNo } = await paid()
    expect((await sim.fetch('/__control/shipping/confirm-receipt', post({ out_trade_no: outTradeNo }))).status).toBe(
      400,
    )
    await upload(transactionId)
    expect((await call('notify_confirm_receive', { transaction_id: transactionId, received_time: 1 })).errcode).toBe(0)
    expect(await sim.post('/__control/shipping/confirm-receipt', { out_trade_no: outTradeNo })).toEqual({
      order_state: 3,
    })
    expect(await state(transactionId)).toBe(3)
    expect((await upload(transactionId)).errcode).toBe(10060004)
    await sim.post('/__control/shipping/remind', { transaction_id: transactionId })
    const deliveries = await waitForDeliveries(sim, 2, { rail: 'xpay' })
    expect(deliveries.map((entry) => entry.event).sort()).toEqual([
      'trade_manage_order_settlement',
      'trade_manage_remind_shipping',
    ])
    // Signed with the 消息推送 Token like every push
    const settlement = receiver.received
      .filter((entry) => entry.url.includes('message-push'))
      .map((entry) => openPush(entry, false))
      .find((message) => message.Event === 'trade_manage_order_settlement')
    expect(settlement).toMatchObject({
      MsgType: 'event',
      transaction_id: transactionId,
      merchant_trade_no: outTradeNo,
      merchant_id: MCHID,
      confirm_receive_method: 1,
    })
  })

  it('opspecialorder takes a preorder 15–330 days out, once it is paid and not shipped', async () => {
    const { transactionId } = await paid()
    const now = Math.floor(Date.now() / 1000)
    const report = (fields: Json) => call('opspecialorder', { order_id: transactionId, type: 1, ...fields })
    expect((await call('opspecialorder', { order_id: transactionId, type: 3 })).errcode).toBe(268546000)
    expect((await report({ delay_to: now + 5 * DAY_S })).errcode).toBe(268546001)
    expect((await report({ delay_to: now + 400 * DAY_S })).errcode).toBe(268546001)
    expect((await report({ delay_to: now + 40 * DAY_S })).errcode).toBe(0)
    expect((await call('opspecialorder', { order_id: 'nope', type: 1, delay_to: now })).errcode).toBe(268546002)
    const { orders } = await sim.get('/__control/shipping')
    expect((orders as Json[])[0]).toMatchObject({ specialReports: [{ type: 1, delayTo: now + 40 * DAY_S }] })
  })

  it('is_trade_managed answers what the control switch says', async () => {
    expect(await call('is_trade_managed', { appid: APPID })).toMatchObject({ errcode: 0, is_trade_managed: true })
    await sim.post('/__control/shipping/managed', { managed: false })
    expect(await call('is_trade_managed', { appid: APPID })).toMatchObject({ is_trade_managed: false })
    expect((await call('is_trade_managed', { appid: 'wx0000000000000bad' })).errcode).toBe(40013)
  })
})

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
