import crypto from 'node:crypto'
import type { PaymentRail } from '../../src/db/schema'
import { courseId, importSampleCourses, lessonIds, SALE_COURSE_SLUG, VIP_COURSE_SLUG } from '../course-fixtures'
import { dialects } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'

// A stack per case (a simulator, migrations, the sample content and courses): slow on a busy machine.
jest.setTimeout(90000)

const cases = dialects().flatMap((dialect) => (['xpay', 'wechatpay'] as PaymentRail[]).map((rail) => [dialect, rail]))

/**
 * Buying a course sold alone (docs/courses.md): a virtual good on the rail that sells VIP, priced by
 * the server, opened by the verified payment exactly once, closed again by its refund.
 */
describe.each(cases)('buying a course on %s over %s', (dialect, rail) => {
  let s: PaymentStack
  let saleCourse = 0
  let vipCourse = 0
  let paidLesson = 0

  const requestKey = () => crypto.randomBytes(8).toString('hex')
  const order = (token: string, course: number, key = requestKey(), extra: object = {}) =>
    s.call('POST', `/api/courses/${course}/orders`, token, { platform: 'android', requestKey: key, ...extra })
  const status = async (id: number) =>
    (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
  const pay = (user: string, payment: { rail: PaymentRail; xpay?: object; wechatpay?: object }) =>
    payment.rail === 'xpay'
      ? s.phone('/xpay/pay', { user, ...payment.xpay, action: 'confirm' })
      : s.phone('/pay/jsapi', { user, ...payment.wechatpay, action: 'confirm' })

  beforeAll(async () => {
    s = await startPaymentStack(dialect as 'sqlite' | 'postgres', rail as PaymentRail)
    await importSampleCourses(s)
    saleCourse = await courseId(s.db, SALE_COURSE_SLUG)
    vipCourse = await courseId(s.db, VIP_COURSE_SLUG)
    paidLesson = (await lessonIds(s.db, SALE_COURSE_SLUG))[1] as number
  })
  afterAll(() => s.close())

  it('sells the course at its own price, opens it once paid, and refunds it closed again', async () => {
    const token = await s.login('course-buyer')
    expect((await s.call('GET', `/api/courses/lessons/${paidLesson}/play`, token)).status).toBe(403)

    const key = requestKey()
    const created = await order(token, saleCourse, key)
    expect(created.status).toBe(200)
    const { order: made, payment } = created.body
    expect(made).toMatchObject({
      kind: 'course',
      amountFen: 2990,
      status: 'pending',
      rail,
      course: { id: saleCourse, title: '结构化面试精讲' },
    })
    if (payment.rail === 'xpay') expect(JSON.parse(payment.xpay.signData).productId).toBe(`course_${saleCourse}`)
    // A double tap, and a second tap with a new key while the first is unpaid, answer the same order.
    expect((await order(token, saleCourse, key)).body.order.id).toBe(made.id)
    expect((await order(token, saleCourse)).body.order.id).toBe(made.id)
    expect(
      (await s.call('POST', `/api/courses/${vipCourse}/orders`, token, { platform: 'android', requestKey: key }))
        .status,
    ).toBe(409)

    const paid = await pay('course-buyer', payment)
    expect(paid.errMsg).toMatch(/:ok$/)
    await s.waitFor(async () => (await status(made.id)) === 'fulfilled')
    const play = await s.call('GET', `/api/courses/lessons/${paidLesson}/play`, token)
    expect(play.status).toBe(200)
    expect(play.body.url).toContain('/api/media/course/course-jiegouhua-mianshi-lesson-2.mp4?sign=')
    const page = await s.call('GET', `/api/courses/${saleCourse}`, token)
    expect(page.body.entitled).toBe(true)
    expect((await s.call('GET', '/api/orders', token)).body.items[0]).toMatchObject({
      id: made.id,
      kind: 'course',
      status: 'fulfilled',
      course: { id: saleCourse, title: '结构化面试精讲' },
    })

    const again = await order(token, saleCourse)
    expect([again.status, again.body.error.code]).toEqual([409, 'COURSE_OWNED'])
    const grants = await s.db.kysely.selectFrom('course_grants').selectAll().where('order_id', '=', made.id).execute()
    expect(grants).toHaveLength(1)

    // Taken off the shelf, it is sold and shown to nobody new, and its buyer keeps it.
    const shelf = (on: number) =>
      s.db.kysely.updateTable('courses').set({ on_shelf: on }).where('id', '=', saleCourse).execute()
    await shelf(0)
    try {
      const stranger = await s.login('course-stranger')
      const listed = async (who: string) =>
        ((await s.call('GET', '/api/courses', who)).body.items as Array<{ id: number }>).some(
          (c) => c.id === saleCourse,
        )
      expect(await listed(stranger)).toBe(false)
      expect(await listed(token)).toBe(true)
      expect((await s.call('GET', `/api/courses/${saleCourse}`, stranger)).status).toBe(404)
      const preview = (await lessonIds(s.db, SALE_COURSE_SLUG))[0] as number
      expect((await s.call('GET', `/api/courses/lessons/${preview}/play`, stranger)).status).toBe(404)
      expect((await order(stranger, saleCourse)).status).toBe(404)
      expect((await s.call('GET', `/api/courses/${saleCourse}`, token)).body.entitled).toBe(true)
      expect((await s.call('GET', `/api/courses/lessons/${paidLesson}/play`, token)).status).toBe(200)
    } finally {
      await shelf(1)
    }

    await s.app.services.payments.refund(made.id, '读者申请退款')
    await s.waitFor(async () => (await status(made.id)) === 'refunded')
    expect((await s.call('GET', `/api/courses/lessons/${paidLesson}/play`, token)).status).toBe(403)
    expect((await s.call('GET', `/api/courses/${saleCourse}`, token)).body.entitled).toBe(false)
    const events = await s.db.kysely
      .selectFrom('ledger')
      .select('event')
      .where('order_id', '=', made.id)
      .orderBy('id')
      .execute()
    expect(events.map((row) => row.event)).toEqual([
      'order_created',
      'paid',
      'fulfilled',
      'refund_requested',
      'refunded',
    ])
  })

  it('refuses a course included in VIP, an unknown course and a signed-out buyer', async () => {
    const token = await s.login('course-refusals')
    const included = await order(token, vipCourse)
    expect([included.status, included.body.error.code]).toEqual([409, 'COURSE_INCLUDED_IN_VIP'])
    expect(included.body.error.message).toContain('VIP')
    const unknown = await order(token, 2147483647)
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'COURSE_NOT_FOUND'])
    expect((await order('', saleCourse)).status).toBe(401)
    for (const body of [
      { platform: 'android', requestKey: 'short' },
      { platform: 'android', requestKey: requestKey(), priceFen: 1 },
      { platform: 'symbian', requestKey: requestKey() },
    ])
      expect((await s.call('POST', `/api/courses/${saleCourse}/orders`, token, body)).status).toBe(400)
    expect((await s.call('GET', '/api/orders', token)).body.items).toEqual([])
  })

  it('opens the course exactly once when the payment is announced twice', async () => {
    const token = await s.login('course-twice')
    const created = await order(token, saleCourse)
    const { order: made, payment } = created.body
    await pay('course-twice', payment)
    await s.waitFor(async () => (await status(made.id)) === 'fulfilled')
    // The sweep asks WeChat about the same payment again: nothing more happens.
    const row = await s.db.kysely.selectFrom('orders').selectAll().where('id', '=', made.id).executeTakeFirstOrThrow()
    await s.app.services.payments.check(row, 'query')
    const fulfilled = await s.db.kysely
      .selectFrom('ledger')
      .select('id')
      .where('order_id', '=', made.id)
      .where('event', '=', 'fulfilled')
      .execute()
    expect(fulfilled).toHaveLength(1)
    const grants = await s.db.kysely
      .selectFrom('course_grants')
      .select('order_id')
      .where('order_id', '=', made.id)
      .execute()
    expect(grants).toHaveLength(1)
  })
})
