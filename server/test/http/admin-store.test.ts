import type { OperatorRole } from '../../src/domain/operators'
import { caller, expectGuarded, signInOperator, type AdminSession } from '../admin-callers'
import { dialects, errorOf } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'
import { SAMPLE_ADDRESS as ADDRESS } from '../store-fixtures'

/**
 * The store's console routes (docs/store.md#the-console) against the real simulator: roles and
 * CSRF, validation refused with stable codes, the same domain calls as the CLI with audit rows
 * (before → after), a shipment uploaded once by the job, a CSV with bad lines, refunds bounded.
 */

jest.setTimeout(120000)

const PRODUCT = {
  slug: 'exam-2024-10',
  title: '【新品现货】2024年10月笔试考题解析+答题纸',
  cover: null,
  priceFen: 3700,
  originalPriceFen: 4800,
  kind: 'in_stock',
  shipDate: null,
  issuesCount: null,
  stock: 20,
  limitPerReader: 5,
  onShelf: true,
  sortOrder: 0,
  reason: '新书上架',
}

describe.each(dialects())('the store in the console on %s', (dialect) => {
  let s: PaymentStack
  const sessions: Partial<Record<OperatorRole, AdminSession>> = {}
  let call: ReturnType<typeof caller>
  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'xpay', {
      encrypted: true,
      env: { LOGIN_RATE_PER_IP: '100000', ORDERS_PER_READER: '100000', SHIPPING_UPLOAD_INTERVAL_MS: '0' },
    })
    for (const role of ['admin', 'finance', 'editor'] as const) sessions[role] = await signInOperator(s, role)
    call = caller(s, sessions)
  })
  afterAll(() => s.close())

  const put = (url: string, as: OperatorRole, payload: unknown) => {
    const session = sessions[as] as AdminSession
    return s.app.inject({
      method: 'PUT',
      url,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: payload as object,
    })
  }
  const audit = (target: string) =>
    s.db.kysely.selectFrom('admin_audit').selectAll().where('target', '=', target).orderBy('id').execute()
  const orderRow = (id: number) =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const shipmentRow = (id: number) =>
    s.db.kysely.selectFrom('shipments').selectAll().where('order_id', '=', id).executeTakeFirstOrThrow()
  let serial = 0
  const addProduct = async (fields: Record<string, unknown> = {}) => {
    serial += 1
    const answer = await call('POST', '/api/admin/store/products', {
      as: 'editor',
      payload: { ...PRODUCT, slug: `book-${serial}`, ...fields },
    })
    expect(answer.statusCode).toBe(200)
    return answer.json() as { id: number; title: string }
  }
  /** A reader buys and pays at the phone; resolves once the order is 待发货 */
  const paidOrder = (user: string, productId: number, quantity = 1) => s.buyGoods(user, productId, ADDRESS, quantity)

  it('guards every store route: 401 without a session, 403 for the wrong role and without CSRF', async () => {
    const reader = await s.login('store-guard')
    await expectGuarded(
      call,
      [
        ['GET', '/api/admin/store/products', 'editor', null],
        ['POST', '/api/admin/store/products', 'editor', 'finance', PRODUCT],
        ['POST', '/api/admin/store/products/1/stock', 'editor', 'finance', { change: 1, reason: 'x' }],
        ['GET', '/api/admin/store/awaiting', 'finance', 'editor'],
        ['GET', '/api/admin/store/shipments', 'finance', 'editor'],
        ['POST', '/api/admin/store/orders/1/ship', 'finance', 'editor', { company: 'SF', trackingNo: 'SF123456' }],
        ['POST', '/api/admin/store/ship-csv', 'finance', 'editor', { csv: '1,SF,SF123456' }],
        ['POST', '/api/admin/store/orders/1/retry-upload', 'finance', 'editor', { reason: 'x' }],
        ['POST', '/api/admin/store/orders/1/delivered', 'finance', 'editor', {}],
        ['POST', '/api/admin/store/trade-managed', 'finance', 'editor'],
      ],
      reader,
    )
    const session = sessions.finance as AdminSession
    const refused = await s.app.inject({
      method: 'PUT',
      url: '/api/admin/store/products/1',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      payload: { ...PRODUCT, stock: undefined },
    })
    expect(errorOf(refused)).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
  })

  it('adds, edits, shelves and restocks a product with the domain’s rules, each audited before → after', async () => {
    const made = await addProduct({ slug: 'preorder-2024-9', kind: 'preorder', shipDate: '2030-01-15', stock: 5 })
    expect(made).toMatchObject({ kind: 'preorder', shipDate: '2030-01-15', stock: 5, onShelf: true, sold: 0 })
    const [added] = await audit(`product:${made.id}`)
    expect(added).toMatchObject({ action: 'product.add', reason: '新书上架', operator_name: 'op-editor' })
    expect(JSON.parse(added?.after_json ?? '{}')).toMatchObject({ slug: 'preorder-2024-9', priceFen: 3700 })

    // The domain's own rules come back as 4xx with stable codes, never a 500.
    const invalid = async (fields: Record<string, unknown>) =>
      errorOf(await call('POST', '/api/admin/store/products', { as: 'editor', payload: { ...PRODUCT, ...fields } }))
    expect(await invalid({ slug: 'x-1', originalPriceFen: 100 })).toEqual([400, 'INVALID_PRODUCT'])
    expect(await invalid({ slug: 'x-2', kind: 'preorder' })).toEqual([400, 'INVALID_PRODUCT'])
    expect(await invalid({ slug: 'x-3', kind: 'subscription', issuesCount: null })).toEqual([400, 'INVALID_PRODUCT'])
    expect(await invalid({ slug: 'preorder-2024-9', kind: 'in_stock' })).toEqual([409, 'SLUG_TAKEN'])
    // The schema's limits: a price given as yuan, a long title, an unknown field, a bad slug.
    expect((await invalid({ slug: 'x-4', priceFen: 37.5 }))[0]).toBe(400)
    expect((await invalid({ slug: 'x-5', title: '书'.repeat(101) }))[0]).toBe(400)
    expect((await invalid({ slug: 'x-6', soldFen: 1 }))[0]).toBe(400)
    expect((await invalid({ slug: 'Bad Slug' }))[0]).toBe(400)
    expect((await invalid({ slug: 'x-7', stock: -1 }))[0]).toBe(400)
    expect((await invalid({ slug: 'x-8', reason: '' }))[0]).toBe(400)

    const { reason: _reason, stock: _stock, ...fields } = PRODUCT
    const edited = await put(`/api/admin/store/products/${made.id}`, 'editor', {
      ...fields,
      slug: 'preorder-2024-9',
      kind: 'subscription',
      issuesCount: 6,
      priceFen: 19800,
      originalPriceFen: null,
      onShelf: false,
      reason: '改为预定6期并下架',
    })
    expect(edited.statusCode).toBe(200)
    expect(edited.json()).toMatchObject({
      kind: 'subscription',
      issuesCount: 6,
      shipDate: null,
      stock: 5,
      onShelf: false,
    })
    const changes = await audit(`product:${made.id}`)
    expect(changes.map((row) => row.action)).toEqual(['product.add', 'product.shelf'])
    expect(JSON.parse(changes[1]?.before_json ?? '{}')).toMatchObject({
      kind: 'preorder',
      onShelf: true,
      priceFen: 3700,
    })
    expect(JSON.parse(changes[1]?.after_json ?? '{}')).toMatchObject({
      kind: 'subscription',
      onShelf: false,
      priceFen: 19800,
    })
    expect(errorOf(await put('/api/admin/store/products/999999', 'editor', { ...fields, reason: 'x' }))).toEqual([
      404,
      'PRODUCT_NOT_FOUND',
    ])

    const restock = (change: number) =>
      call('POST', `/api/admin/store/products/${made.id}/stock`, { as: 'admin', payload: { change, reason: '补货' } })
    expect((await restock(20)).json()).toMatchObject({ stock: 25 })
    expect(errorOf(await restock(-26))).toEqual([409, 'STOCK_CONFLICT'])
    expect(errorOf(await restock(0))).toEqual([400, 'INVALID_STOCK'])
    const stockRows = (await audit(`product:${made.id}`)).filter((row) => row.action === 'product.stock')
    expect(stockRows.map((row) => [JSON.parse(row.before_json ?? '{}'), JSON.parse(row.after_json ?? '{}')])).toEqual([
      [{ stock: 5 }, { stock: 25 }],
    ])
  })

  it('待发货 → 发货 in the console: the job uploads it once; the queue, shipments and order detail show it', async () => {
    const book = await addProduct()
    const order = await paidOrder('console-ship', book.id, 2)
    const queue = await call('GET', '/api/admin/store/awaiting', { as: 'finance' })
    expect(queue.statusCode).toBe(200)
    const body = queue.json()
    const item = body.items.find((entry: { orderId: number }) => entry.orderId === order.id)
    expect(item).toMatchObject({
      amountFen: 7400,
      overdue: false,
      short: false,
      reminders: 0,
      lines: [{ productId: book.id, quantity: 2, unitPriceFen: 3700 }],
      address: ADDRESS,
    })
    expect(body.companies).toContainEqual({ code: 'SF', name: '顺丰速运' })

    // Bad input: an unknown company, a bad tracking number, an over-long one, an unknown order.
    const ship = (id: number, payload: unknown, as: OperatorRole = 'finance') =>
      call('POST', `/api/admin/store/orders/${id}/ship`, { as, payload })
    expect(errorOf(await ship(order.id, { company: 'NOPE', trackingNo: 'ZT123456' }))).toEqual([
      400,
      'UNKNOWN_EXPRESS_COMPANY',
    ])
    expect(errorOf(await ship(order.id, { company: 'ZTO', trackingNo: 'ZT 12' }))).toEqual([400, 'INVALID_TRACKING_NO'])
    expect((await ship(order.id, { company: 'ZTO', trackingNo: 'Z'.repeat(65) })).statusCode).toBe(400)
    expect(errorOf(await ship(999999, { company: 'ZTO', trackingNo: 'ZT123456' }))).toEqual([404, 'ORDER_NOT_FOUND'])

    const shipped = await ship(order.id, { company: 'zto', trackingNo: 'ZT7407032196', reason: '仓库已出库' })
    expect(shipped.statusCode).toBe(200)
    expect(shipped.json()).toMatchObject({
      orderId: order.id,
      company: 'ZTO',
      companyName: '中通快递',
      status: 'pending',
    })
    expect(errorOf(await ship(order.id, { company: 'ZTO', trackingNo: 'ZT7407032196' }))).toEqual([
      409,
      'ORDER_NOT_SHIPPABLE',
    ])
    const [audited] = await audit(`order:${order.id}`)
    expect(audited).toMatchObject({ action: 'order.ship', reason: '仓库已出库', operator_name: 'op-finance' })
    expect(JSON.parse(audited?.after_json ?? '{}')).toEqual({
      status: 'fulfilled',
      company: 'ZTO',
      trackingNo: 'ZT7407032196',
    })

    const left = (await call('GET', '/api/admin/store/awaiting', { as: 'admin' })).json()
    expect(left.items.map((entry: { orderId: number }) => entry.orderId)).not.toContain(order.id)

    for (let i = 0; i < 3; i++) await s.app.services.shipping.runOnce()
    expect(await shipmentRow(order.id)).toMatchObject({ status: 'uploaded', attempts: 1, wechat_answer: 'ok' })
    const wechat = ((await s.control('/shipping')).orders as Array<{ outTradeNo: string; uploads: unknown[] }>).find(
      (entry) => entry.outTradeNo === order.outTradeNo,
    )
    expect(wechat?.uploads).toHaveLength(1)

    const uploaded = await call('GET', '/api/admin/store/shipments?status=uploaded', { as: 'finance' })
    expect(uploaded.json().items).toContainEqual(
      expect.objectContaining({
        orderId: order.id,
        status: 'uploaded',
        wechatAnswer: 'ok',
        trackingNo: 'ZT7407032196',
      }),
    )
    expect((await call('GET', '/api/admin/store/shipments?status=lost', { as: 'finance' })).statusCode).toBe(400)
    expect(
      errorOf(
        await call('POST', `/api/admin/store/orders/${order.id}/retry-upload`, {
          as: 'finance',
          payload: { reason: '再传' },
        }),
      ),
    ).toEqual([409, 'SHIPMENT_NOT_FAILED'])

    // 已签收: WeChat reminds the reader to confirm receipt, once; audited.
    for (const deliveredAt of ['yesterday', '2099-01-01T00:00:00+08:00'])
      expect(
        (
          await call('POST', `/api/admin/store/orders/${order.id}/delivered`, {
            as: 'finance',
            payload: { deliveredAt },
          })
        ).statusCode,
      ).toBe(400)
    const delivered = await call('POST', `/api/admin/store/orders/${order.id}/delivered`, {
      as: 'finance',
      payload: { reason: '快递已签收' },
    })
    expect(delivered.statusCode).toBe(200)
    expect(delivered.json().deliveredAt).not.toBeNull()
    expect(
      errorOf(await call('POST', `/api/admin/store/orders/${order.id}/delivered`, { as: 'finance', payload: {} })),
    ).toEqual([409, 'ALREADY_DELIVERED'])
    const deliveredAudit = await s.db.kysely
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'order.delivered')
      .where('target', '=', `order:${order.id}`)
      .execute()
    expect(deliveredAudit).toHaveLength(1)

    const detail = (await call('GET', `/api/admin/orders/${order.id}`, { as: 'finance' })).json()
    expect(detail.goods).toMatchObject({
      stage: 'shipped',
      address: ADDRESS,
      lines: [{ title: book.title, quantity: 2 }],
      shipment: { status: 'uploaded', company: 'ZTO' },
      refundableFen: 7400,
      partialRefund: true,
    })

    const products = (await call('GET', '/api/admin/store/products', { as: 'editor' })).json()
    expect(products.items.find((entry: { id: number }) => entry.id === book.id)).toMatchObject({
      sold: 2,
      revenueFen: 7400,
      stock: 18,
    })

    // is_trade_managed, asked and then shown with the queue
    const managed = await call('POST', '/api/admin/store/trade-managed', { as: 'finance', payload: {} })
    expect(managed.statusCode).toBe(200)
    expect((await call('GET', '/api/admin/store/awaiting', { as: 'finance' })).json().tradeManaged).toMatchObject({
      managed: managed.json().managed,
    })
  })

  it('a failed upload shows WeChat’s answer and 重新上传 queues it again, audited', async () => {
    const book = await addProduct()
    const order = await paidOrder('console-retry', book.id)
    expect(
      (
        await call('POST', `/api/admin/store/orders/${order.id}/ship`, {
          as: 'admin',
          payload: { company: 'YTO', trackingNo: 'YT123456789' },
        })
      ).statusCode,
    ).toBe(200)
    // WeChat refused it for good (as the job leaves a non-retriable refusal)
    await s.db.kysely
      .updateTable('shipments')
      .set({ status: 'failed', wechat_answer: '10060004 支付单不处于待发货状态', next_attempt_at: null })
      .where('order_id', '=', order.id)
      .execute()
    const failed = (await call('GET', '/api/admin/store/shipments?status=failed', { as: 'finance' })).json()
    expect(failed.items).toContainEqual(
      expect.objectContaining({ orderId: order.id, wechatAnswer: '10060004 支付单不处于待发货状态' }),
    )
    const retried = await call('POST', `/api/admin/store/orders/${order.id}/retry-upload`, {
      as: 'finance',
      payload: { reason: '已在微信后台核对' },
    })
    expect(retried.json()).toMatchObject({ status: 'pending', attempts: 0 })
    const rows = await audit(`order:${order.id}`)
    expect(rows.map((row) => row.action)).toEqual(['order.ship', 'order.ship_retry'])
    expect(JSON.parse(rows[1]?.before_json ?? '{}')).toMatchObject({ status: 'failed' })
    await s.app.services.shipping.runOnce()
    expect(await shipmentRow(order.id)).toMatchObject({ status: 'uploaded' })
  })

  it('批量发货 from a CSV: a report per line, bad lines do not stop the others', async () => {
    const book = await addProduct()
    const a = await paidOrder('console-csv-a', book.id)
    const b = await paidOrder('console-csv-b', book.id)
    const csv = [
      '\uFEFForder,company,tracking',
      `${a.id},SF,SF1234567890`,
      `${b.id},NOPE,123456`,
      'garbage',
      '',
      `${a.id},SF,SF1234567890`,
      `${b.id},yd,4312345678901`,
    ].join('\r\n')
    const answer = await call('POST', '/api/admin/store/ship-csv', {
      as: 'finance',
      payload: { csv, reason: '今日出库' },
    })
    expect(answer.statusCode).toBe(200)
    expect(answer.json()).toEqual({
      shipped: 2,
      refused: 3,
      lines: [
        expect.objectContaining({ line: 2, orderId: a.id, company: 'SF', shipped: true }),
        expect.objectContaining({ line: 3, orderId: b.id, shipped: false, code: 'UNKNOWN_EXPRESS_COMPANY' }),
        expect.objectContaining({ line: 4, orderId: null, shipped: false, code: 'NOT_ORDER_COMPANY_TRACKING' }),
        expect.objectContaining({ line: 6, orderId: a.id, shipped: false, code: 'ORDER_NOT_SHIPPABLE' }),
        expect.objectContaining({ line: 7, orderId: b.id, company: 'YD', shipped: true }),
      ],
    })
    expect(await shipmentRow(b.id)).toMatchObject({ express_company: 'YD', tracking_no: '4312345678901' })
    const rows = await audit(`order:${b.id}`)
    expect(rows).toEqual([expect.objectContaining({ action: 'order.ship', reason: '今日出库 (line 7)' })])
    // Limits: empty, too many lines, and not the finance role
    expect((await call('POST', '/api/admin/store/ship-csv', { as: 'finance', payload: { csv: '' } })).statusCode).toBe(
      400,
    )
    const tooMany = Array.from({ length: 5001 }, () => 'x').join('\n')
    expect(
      errorOf(await call('POST', '/api/admin/store/ship-csv', { as: 'finance', payload: { csv: tooMany } })),
    ).toEqual([400, 'CSV_TOO_LARGE'])
  })

  it('goods refunds from the order screen: in full before shipping, a part after, never above what was paid', async () => {
    const book = await addProduct()
    const refund = (id: number, payload: unknown) =>
      call('POST', `/api/admin/orders/${id}/refund`, { as: 'finance', payload })
    const unshipped = await paidOrder('console-refund-a', book.id, 2)
    const before = (await call('GET', `/api/admin/orders/${unshipped.id}`, { as: 'finance' })).json()
    expect(before.goods).toMatchObject({
      stage: 'awaiting_shipment',
      refundableFen: 7400,
      partialRefund: false,
      shipment: null,
    })
    expect(errorOf(await refund(unshipped.id, { reason: '读者取消', amountFen: 1000 }))).toEqual([
      409,
      'FULL_REFUND_BEFORE_SHIPPING',
    ])
    expect((await refund(unshipped.id, { reason: '读者取消', amountFen: 0 })).statusCode).toBe(400)
    expect((await refund(unshipped.id, { reason: '读者取消' })).statusCode).toBe(200)
    await s.waitFor(async () => (await orderRow(unshipped.id)).status === 'refunded')

    const shipped = await paidOrder('console-refund-b', book.id, 2)
    await s.app.services.shipping.ship({ orderId: shipped.id, company: 'EMS', trackingNo: 'EMS12345678' })
    expect((await refund(shipped.id, { reason: '一本破损', amountFen: 3700 })).statusCode).toBe(200)
    await s.waitFor(async () => (await orderRow(shipped.id)).refunded_fen === 3700)
    expect(errorOf(await refund(shipped.id, { reason: '再退', amountFen: 3701 }))).toEqual([409, 'REFUND_EXCEEDS_PAID'])
    const after = (await call('GET', `/api/admin/orders/${shipped.id}`, { as: 'finance' })).json()
    expect(after.goods).toMatchObject({ refundableFen: 3700, partialRefund: true })
    const [row] = (await audit(`order:${shipped.id}`)).filter((entry) => entry.action === 'order.refund')
    expect(JSON.parse(row?.after_json ?? '{}')).toMatchObject({ askedFen: 3700 })
    expect(JSON.parse(row?.before_json ?? '{}')).toMatchObject({ status: 'fulfilled', refundedFen: 0 })
  })
})
