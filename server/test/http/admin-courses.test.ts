import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { OperatorRole } from '../../src/domain/operators'
import { caller, expectGuarded, signInOperator, type AdminSession } from '../admin-callers'
import {
  courseId,
  importSampleCourses,
  lessonIds,
  SALE_COURSE_SLUG,
  SAMPLE_COURSES_DIR,
  VIP_COURSE_SLUG,
} from '../course-fixtures'
import { dialects, errorOf } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'

/**
 * Courses in the console and the admin CLI (docs/courses.md#the-console-and-the-cli), against the
 * real simulator: roles and CSRF, the counts after a real purchase and its refund, changes audited
 * before → after in the operator's name, validation refused with stable codes, and the CLI's
 * `course …` commands on the same CourseDesk.
 */

jest.setTimeout(180000)

type Course = {
  id: number
  slug: string
  title: string
  access: string
  priceFen: number | null
  originalPriceFen: number | null
  onShelf: boolean
  lessonCount: number
  durationSeconds: number
  previewCount: number
  purchases: number
  revenueFen: number
  learners: number
  productId: string | null
}

describe.each(dialects())('courses in the console on %s', (dialect) => {
  let s: PaymentStack
  const sessions: Partial<Record<OperatorRole, AdminSession>> = {}
  let call: ReturnType<typeof caller>
  let sale = 0
  let vip = 0

  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'xpay', {
      env: { LOGIN_RATE_PER_IP: '100000', ORDERS_PER_READER: '100000' },
    })
    await importSampleCourses(s)
    sale = await courseId(s.db, SALE_COURSE_SLUG)
    vip = await courseId(s.db, VIP_COURSE_SLUG)
    for (const role of ['admin', 'finance', 'editor'] as const) sessions[role] = await signInOperator(s, role)
    call = caller(s, sessions)
  })
  afterAll(() => s.close())

  const patch = (id: number, as: OperatorRole, payload: unknown) =>
    call('PATCH', `/api/admin/courses/${id}`, { as, payload })
  const courses = async (as: OperatorRole = 'editor'): Promise<Course[]> => {
    const answer = await call('GET', '/api/admin/courses', { as })
    expect(answer.statusCode).toBe(200)
    return answer.json().items
  }
  const course = async (id: number) => (await courses()).find((item) => item.id === id) as Course
  const audit = (id: number) =>
    s.db.kysely.selectFrom('admin_audit').selectAll().where('target', '=', `course:${id}`).orderBy('id').execute()
  const status = async (id: number) =>
    (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
  const shelf = async (token?: string) =>
    ((await s.call('GET', '/api/courses', token)).body.items as { id: number }[]).map((item) => item.id)

  /** A reader buys the course sold alone at the phone; resolves with the fulfilled order */
  async function buy(user: string): Promise<{ token: string; orderId: number; amountFen: number }> {
    const token = await s.login(user)
    const created = await s.call('POST', `/api/courses/${sale}/orders`, token, {
      platform: 'android',
      requestKey: crypto.randomBytes(8).toString('hex'),
    })
    expect(created.status).toBe(200)
    const { order, payment } = created.body
    expect(JSON.parse(payment.xpay.signData).productId).toBe(`course_${sale}`)
    const paid = await s.phone('/xpay/pay', { user, ...payment.xpay, action: 'confirm' })
    expect(paid.errMsg).toMatch(/:ok$/)
    await s.waitFor(async () => (await status(order.id)) === 'fulfilled')
    return { token, orderId: order.id, amountFen: order.amountFen }
  }

  it('guards every course route: 401 without a session, 403 for the wrong role and without CSRF', async () => {
    const reader = await s.login('courses-guard')
    await expectGuarded(
      call,
      [
        ['GET', '/api/admin/courses', 'editor', null],
        ['PATCH', `/api/admin/courses/${sale}`, 'editor', 'finance', { onShelf: true }],
        ['PATCH', `/api/admin/courses/${sale}`, 'finance', 'editor', { priceFen: 2990, reason: '核价' }],
        ['GET', `/api/admin/courses/${sale}/grants`, 'finance', 'editor'],
      ],
      reader,
    )
    // Text and price at once needs both roles: only an admin has them.
    const both = { title: '结构化面试精讲', priceFen: 2990, reason: '核价' }
    expect(errorOf(await patch(sale, 'editor', both))).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
    expect(errorOf(await patch(sale, 'finance', both))).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
    expect((await patch(sale, 'admin', both)).statusCode).toBe(200)
    // Nothing changed, so nothing was written or audited.
    expect(await audit(sale)).toEqual([])

    const doc = (await s.app.inject({ method: 'GET', url: '/docs/json' })).json()
    expect(Object.keys(doc.paths['/api/admin/courses/{id}'])).toContain('patch')
    expect(doc.paths['/api/admin/courses/{id}/grants'].get).toBeDefined()
    expect(doc.paths['/api/admin/courses'].get).toBeDefined()
  })

  it('lists every course with its lessons, and counts a real purchase, its learner and its refund', async () => {
    const lessons = await s.db.kysely.selectFrom('course_lessons').selectAll().where('course_id', '=', sale).execute()
    expect(await course(sale)).toMatchObject({
      slug: SALE_COURSE_SLUG,
      title: '结构化面试精讲',
      access: 'sale',
      priceFen: 2990,
      originalPriceFen: 4900,
      onShelf: true,
      lessonCount: 3,
      previewCount: lessons.filter((lesson) => lesson.preview === 1).length,
      durationSeconds: lessons.reduce((sum, lesson) => sum + lesson.duration_seconds, 0),
      purchases: 0,
      revenueFen: 0,
      learners: 0,
      productId: `course_${sale}`,
    })
    expect(await course(vip)).toMatchObject({ access: 'vip', priceFen: null, lessonCount: 4, productId: null })

    const buyer = await buy('course-console-buyer')
    expect(buyer.amountFen).toBe(2990)
    // A second reader only watches the 试看 lesson: a learner too, not a buyer.
    const [preview, second] = await lessonIds(s.db, SALE_COURSE_SLUG)
    const watcher = await s.login('course-console-watcher')
    const save = (token: string, lesson: number) =>
      s.call('PUT', `/api/courses/lessons/${lesson}/progress`, token, { positionSeconds: 3 })
    expect((await save(buyer.token, second as number)).status).toBe(200)
    expect((await save(buyer.token, preview as number)).status).toBe(200)
    expect((await save(watcher, preview as number)).status).toBe(200)
    expect(await course(sale)).toMatchObject({ purchases: 1, revenueFen: 2990, learners: 2 })
    expect(await course(vip)).toMatchObject({ purchases: 0, revenueFen: 0, learners: 0 })

    const grants = await call('GET', `/api/admin/courses/${sale}/grants`, { as: 'finance' })
    expect(grants.json()).toEqual({
      course: { id: sale, slug: SALE_COURSE_SLUG, title: '结构化面试精讲' },
      items: [
        expect.objectContaining({
          orderId: buyer.orderId,
          amountFen: 2990,
          refundedFen: 0,
          status: 'fulfilled',
          rail: 'xpay',
          revokedAt: null,
        }),
      ],
    })

    // 订单 shows what the order bought: 视频课程 and the course's title.
    const listed = (await call('GET', '/api/admin/orders?planId=course', { as: 'finance' })).json().items
    expect(listed).toEqual([
      expect.objectContaining({
        id: buyer.orderId,
        kind: 'course',
        planName: '视频课程',
        course: { id: sale, title: '结构化面试精讲' },
      }),
    ])
    const detail = (await call('GET', `/api/admin/orders/${buyer.orderId}`, { as: 'finance' })).json()
    expect(detail.order).toMatchObject({ kind: 'course', course: { id: sale, title: '结构化面试精讲' } })
    expect(detail.goods).toBeUndefined()
    const csv = await call('GET', '/api/admin/orders.csv?planId=course', { as: 'finance' })
    expect(csv.body).toContain('视频课程《结构化面试精讲》')

    // The existing refund route closes the course: the counts drop, the grant is revoked.
    const refund = await call('POST', `/api/admin/orders/${buyer.orderId}/refund`, {
      as: 'finance',
      payload: { reason: '读者误购' },
    })
    expect(refund.statusCode).toBe(200)
    await s.waitFor(async () => (await status(buyer.orderId)) === 'refunded')
    expect(await course(sale)).toMatchObject({ purchases: 0, revenueFen: 0, learners: 2 })
    const after = (await call('GET', `/api/admin/courses/${sale}/grants`, { as: 'admin' })).json()
    expect(after.items).toEqual([expect.objectContaining({ orderId: buyer.orderId, status: 'refunded' })])
    expect(after.items[0].revokedAt).toEqual(expect.any(String))
  })

  it('editors change the shelf and the text, finance the price, each audited before → after', async () => {
    const before = (await audit(sale)).length
    const reader = await s.login('course-console-reader')
    expect(await shelf(reader)).toContain(sale)

    const off = await patch(sale, 'editor', { onShelf: false })
    expect(off.statusCode).toBe(200)
    expect(off.json()).toMatchObject({ id: sale, onShelf: false })
    expect(await shelf(reader)).not.toContain(sale)
    expect((await s.call('GET', `/api/courses/${sale}`, reader)).status).toBe(404)

    const text = await patch(sale, 'editor', { title: '  结构化面试精讲（2025版） ', subtitle: '', sortOrder: 5 })
    expect(text.json()).toMatchObject({ title: '结构化面试精讲（2025版）', subtitle: '', onShelf: false })
    expect(errorOf(await patch(sale, 'editor', { priceFen: 3990, reason: '调价' }))).toEqual([
      403,
      'ADMIN_ROLE_REQUIRED',
    ])
    expect(errorOf(await patch(sale, 'finance', { priceFen: 3990 }))).toEqual([400, 'REASON_REQUIRED'])
    expect(errorOf(await patch(sale, 'finance', { priceFen: 3990, reason: '  ' }))).toEqual([400, 'REASON_REQUIRED'])
    expect(errorOf(await patch(sale, 'finance', { priceFen: 5000, reason: '调价' }))).toEqual([400, 'INVALID_COURSE'])
    expect(errorOf(await patch(vip, 'finance', { priceFen: 100, reason: '调价' }))).toEqual([
      409,
      'COURSE_INCLUDED_IN_VIP',
    ])
    const priced = await patch(sale, 'finance', { priceFen: 3990, originalPriceFen: 5990, reason: '新版课程调价' })
    expect(priced.json()).toMatchObject({ priceFen: 3990, originalPriceFen: 5990, productId: `course_${sale}` })
    const on = await patch(sale, 'admin', { onShelf: true, reason: '新版上架' })
    expect(on.json()).toMatchObject({ onShelf: true })
    // The same again changes nothing and writes no row.
    expect((await patch(sale, 'editor', { onShelf: true })).statusCode).toBe(200)

    const rows = (await audit(sale)).slice(before)
    expect(rows.map((row) => [row.action, row.operator_name, row.reason])).toEqual([
      ['course.shelf', 'op-editor', ''],
      ['course.update', 'op-editor', ''],
      ['course.price', 'op-finance', '新版课程调价'],
      ['course.shelf', 'op-admin', '新版上架'],
    ])
    const sides = rows.map((row) => [JSON.parse(row.before_json ?? 'null'), JSON.parse(row.after_json ?? 'null')])
    expect(sides).toEqual([
      [{ onShelf: true }, { onShelf: false }],
      [
        { title: '结构化面试精讲', subtitle: '综合分析、组织管理、应急应变三类题', sortOrder: 2 },
        { title: '结构化面试精讲（2025版）', subtitle: '', sortOrder: 5 },
      ],
      [
        { priceFen: 2990, originalPriceFen: 4900 },
        { priceFen: 3990, originalPriceFen: 5990 },
      ],
      [{ onShelf: false }, { onShelf: true }],
    ])

    // Readers buy at the new price from now on.
    expect(await shelf(reader)).toContain(sale)
    const order = await s.call('POST', `/api/courses/${sale}/orders`, reader, {
      platform: 'android',
      requestKey: crypto.randomBytes(8).toString('hex'),
    })
    expect(order.body.order).toMatchObject({ amountFen: 3990, course: { title: '结构化面试精讲（2025版）' } })
    const cleared = await patch(sale, 'finance', { originalPriceFen: null, reason: '取消原价' })
    expect(cleared.json()).toMatchObject({ priceFen: 3990, originalPriceFen: null })
  })

  it('refuses bad input with a 4xx and a stable code', async () => {
    const bad = async (payload: unknown, id = sale) => errorOf(await patch(id, 'admin', payload))
    expect(await bad({})).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ reason: '只写原因' })).toEqual([400, 'NOTHING_TO_CHANGE'])
    expect(await bad({ title: '' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ title: '课'.repeat(101) })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ title: '   ' })).toEqual([400, 'INVALID_COURSE'])
    expect(await bad({ title: '第一行\n第二行' })).toEqual([400, 'INVALID_COURSE'])
    expect(await bad({ subtitle: '副'.repeat(201) })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ priceFen: 29.9, reason: 'x' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ priceFen: 0, reason: 'x' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ priceFen: 10_000_001, reason: 'x' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ priceFen: '1e309', reason: 'x' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ sortOrder: 1_000_001 })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ onShelf: 'yes' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ onShelf: true, access: 'vip' })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ onShelf: true, reason: '因'.repeat(201) })).toEqual([400, 'INVALID_BODY'])
    expect(await bad({ onShelf: true }, 2147483647)).toEqual([404, 'COURSE_NOT_FOUND'])
    expect(errorOf(await call('PATCH', '/api/admin/courses/abc', { as: 'admin', payload: { onShelf: true } }))).toEqual(
      [400, 'INVALID_PARAMETER'],
    )
    expect(errorOf(await call('GET', '/api/admin/courses/2147483648/grants', { as: 'admin' }))).toEqual([
      400,
      'INVALID_PARAMETER',
    ])
    expect(errorOf(await call('GET', '/api/admin/courses/999999/grants', { as: 'admin' }))).toEqual([
      404,
      'COURSE_NOT_FOUND',
    ])
  })

  it('the CLI lists, shelves, prices, shows grants and imports, audited as cli:<user>', async () => {
    const cli = (...args: string[]) => s.admin('course', ...args)
    const listed = (await cli('list')).stdout
    expect(listed).toContain(SALE_COURSE_SLUG)
    expect(listed).toMatch(new RegExp(`#${vip}\\s+${VIP_COURSE_SLUG}\\s+VIP`))
    expect(listed).toContain('单独购买 ¥39.90')

    expect((await cli('shelf', VIP_COURSE_SLUG, 'off', '--reason', '录制新版')).stdout).toContain('off the shelf')
    expect(await shelf()).not.toContain(vip)
    const priced = (await cli('price', String(sale), '19.9', '--original', 'none', '--reason', '限时促销')).stdout
    expect(priced).toContain('¥39.90')
    expect(priced).toContain(`course_${sale}`)
    expect(priced).toContain('¥19.90')
    expect(await course(sale)).toMatchObject({ priceFen: 1990, originalPriceFen: null })
    const grants = (await cli('grants', SALE_COURSE_SLUG)).stdout
    expect(grants).toMatch(/order \d+ .* revoked .*\(refunded\)/)
    expect(grants).toContain('1 grant(s), 0 active')

    const rows = await s.db.kysely
      .selectFrom('admin_audit')
      .selectAll()
      .where('operator_name', 'like', 'cli:%')
      .where('action', 'like', 'course.%')
      .orderBy('id')
      .execute()
    expect(rows.map((row) => [row.action, row.target, row.reason])).toEqual([
      ['course.shelf', `course:${vip}`, '录制新版'],
      ['course.price', `course:${sale}`, '限时促销'],
    ])
    // Only what changed: the 原价 was already gone.
    expect(JSON.parse(rows[1]?.before_json ?? '{}')).toEqual({ priceFen: 3990 })
    expect(JSON.parse(rows[1]?.after_json ?? '{}')).toEqual({ priceFen: 1990 })

    // Import one course folder (its name is the slug): a new course, on the shelf, audited.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'courses-cli-'))
    try {
      const folder = path.join(dir, 'mianshi-jichu')
      fs.cpSync(path.join(SAMPLE_COURSES_DIR, SALE_COURSE_SLUG), folder, { recursive: true })
      const imported = (await cli('import', folder, '--reason', '新课')).stdout
      expect(imported).toMatch(/mianshi-jichu: course #\d+ added, on the shelf, 单独购买 ¥29\.90/)
      const added = await courseId(s.db, 'mianshi-jichu')
      expect(await shelf()).toContain(added)
      expect((await audit(added)).map((row) => [row.action, row.reason, row.before_json])).toEqual([
        ['course.import', '新课', null],
      ])
      // A folder of course folders with a broken one: the good ones are imported, exit 1 with the problem.
      fs.mkdirSync(path.join(dir, 'broken'))
      fs.writeFileSync(path.join(dir, 'broken', 'course.yaml'), 'title: 缺课时\naccess: vip\n')
      const failed = await cli('import', dir).catch((error: { code: number; stdout: string; stderr: string }) => error)
      expect(failed).toMatchObject({ code: 1 })
      expect((failed as { stderr: string }).stderr).toContain('broken: lessons: 1-200')
      expect((failed as { stdout: string }).stdout).toMatch(/mianshi-jichu: course #\d+ updated from course\.yaml/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }

    for (const [args, code] of [
      [['shelf', SALE_COURSE_SLUG], 64],
      [['price', SALE_COURSE_SLUG, '19.9'], 64],
      [['price', SALE_COURSE_SLUG, '19,9', '--reason', 'x'], 64],
      [['import'], 64],
      [['price', VIP_COURSE_SLUG, '9', '--reason', 'x'], 1],
      [['grants', 'no-such-course'], 1],
    ] as const) {
      const refused = await cli(...args).catch((error: { code: number }) => error)
      expect([args.join(' '), (refused as { code?: number }).code]).toEqual([args.join(' '), code])
    }
  })
})
