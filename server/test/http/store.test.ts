import crypto from 'node:crypto'
import type { OrderRow } from '../../src/db/schema'
import type { ProductFields } from '../../src/domain/store'
import { dialects } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'
import { SAMPLE_ADDRESS as ADDRESS, bookFields } from '../store-fixtures'

/**
 * The store's books and magazines (docs/store.md): stock reserved atomically at checkout and
 * released once when an unpaid order closes, paid with WeChat Pay JSAPI into 待发货 exactly once,
 * prices from the server, 销售 and 浏览 counts, and hostile input refused with stable codes.
 */

jest.setTimeout(90000)

const DAY = 86400000

describe.each(dialects())('the store on %s', (dialect) => {
  let s: PaymentStack
  let serial = 0
  beforeAll(async () => {
    // VIP sells through virtual payment here: books still go through WeChat Pay JSAPI.
    s = await startPaymentStack(dialect, 'xpay', {
      encrypted: true,
      env: { LOGIN_RATE_PER_IP: '100000', ORDERS_PER_READER: '100000' },
    })
  })
  afterAll(() => s.close())

  const product = (fields: Partial<ProductFields> = {}) => {
    serial += 1
    return s.app.services.store.add(
      bookFields(`book-${serial}`, { originalPriceFen: 4800, stock: 10, ...fields }),
      Date.now(),
    )
  }
  const stock = async (id: number) =>
    (await s.db.kysely.selectFrom('products').select('stock').where('id', '=', id).executeTakeFirstOrThrow()).stock
  const row = (id: number): Promise<OrderRow> =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const events = async (id: number) =>
    (await s.db.kysely.selectFrom('ledger').select('event').where('order_id', '=', id).orderBy('id').execute()).map(
      (entry) => entry.event,
    )
  const checkout = (token: string | undefined, body: Record<string, unknown>) =>
    s.call('POST', '/api/store/orders', token, {
      quantity: 1,
      address: ADDRESS,
      platform: 'android',
      requestKey: crypto.randomBytes(8).toString('hex'),
      ...body,
    })
  const readers = (prefix: string, count: number) =>
    Promise.all(Array.from({ length: count }, (_, i) => s.login(`${prefix}-${i}`)))
  /** The reader pays at the phone (wx.requestPayment in the simulator) */
  const pay = (user: string, payment: { rail: string; wechatpay: Record<string, string> }) =>
    s.phone('/pay/jsapi', { user, ...payment.wechatpay, action: 'confirm' })

  it('50 readers buying the last 10 copies at once: exactly 10 orders, 10 paid, stock 0, nothing oversold', async () => {
    const book = await product({ stock: 10, limitPerReader: 1 })
    const tokens = await readers('rush', 50)
    const answers = await Promise.all(tokens.map((token) => checkout(token, { productId: book.id })))
    const won = answers.filter((answer) => answer.status === 200)
    const refused = answers.filter((answer) => answer.status !== 200)
    expect(won).toHaveLength(10)
    expect(refused).toHaveLength(40)
    for (const answer of refused) {
      expect(answer.status).toBe(409)
      expect(answer.body.error.code).toBe('SOLD_OUT')
      expect(answer.body.error.message).toContain('已售罄')
    }
    expect(await stock(book.id)).toBe(0)
    const lines = await s.db.kysely
      .selectFrom('order_lines')
      .select(['quantity', 'order_id'])
      .where('product_id', '=', book.id)
      .execute()
    expect(lines.map((line) => line.quantity)).toEqual(Array(10).fill(1))

    // Each winner pays; every order ends 待发货 and the shelf says 销售 10件.
    await Promise.all(
      answers.map(async (answer, i) => {
        if (answer.status !== 200) return
        expect(answer.body.payment.rail).toBe('wechatpay')
        expect((await pay(`rush-${i}`, answer.body.payment)).errMsg).toBe('requestPayment:ok')
      }),
    )
    await s.waitFor(async () => {
      const statuses = await Promise.all(lines.map(async (line) => (await row(line.order_id)).status))
      return statuses.every((status) => status === 'paid')
    })
    expect(await stock(book.id)).toBe(0)
    const listed = (await s.call('GET', '/api/store/products')).body.items.find(
      (item: { id: number }) => item.id === book.id,
    )
    expect(listed).toMatchObject({ sold: 10, stock: 0, soldOut: true, priceFen: 3700, originalPriceFen: 4800 })
  })

  it('a paid notification moves the order to 待发货 exactly once; the reader sees it with its lines and address', async () => {
    const book = await product({ stock: 5 })
    const token = await s.login('buyer')
    const created = await checkout(token, { productId: book.id, quantity: 2 })
    expect(created.status).toBe(200)
    const { order, payment } = created.body
    expect(order).toMatchObject({
      kind: 'goods',
      status: 'pending',
      rail: 'wechatpay',
      amountFen: 7400,
      goods: {
        stage: 'awaiting_payment',
        lines: [{ productId: book.id, title: book.title, unitPriceFen: 3700, quantity: 2 }],
        address: ADDRESS,
      },
    })
    expect(await stock(book.id)).toBe(3)

    // WeChat delivers the notification three times: one payment, one ledger row.
    await s.control('/notifications', { rail: 'pay', mode: 'duplicate', duplicates: 3 })
    expect((await pay('buyer', payment)).errMsg).toBe('requestPayment:ok')
    await s.waitFor(async () => (await row(order.id)).status === 'paid')
    await s.waitFor(async () => {
      const log = await s.control(`/notifications?out_trade_no=${order.outTradeNo}`)
      return log.deliveries.filter((entry: { result: string }) => entry.result === 'ok').length >= 3
    })
    expect(await events(order.id)).toEqual(['order_created', 'paid'])
    expect(await stock(book.id)).toBe(3)
    const paid = await row(order.id)
    expect(paid).toMatchObject({ status: 'paid', stock_held: 1, next_query_at: null, fulfilled_at: null })

    const detail = (await s.call('GET', `/api/orders/${order.id}`, token)).body
    expect(detail).toMatchObject({ kind: 'goods', status: 'paid', goods: { stage: 'awaiting_shipment' } })
    const list = (await s.call('GET', '/api/orders', token)).body.items
    expect(list.find((item: { id: number }) => item.id === order.id).goods.address).toEqual(ADDRESS)
    // Books are not a membership.
    expect((await s.call('GET', '/api/me', token)).body.membership.active).toBe(false)
    const queue = await s.app.services.goods.awaitingShipment()
    expect(queue.find((entry) => entry.order.id === order.id)).toMatchObject({ short: false, address: ADDRESS })
    // The sweep has nothing left to ask about it.
    await s.app.services.reconciler.runOnce()
    expect((await row(order.id)).status).toBe('paid')
  })

  it('the limit per reader counts orders paid or waiting to be paid, not closed ones', async () => {
    const book = await product({ stock: 20, limitPerReader: 2 })
    const token = await s.login('limited')
    const first = await checkout(token, { productId: book.id, quantity: 2 })
    expect(first.status).toBe(200)
    const more = await checkout(token, { productId: book.id, quantity: 1 })
    expect([more.status, more.body.error.code]).toEqual([409, 'LIMIT_EXCEEDED'])
    expect(more.body.error.message).toContain('每人限购 2 件')
    const other = await s.login('limited-other')
    const many = await checkout(other, { productId: book.id, quantity: 3 })
    expect([many.status, many.body.error.code]).toEqual([409, 'LIMIT_EXCEEDED'])
    expect(await stock(book.id)).toBe(18)
    // Cancelled: its copies no longer count, and they are back on the shelf.
    expect((await s.call('POST', `/api/orders/${first.body.order.id}/cancel`, token)).body.status).toBe('closed')
    expect(await stock(book.id)).toBe(20)
    expect((await checkout(token, { productId: book.id, quantity: 2 })).status).toBe(200)
  })

  it('an unpaid order that closes gives its copies back exactly once: cancel, expiry, the sweep again', async () => {
    const book = await product({ stock: 5 })
    const token = await s.login('closer')
    const cancelled = (await checkout(token, { productId: book.id, quantity: 2 })).body.order
    expect(await stock(book.id)).toBe(3)
    const closed = await Promise.all([
      s.call('POST', `/api/orders/${cancelled.id}/cancel`, token),
      s.call('POST', `/api/orders/${cancelled.id}/cancel`, token),
    ])
    expect(closed.map((answer) => answer.body.status)).toEqual(['closed', 'closed'])
    expect(await stock(book.id)).toBe(5)
    expect(await s.app.services.payments.close(await row(cancelled.id), 'admin')).toBe(false)
    expect(await stock(book.id)).toBe(5)
    expect(await events(cancelled.id)).toEqual(['order_created', 'closed'])

    const expiring = (await checkout(token, { productId: book.id, quantity: 3 })).body.order
    expect(await stock(book.id)).toBe(2)
    await s.db.kysely
      .updateTable('orders')
      .set({ expires_at: Date.now() - 1000, next_query_at: Date.now() - 1000 })
      .where('id', '=', expiring.id)
      .execute()
    await s.app.services.reconciler.runOnce()
    expect((await row(expiring.id)).status).toBe('closed')
    expect(await stock(book.id)).toBe(5)
    // Asked about again (a stale due date, another replica): nothing more comes back.
    await s.db.kysely
      .updateTable('orders')
      .set({ next_query_at: Date.now() - 1 })
      .where('id', '=', expiring.id)
      .execute()
    await s.app.services.reconciler.runOnce()
    expect(await stock(book.id)).toBe(5)
    expect((await row(expiring.id)).stock_held).toBe(0)
  })

  it('paid after it closed: the copies are taken again, or the order is paid but short; stock never below 0', async () => {
    const book = await product({ stock: 1, limitPerReader: 1 })
    const token = await s.login('late-payer')
    const { order, payment } = (await checkout(token, { productId: book.id })).body
    expect(await stock(book.id)).toBe(0)

    // The reader pays; WeChat's notification is slow to come.
    await s.control('/notifications', { rail: 'pay', mode: 'delay', delayMs: 4000 })
    expect((await pay('late-payer', payment)).errMsg).toBe('requestPayment:ok')
    // Meanwhile the sweep cannot read WeChat's answer and gives the order up: closed, copy released.
    await s.control('/pay/responses', { mode: 'bad_signature', count: 1 })
    await s.db.kysely
      .updateTable('orders')
      .set({ created_at: Date.now() - 3 * DAY, expires_at: Date.now() - 2 * DAY, next_query_at: Date.now() - 1 })
      .where('id', '=', order.id)
      .execute()
    await s.app.services.reconciler.runOnce()
    expect((await row(order.id)).status).toBe('closed')
    expect(await stock(book.id)).toBe(1)
    // Another reader buys the copy that came back.
    const rival = await s.login('late-rival')
    expect((await checkout(rival, { productId: book.id })).status).toBe(200)
    expect(await stock(book.id)).toBe(0)

    // The notification arrives: the money is real, so the order is paid, but nothing is oversold.
    await s.waitFor(async () => (await row(order.id)).status === 'paid', 15000)
    expect(await stock(book.id)).toBe(0)
    expect((await row(order.id)).stock_held).toBe(0)
    const paidRow = await s.db.kysely
      .selectFrom('ledger')
      .select('detail')
      .where('order_id', '=', order.id)
      .where('event', '=', 'paid')
      .executeTakeFirstOrThrow()
    expect(paidRow.detail).toContain('OUT OF STOCK')
    const queue = await s.app.services.goods.awaitingShipment()
    expect(queue.find((entry) => entry.order.id === order.id)?.short).toBe(true)

    // With a copy on the shelf, a late payment takes it again.
    const spare = await product({ stock: 2, limitPerReader: 1 })
    const again = (await checkout(token, { productId: spare.id })).body
    await s.control('/notifications', { rail: 'pay', mode: 'delay', delayMs: 4000 })
    expect((await pay('late-payer', again.payment)).errMsg).toBe('requestPayment:ok')
    await s.control('/pay/responses', { mode: 'bad_signature', count: 1 })
    await s.db.kysely
      .updateTable('orders')
      .set({ created_at: Date.now() - 3 * DAY, expires_at: Date.now() - 2 * DAY, next_query_at: Date.now() - 1 })
      .where('id', '=', again.order.id)
      .execute()
    await s.app.services.reconciler.runOnce()
    expect((await row(again.order.id)).status).toBe('closed')
    expect(await stock(spare.id)).toBe(2)
    await s.waitFor(async () => (await row(again.order.id)).status === 'paid', 15000)
    expect(await stock(spare.id)).toBe(1)
    expect((await row(again.order.id)).stock_held).toBe(1)
  })

  it('the price comes from the server: a client price is refused, and an order keeps the price it was made at', async () => {
    const book = await product({ priceFen: 19800, originalPriceFen: null, kind: 'subscription', issuesCount: 6 })
    const token = await s.login('pricer')
    const priced = await checkout(token, { productId: book.id, priceFen: 1 })
    expect([priced.status, priced.body.error.code]).toEqual([400, 'INVALID_BODY'])
    const withAmount = await checkout(token, { productId: book.id, amountFen: 1 })
    expect(withAmount.status).toBe(400)
    const made = (await checkout(token, { productId: book.id })).body.order
    expect(made.amountFen).toBe(19800)
    await s.app.services.store.update(`#${book.id}`, (fields) => ({ ...fields, priceFen: 100 }), Date.now())
    const again = (await s.call('GET', `/api/orders/${made.id}`, token)).body
    expect(again.amountFen).toBe(19800)
    expect(again.goods.lines[0].unitPriceFen).toBe(19800)
    const transactions = (await s.control('/payments')).pay.transactions
    expect(
      transactions.find((entry: { out_trade_no: string }) => entry.out_trade_no === made.outTradeNo).amount.total,
    ).toBe(19800)
  })

  it('a double tap makes one order and reserves once; a request key is not reused for something else', async () => {
    const book = await product({ stock: 4 })
    const token = await s.login('tapper')
    const body = { productId: book.id, quantity: 2, requestKey: 'store-double-tap-1' }
    const [a, b] = await Promise.all([checkout(token, body), checkout(token, body)])
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.body.order.id).toBe(b.body.order.id)
    expect(await stock(book.id)).toBe(2)
    // At the limit and the last copy, the twin still gets the same order rather than a refusal.
    const last = await product({ stock: 1, limitPerReader: 1 })
    const tight = { productId: last.id, quantity: 1, requestKey: 'store-double-tap-2' }
    const twins = await Promise.all([checkout(token, tight), checkout(token, tight), checkout(token, tight)])
    expect(twins.map((answer) => answer.status)).toEqual([200, 200, 200])
    expect(new Set(twins.map((answer) => answer.body.order.id)).size).toBe(1)
    expect(await stock(last.id)).toBe(0)
    const reused = await checkout(token, { ...body, quantity: 1 })
    expect([reused.status, reused.body.error.code]).toEqual([409, 'REQUEST_KEY_REUSED'])
    expect(await stock(book.id)).toBe(2)
  })

  it('销售 counts paid copies only (refunded ones not) and 浏览 one viewer per day', async () => {
    const book = await product({ stock: 10, kind: 'preorder', shipDate: '2026-12-20' })
    const [a, b] = await readers('counter', 2)
    const paidOrder = (await checkout(a, { productId: book.id, quantity: 2 })).body
    expect((await pay('counter-0', paidOrder.payment)).errMsg).toBe('requestPayment:ok')
    await s.waitFor(async () => (await row(paidOrder.order.id)).status === 'paid')
    await checkout(b, { productId: book.id, quantity: 3 }) // unpaid: not sold
    const refunded = (await checkout(b, { productId: book.id, quantity: 1 })).body
    expect((await pay('counter-1', refunded.payment)).errMsg).toBe('requestPayment:ok')
    await s.waitFor(async () => (await row(refunded.order.id)).status === 'paid')
    // A refund of goods is a later step of the store; its effect on the count is what matters here.
    await s.db.kysely.updateTable('orders').set({ status: 'refunded' }).where('id', '=', refunded.order.id).execute()

    const view = (token?: string) => s.call('GET', `/api/store/products/${book.id}`, token)
    const first = await view(a)
    expect(first.body).toMatchObject({ sold: 2, views: 1, kind: 'preorder', shipDate: '2026-12-20', stock: 4 })
    expect((await view(a)).body.views).toBe(1)
    expect((await view(b)).body.views).toBe(2)
    expect((await view()).body.views).toBe(3)
    expect((await view()).body.views).toBe(3)
    // The next day the same reader counts again.
    const tomorrow = await s.app.services.store.detail(book.id, 'u:tomorrow-test', Date.now())
    expect(tomorrow.views).toBe(4)
    expect((await s.app.services.store.detail(book.id, 'u:tomorrow-test', Date.now() + DAY)).views).toBe(5)
  })

  it('hostile input gets 4xx with stable codes, never a 500', async () => {
    const book = await product()
    const hidden = await product({ onShelf: false })
    const token = await s.login('hostile')
    const code = async (answer: Promise<{ status: number; body: { error?: { code: string } } }>) => {
      const { status, body } = await answer
      return [status, body.error?.code]
    }
    for (const quantity of [0, -1, 1e9, 1.5, 100, '1e309', null, 'two'])
      expect(await code(checkout(token, { productId: book.id, quantity }))).toEqual([400, 'INVALID_BODY'])
    for (const productId of [0, -5, 1e12, 'abc'])
      expect(await code(checkout(token, { productId }))).toEqual([400, 'INVALID_BODY'])
    expect(await code(checkout(token, { productId: 2147483647 }))).toEqual([404, 'PRODUCT_NOT_FOUND'])
    expect(await code(checkout(token, { productId: hidden.id }))).toEqual([409, 'PRODUCT_OFF_SHELF'])
    const huge = '很长'.repeat(300)
    for (const address of [
      { ...ADDRESS, userName: huge },
      { ...ADDRESS, detailInfo: huge },
      { ...ADDRESS, detailInfo: '第一行\n第二行' },
      { ...ADDRESS, telNumber: '12345' },
      { ...ADDRESS, telNumber: '1380013800a' },
      { ...ADDRESS, postalCode: '5100' },
      { ...ADDRESS, userName: '' },
      { ...ADDRESS, extra: 'field' },
      { userName: '张三' },
    ])
      expect(await code(checkout(token, { productId: book.id, address }))).toEqual([400, 'INVALID_BODY'])
    expect(
      await code(
        checkout(token, { productId: book.id, address: { ...ADDRESS, telNumber: '020-81167888', postalCode: '' } }),
      ),
    ).toEqual([200, undefined])
    expect(await code(checkout(token, { productId: book.id, requestKey: 'short' }))).toEqual([400, 'INVALID_BODY'])
    expect((await checkout(undefined, { productId: book.id })).status).toBe(401)
    const enormous = await checkout(token, {
      productId: book.id,
      address: { ...ADDRESS, detailInfo: 'x'.repeat(200000) },
    })
    expect([enormous.status, enormous.body.error.code]).toEqual([413, 'BODY_TOO_LARGE'])
    expect(await code(s.call('GET', '/api/store/products/999999'))).toEqual([404, 'PRODUCT_NOT_FOUND'])
    expect(await code(s.call('GET', `/api/store/products/${hidden.id}`))).toEqual([404, 'PRODUCT_NOT_FOUND'])
    expect(await code(s.call('GET', '/api/store/products/abc'))).toEqual([400, 'INVALID_PARAMETER'])
    expect(await code(s.call('GET', '/api/store/products/1e309'))).toEqual([400, 'INVALID_PARAMETER'])
    const listed = (await s.call('GET', '/api/store/products')).body.items.map((item: { id: number }) => item.id)
    expect(listed).toContain(book.id)
    expect(listed).not.toContain(hidden.id)
    expect(s.logs.text()).not.toMatch(/"statusCode":500/)
  })

  it('the operator CLI adds, prices, shelves and stocks products, each change audited', async () => {
    const cli = (...args: string[]) => s.admin('product', ...args)
    const added = await cli(
      'add',
      'shizheng-6',
      '--title',
      '2024预定【时政热点6期】',
      '--price',
      '198.00',
      '--kind',
      'subscription',
      '--issues',
      '6',
      '--stock',
      '30',
      '--limit',
      '2',
    )
    expect(added.stdout).toMatch(/^product #\d+ \(shizheng-6\) added, off the shelf/)
    expect(
      (await s.call('GET', '/api/store/products')).body.items.map((item: { slug: string }) => item.slug),
    ).not.toContain('shizheng-6')
    await cli('shelf', 'shizheng-6', 'on')
    await cli('update', 'shizheng-6', '--original', '238', '--title', '2024预定【时政热点6期】（含邮费）')
    expect((await cli('stock', 'shizheng-6', '-5')).stdout).toContain('stock 30 → 25')
    await expect(cli('stock', 'shizheng-6', '-26')).rejects.toMatchObject({ code: 1 })
    await expect(
      cli('add', 'bad', '--title', 'x', '--price', 'free', '--kind', 'in_stock', '--stock', '1'),
    ).rejects.toMatchObject({ code: 64 })
    await expect(
      cli('add', 'pre', '--title', 'x', '--price', '1', '--kind', 'preorder', '--stock', '1'),
    ).rejects.toMatchObject({ code: 1 })
    const item = (await s.call('GET', '/api/store/products')).body.items.find(
      (entry: { slug: string }) => entry.slug === 'shizheng-6',
    )
    expect(item).toMatchObject({
      title: '2024预定【时政热点6期】（含邮费）',
      priceFen: 19800,
      originalPriceFen: 23800,
      kind: 'subscription',
      issuesCount: 6,
      stock: 25,
      limitPerReader: 2,
    })
    expect((await cli('list')).stdout).toMatch(/shizheng-6 .* ¥198\.00 +stock +25 .* on shelf/)
    expect((await cli('awaiting')).stdout.length).toBeGreaterThan(0)
    const audit = await s.db.kysely
      .selectFrom('admin_audit')
      .select(['action', 'target', 'operator_name'])
      .where('target', '=', `product:${item.id}`)
      .orderBy('id')
      .execute()
    expect(audit.map((entry) => entry.action)).toEqual([
      'product.add',
      'product.shelf',
      'product.update',
      'product.stock',
    ])
    expect(audit.every((entry) => entry.operator_name.startsWith('cli:'))).toBe(true)
  })
})
