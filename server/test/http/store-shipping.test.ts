import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { OrderRow } from '../../src/db/schema'
import type { ProductFields } from '../../src/domain/store'
import { Shipping } from '../../src/domain/shipping'
import { ApiError } from '../../src/errors'
import { dialects } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'
import { SAMPLE_ADDRESS as ADDRESS, bookFields } from '../store-fixtures'

/**
 * Shipping goods orders through WeChat's 发货信息管理 (docs/store.md#shipping), against the real
 * simulator: one upload per shipment whatever fails or races, 已收货 only from WeChat's get_order,
 * preorders reported once, refunds of goods never above what was paid, hostile input refused.
 */

jest.setTimeout(120000)

const DAY = 86400000

/** Asia/Shanghai YYYY-MM-DD of a moment */
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10)

describe.each(dialects())('shipping goods orders on %s', (dialect) => {
  let s: PaymentStack
  let serial = 0
  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'xpay', {
      encrypted: true,
      env: { LOGIN_RATE_PER_IP: '100000', ORDERS_PER_READER: '100000', SHIPPING_UPLOAD_INTERVAL_MS: '0' },
    })
  })
  afterAll(() => s.close())

  const product = (fields: Partial<ProductFields> = {}) => {
    serial += 1
    return s.app.services.store.add(bookFields(`ship-${serial}`, { ...fields }), Date.now())
  }
  const row = (id: number): Promise<OrderRow> =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const shipment = (id: number) =>
    s.db.kysely.selectFrom('shipments').selectAll().where('order_id', '=', id).executeTakeFirstOrThrow()
  const stock = async (id: number) =>
    (await s.db.kysely.selectFrom('products').select('stock').where('id', '=', id).executeTakeFirstOrThrow()).stock
  /** What WeChat (the simulator) holds for an order */
  const atWeChat = async (outTradeNo: string) =>
    (
      (await s.control('/shipping')).orders as Array<{
        outTradeNo: string
        uploads: unknown[]
        specialReports: unknown[]
        state: number
      }>
    ).find((order) => order.outTradeNo === outTradeNo)
  /** A reader buys and pays at the phone; resolves once the order is 待发货 */
  const paidOrder = (user: string, productId: number, quantity = 1) => s.buyGoods(user, productId, ADDRESS, quantity)
  const ship = (orderId: number, company = 'ZTO', trackingNo = `ZT${crypto.randomInt(1e9, 9e9)}`) =>
    s.app.services.shipping.ship({ orderId, company, trackingNo })
  /** Makes every pending attempt due now: the back-off has passed */
  const timePasses = () =>
    s.db.kysely.updateTable('shipments').set({ next_attempt_at: 0 }).where('status', '=', 'pending').execute()

  it('ships in one transaction and uploads exactly once, however often the job runs', async () => {
    const book = await product()
    const { token, id, outTradeNo } = await paidOrder('ship-once', book.id, 2)
    await ship(id, 'SF', 'SF1234567890')
    expect(await row(id)).toMatchObject({ status: 'fulfilled' })
    expect(await shipment(id)).toMatchObject({ status: 'pending', express_company: 'SF', attempts: 0 })
    for (let i = 0; i < 5; i++) await s.app.services.shipping.runOnce()
    const uploaded = await shipment(id)
    expect(uploaded).toMatchObject({ status: 'uploaded', attempts: 1, wechat_answer: 'ok' })
    const wechat = await atWeChat(outTradeNo)
    expect(wechat?.state).toBe(2)
    expect(wechat?.uploads).toEqual([
      expect.objectContaining({
        tracking_no: 'SF1234567890',
        express_company: 'SF',
        // 顺丰 gets the receiver's phone, masked
        receiver_contact: '138****8000',
        item_desc: `${book.title}*2`,
      }),
    ])
    const seen = await s.call('GET', `/api/orders/${id}`, token)
    expect(seen.body.goods).toMatchObject({
      stage: 'shipped',
      shipment: { company: 'SF', companyName: '顺丰速运', trackingNo: 'SF1234567890', receivedAt: null },
    })
    // A second ship of the same order is refused and changes nothing.
    await expect(ship(id)).rejects.toMatchObject({ statusCode: 409, code: 'ORDER_NOT_SHIPPABLE' })
  })

  it('an upload WeChat refuses once is retried after its back-off and then never again', async () => {
    const book = await product()
    const { id, outTradeNo } = await paidOrder('ship-retry', book.id)
    await ship(id)
    await s.control('/shipping/fault', { kind: 'refused' })
    expect(await s.app.services.shipping.runOnce()).toMatchObject({ uploaded: 0, retrying: 1 })
    expect(await shipment(id)).toMatchObject({ status: 'pending', attempts: 1 })
    // Not due yet: the job leaves it alone.
    expect(await s.app.services.shipping.runOnce()).toMatchObject({ uploaded: 0, retrying: 0 })
    await timePasses()
    expect(await s.app.services.shipping.runOnce()).toMatchObject({ uploaded: 1 })
    for (let i = 0; i < 5; i++) {
      await timePasses()
      await s.app.services.shipping.runOnce()
    }
    expect(await shipment(id)).toMatchObject({ status: 'uploaded', attempts: 2 })
    expect((await atWeChat(outTradeNo))?.uploads).toHaveLength(1)
  })

  it('an order WeChat says is not shippable fails for the operator, and a lost answer is not uploaded twice', async () => {
    const book = await product()
    const refused = await paidOrder('ship-refused', book.id)
    await ship(refused.id)
    await s.control('/shipping/fault', { kind: 'not_shippable' })
    expect(await s.app.services.shipping.runOnce()).toMatchObject({ failed: 1 })
    expect(await shipment(refused.id)).toMatchObject({ status: 'failed' })
    expect((await shipment(refused.id)).wechat_answer).toContain('10060004')

    // The upload reached WeChat but its answer was lost (a crash): the retry asks get_order first.
    const lost = await paidOrder('ship-lost', book.id)
    await ship(lost.id)
    await s.app.services.shipping.runOnce()
    await s.db.kysely
      .updateTable('shipments')
      .set({ status: 'pending', next_attempt_at: 0 })
      .where('order_id', '=', lost.id)
      .execute()
    await s.app.services.shipping.runOnce()
    expect(await shipment(lost.id)).toMatchObject({ status: 'uploaded' })
    expect((await shipment(lost.id)).wechat_answer).toContain('already shipped at WeChat')
    expect((await atWeChat(lost.outTradeNo))?.uploads).toHaveLength(1)
  })

  it('two apps racing the job upload each shipment once', async () => {
    const book = await product()
    const orders = []
    for (let i = 0; i < 4; i++) orders.push(await paidOrder(`ship-race-${i}`, book.id))
    for (const order of orders) await ship(order.id)
    const services = s.app.services
    const other = new Shipping({
      db: s.db.kysely,
      log: services.log,
      clients: () => services.wechatClients(),
      mchid: services.config.WECHATPAY_MCHID,
      appid: services.config.WECHAT_APPID,
      intervalMs: 0,
      now: () => Date.now(),
    })
    for (let round = 0; round < 3; round++) await Promise.all([services.shipping.runOnce(), other.runOnce()])
    for (const order of orders) {
      expect(await shipment(order.id)).toMatchObject({ status: 'uploaded', attempts: 1 })
      expect((await atWeChat(order.outTradeNo))?.uploads).toHaveLength(1)
    }
  })

  it('已收货 only when WeChat says so: a forged confirm is refused, the settlement push marks it once', async () => {
    const book = await product()
    const { token, id, outTradeNo } = await paidOrder('ship-receive', book.id)
    const confirm = (who = token, orderId = id) => s.call('POST', `/api/store/orders/${orderId}/confirm-receipt`, who)
    expect(await confirm()).toMatchObject({ status: 409, body: { error: { code: 'NOT_SHIPPED' } } })
    await ship(id)
    await s.app.services.shipping.runOnce()
    // The client says 确认收货 but WeChat has not seen it: refused.
    expect(await confirm()).toMatchObject({ status: 409, body: { error: { code: 'NOT_RECEIVED' } } })
    expect((await shipment(id)).received_at).toBeNull()
    // Another reader cannot confirm it.
    const stranger = await s.login('ship-stranger')
    expect((await confirm(stranger)).status).toBe(404)

    // The reader confirms in WeChat's component: WeChat pushes trade_manage_order_settlement.
    await s.control('/shipping/confirm-receipt', { out_trade_no: outTradeNo })
    await s.waitFor(async () => (await shipment(id)).settled_at !== null)
    const received = await shipment(id)
    expect(received.received_at).not.toBeNull()
    // The same push again (WeChat retries) changes nothing.
    expect(await s.app.services.shipping.tradeEvent('settlement', { outTradeNo })).toBe('unchanged')
    expect(await shipment(id)).toMatchObject({ received_at: received.received_at, settled_at: received.settled_at })
    const answer = await confirm()
    expect(answer.status).toBe(200)
    expect(answer.body.goods).toMatchObject({ stage: 'completed', shipment: { receivedAt: received.received_at } })
  })

  it('已签收 asks WeChat to remind the reader once, only after WeChat took the shipment', async () => {
    const book = await product()
    const { id, outTradeNo } = await paidOrder('ship-delivered', book.id)
    const deliver = (at = Date.now()) => s.app.services.shipping.markDelivered(id, at)
    await expect(deliver()).rejects.toMatchObject({ code: 'NOT_SHIPPED' })
    await ship(id)
    await expect(deliver()).rejects.toMatchObject({ code: 'NOT_SHIPPED' })
    await s.app.services.shipping.runOnce()
    const shippedAt = Number((await shipment(id)).created_at)
    await expect(deliver(shippedAt - 1000)).rejects.toMatchObject({ code: 'INVALID_DELIVERY_TIME' })
    await expect(deliver(Date.now() + 3600000)).rejects.toMatchObject({ code: 'INVALID_DELIVERY_TIME' })

    // WeChat refuses once (busy): nothing is recorded, so the operator can try again.
    await s.control('/faults', { path: '/wxa/sec/order/notify_confirm_receive', errcode: -1, count: 1 })
    await expect(deliver()).rejects.toMatchObject({ code: 'WECHAT_BUSY' })
    expect((await shipment(id)).delivered_at).toBeNull()

    const deliveredAt = shippedAt + 1
    const row = await deliver(deliveredAt)
    expect(Number(row.delivered_at)).toBe(deliveredAt)
    expect((await atWeChat(outTradeNo)) as unknown).toMatchObject({ confirmReminders: 1 })
    // Once per order: a second 已签收 (another operator, a replica) never reaches WeChat.
    await expect(deliver()).rejects.toMatchObject({ code: 'ALREADY_DELIVERED' })
    expect((await atWeChat(outTradeNo)) as unknown).toMatchObject({ confirmReminders: 1 })
    // The reader confirms; 已签收 after that is refused as received.
    await s.control('/shipping/confirm-receipt', { out_trade_no: outTradeNo })
    await s.waitFor(async () => (await shipment(id)).received_at !== null)
    await s.db.kysely.updateTable('shipments').set({ delivered_at: null }).where('order_id', '=', id).execute()
    await expect(deliver()).rejects.toMatchObject({ code: 'ALREADY_RECEIVED' })
  })

  it('提醒发货 pushes are recorded and shown in the 待发货 queue', async () => {
    const book = await product()
    const { id, outTradeNo } = await paidOrder('ship-remind', book.id)
    await s.control('/shipping/remind', { out_trade_no: outTradeNo })
    await s.waitFor(async () =>
      Boolean(
        await s.db.kysely
          .selectFrom('shipping_reminders')
          .select('count')
          .where('order_id', '=', id)
          .executeTakeFirst(),
      ),
    )
    const queue = await s.app.services.goods.awaitingShipment(500)
    expect(queue.find((entry) => entry.order.id === id)).toMatchObject({ reminders: 1 })
  })

  it('refunds of goods: in full before shipping (copies back), partial after, never above what was paid', async () => {
    const book = await product({ stock: 10 })
    const unshipped = await paidOrder('refund-before', book.id, 2)
    expect(await stock(book.id)).toBe(8)
    await expect(s.app.services.payments.refund(unshipped.id, '读者取消', 1000)).rejects.toMatchObject({
      statusCode: 409,
      code: 'FULL_REFUND_BEFORE_SHIPPING',
    })
    await s.app.services.payments.refund(unshipped.id, '读者取消')
    await s.waitFor(async () => (await row(unshipped.id)).status === 'refunded')
    expect(await row(unshipped.id)).toMatchObject({ refunded_fen: 7400, stock_held: 0 })
    expect(await stock(book.id)).toBe(10)
    // A refunded order cannot be shipped.
    await expect(ship(unshipped.id)).rejects.toMatchObject({ code: 'ORDER_NOT_SHIPPABLE' })

    const shipped = await paidOrder('refund-after', book.id, 2)
    await ship(shipped.id)
    await s.app.services.payments.refund(shipped.id, '一本破损', 5000)
    await s.waitFor(async () => (await row(shipped.id)).refunded_fen === 5000)
    expect(await row(shipped.id)).toMatchObject({ status: 'fulfilled', refund_amount_fen: null })
    // 5000 + 3000 > 7400: refused with a stable code, nothing sent to WeChat Pay.
    await expect(s.app.services.payments.refund(shipped.id, '再退', 3000)).rejects.toMatchObject({
      statusCode: 409,
      code: 'REFUND_EXCEEDS_PAID',
    })
    expect(await row(shipped.id)).toMatchObject({ status: 'fulfilled', refunded_fen: 5000 })
    await s.app.services.payments.refund(shipped.id, '余款', 2400)
    await s.waitFor(async () => (await row(shipped.id)).status === 'refunded')
    expect(await row(shipped.id)).toMatchObject({ refunded_fen: 7400 })
    const ledger = await s.db.kysely
      .selectFrom('ledger')
      .select(['event', 'amount_fen'])
      .where('order_id', '=', shipped.id)
      .where('event', 'in', ['refund_requested', 'partially_refunded', 'refunded'])
      .orderBy('id')
      .execute()
    expect(ledger).toEqual([
      { event: 'refund_requested', amount_fen: 5000 },
      { event: 'partially_refunded', amount_fen: -5000 },
      { event: 'refund_requested', amount_fen: 2400 },
      { event: 'refunded', amount_fen: -2400 },
    ])
    // Copies of a shipped order stay sold.
    expect(await stock(book.id)).toBe(8)
  })

  it('申请退款 by the reader: their own order, in full, only before it ships', async () => {
    const book = await product({ stock: 5 })
    const asked = (token: string, id: number) => s.call('POST', `/api/store/orders/${id}/refund`, token)

    const mine = await paidOrder('reader-refund', book.id, 2)
    expect(await stock(book.id)).toBe(3)
    // Another reader's order, or a VIP order of one's own, is not found: nothing is refunded.
    const other = await s.login('reader-refund-other')
    expect((await asked(other, mine.id)).body).toMatchObject({ error: { code: 'ORDER_NOT_FOUND' } })
    const vip = await s.buy('reader-refund-other', other, 'month')
    await s.waitFor(async () => (await row(vip.id)).status === 'fulfilled')
    expect((await asked(other, vip.id)).status).toBe(404)
    expect((await row(vip.id)).status).toBe('fulfilled')

    const answer = await asked(mine.token, mine.id)
    expect(answer.status).toBe(200)
    expect(answer.body.goods.stage).toBe('refunding')
    // A second tap while it is under way starts nothing new.
    expect((await asked(mine.token, mine.id)).body).toMatchObject({ error: { code: 'ORDER_NOT_REFUNDABLE' } })
    await s.waitFor(async () => (await row(mine.id)).status === 'refunded')
    expect(await row(mine.id)).toMatchObject({ refunded_fen: 7400, stock_held: 0 })
    expect(await stock(book.id)).toBe(5)
    const requested = await s.db.kysely
      .selectFrom('ledger')
      .select(['event', 'amount_fen', 'source'])
      .where('order_id', '=', mine.id)
      .where('event', '=', 'refund_requested')
      .execute()
    expect(requested).toEqual([{ event: 'refund_requested', amount_fen: 7400, source: 'client' }])

    // Shipped: the parcel is on its way, the refund is the publisher's call.
    const shipped = await paidOrder('reader-refund-late', book.id)
    await ship(shipped.id)
    expect((await asked(shipped.token, shipped.id)).body).toMatchObject({ error: { code: 'ALREADY_SHIPPED' } })
    expect((await row(shipped.id)).status).toBe('fulfilled')
  })

  it('a preorder shipping more than 15 days after payment is reported to WeChat once', async () => {
    const late = await product({ kind: 'preorder', shipDate: shanghaiDay(Date.now() + 40 * DAY) })
    const soon = await product({ kind: 'preorder', shipDate: shanghaiDay(Date.now() + 5 * DAY) })
    const reported = await paidOrder('preorder-late', late.id)
    const notReported = await paidOrder('preorder-soon', soon.id)
    for (let i = 0; i < 4; i++) await s.app.services.shipping.runOnce()
    expect((await atWeChat(reported.outTradeNo))?.specialReports).toEqual([expect.objectContaining({ type: 1 })])
    expect((await atWeChat(notReported.outTradeNo))?.specialReports ?? []).toEqual([])
    const rows = await s.db.kysely
      .selectFrom('special_order_reports')
      .selectAll()
      .where('order_id', 'in', [reported.id, notReported.id])
      .execute()
    expect(rows).toEqual([expect.objectContaining({ order_id: reported.id, status: 'reported', attempts: 1 })])
  })

  it('hostile input is refused with stable codes', async () => {
    const book = await product()
    const { token, id } = await paidOrder('ship-hostile', book.id)
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(ApiError)
      return { statusCode: (error as ApiError).statusCode, code: (error as ApiError).code }
    }
    expect(await refusal(ship(id, 'NOPE'))).toEqual({ statusCode: 400, code: 'UNKNOWN_EXPRESS_COMPANY' })
    expect(await refusal(ship(id, 'ZTO', 'Z'.repeat(200)))).toEqual({ statusCode: 400, code: 'INVALID_TRACKING_NO' })
    expect(await refusal(ship(id, 'ZTO', 'ZT 1<script>'))).toEqual({ statusCode: 400, code: 'INVALID_TRACKING_NO' })
    expect(await refusal(ship(99999999))).toEqual({ statusCode: 404, code: 'ORDER_NOT_FOUND' })
    expect((await row(id)).status).toBe('paid')

    const vip = await s.buy('ship-hostile', token, 'month')
    await s.waitFor(async () => (await row(vip.id)).status === 'fulfilled')
    expect(await refusal(ship(vip.id))).toEqual({ statusCode: 409, code: 'NOT_GOODS_ORDER' })
    expect(await refusal(s.app.services.payments.refund(vip.id, 'x', 100))).toEqual({
      statusCode: 409,
      code: 'PARTIAL_REFUND_UNSUPPORTED',
    })
    expect(await s.call('POST', `/api/store/orders/${vip.id}/confirm-receipt`, token)).toMatchObject({
      status: 409,
      body: { error: { code: 'NOT_GOODS_ORDER' } },
    })
    expect((await s.call('POST', '/api/store/orders/abc/confirm-receipt', token)).status).toBe(400)
    expect((await s.call('POST', `/api/store/orders/${id}/confirm-receipt`)).status).toBe(401)
  })

  it('the operator ships from a CSV: a bad line is reported and the others ship; everything audited', async () => {
    const book = await product()
    const a = await paidOrder('csv-a', book.id)
    const b = await paidOrder('csv-b', book.id)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ship-csv-'))
    const file = path.join(dir, 'parcels.csv')
    fs.writeFileSync(
      file,
      [
        'order,company,tracking',
        `${a.id},YTO,YT7407032196699`,
        `${b.id},NOPE,123456`,
        'garbage',
        `${b.id},yd,4312345678901`,
      ].join('\n'),
    )
    const cli = (...args: string[]) => s.admin('product', ...args)
    const run = await cli('ship-csv', file).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    )
    fs.rmSync(dir, { recursive: true, force: true })
    expect(run?.code).toBe(1)
    expect(run?.stdout).toContain(`line 2: order ${a.id} shipped (YTO YT7407032196699)`)
    expect(run?.stdout).toContain(`line 3: order ${b.id} refused: UNKNOWN_EXPRESS_COMPANY`)
    expect(run?.stdout).toContain('line 4: refused: not "orderId,company,tracking"')
    expect(run?.stdout).toContain(`line 5: order ${b.id} shipped (YD 4312345678901)`)
    expect(await shipment(a.id)).toMatchObject({ express_company: 'YTO', status: 'pending' })
    expect(await shipment(b.id)).toMatchObject({ express_company: 'YD' })
    expect((await cli('upload')).stdout).toMatch(/uploaded [1-9]/)
    expect(await shipment(b.id)).toMatchObject({ status: 'uploaded' })
    expect((await cli('trade-managed')).stdout).toContain('under 发货信息管理')
    await expect(cli('refund', String(a.id), '--amount', '1.00')).rejects.toMatchObject({ code: 64 })
    expect((await cli('refund', String(a.id), '--amount', '10.00', '--reason', '破损补偿')).stdout).toContain(
      'requested',
    )
    const audit = await s.db.kysely
      .selectFrom('admin_audit')
      .select('action')
      .where('target', 'in', [`order:${a.id}`, `order:${b.id}`])
      .orderBy('id')
      .execute()
    expect(audit.map((entry) => entry.action)).toEqual(['order.ship', 'order.ship', 'order.refund'])
  })
})
