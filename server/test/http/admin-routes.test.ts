import fs from 'node:fs'
import type { OperatorRole } from '../../src/domain/operators'
import { dialects, errorOf, issueToken, SEED_ISSUE_FILE, type TestApp } from '../helpers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'
import {
  caller,
  expectGuarded,
  signInOperator,
  useAdminTestApp,
  type AdminSession as Session,
  type GuardedRoute,
} from '../admin-callers'

/**
 * The operator console's business routes (/api/admin/*): who may call what, and that each does
 * what the admin CLI and content:import do, through the same services.
 */

jest.setTimeout(60000)

const DAY = 86400000

/** A copy of the seed issue under another slug and number, with the given status */
function issueFile(slug: string, number: number, status = 'draft'): string {
  return fs
    .readFileSync(SEED_ISSUE_FILE, 'utf8')
    .replace(/^slug: .*$/m, `slug: ${slug}`)
    .replace(/^number: .*$/m, `number: ${number}`)
    .replace(/^author: (.*)$/m, `author: $1\nstatus: ${status}`)
}

describe.each(dialects())('operator console routes on %s', (dialect) => {
  const env = useAdminTestApp(dialect)
  const { call, auditRows } = env
  let t: TestApp
  beforeAll(() => {
    t = env.t
  })

  // [method, url, a role that may, a role that may not (null: every role may)]
  const routes: GuardedRoute[] = [
    ['GET', '/api/admin/dashboard', 'editor', null],
    ['GET', '/api/admin/orders', 'finance', 'editor'],
    ['GET', '/api/admin/orders/1', 'finance', 'editor'],
    ['POST', '/api/admin/orders/1/refund', 'finance', 'editor', { reason: 'test' }],
    ['GET', '/api/admin/readers?q=abc', 'editor', null],
    ['GET', '/api/admin/readers/1', 'editor', null],
    ['POST', '/api/admin/readers/1/vip', 'finance', 'editor', { days: 1, reason: 'test' }],
    ['GET', '/api/admin/issues', 'editor', 'finance'],
    ['POST', '/api/admin/issues/check', 'editor', 'finance', { markdown: 'x' }],
    ['POST', '/api/admin/issues/import', 'editor', 'finance', { markdown: 'x' }],
    ['POST', '/api/admin/issues/1/publish', 'editor', 'finance'],
    ['POST', '/api/admin/issues/1/unpublish', 'editor', 'finance'],
    ['GET', '/api/admin/audit', 'admin', 'finance'],
    ['GET', '/api/admin/reports/subscriptions', 'finance', null],
    ['GET', '/api/admin/reports/shares?days=7', 'editor', null],
  ]

  it('every route needs the session cookie, the role, and on POST the CSRF token; a reader token is nothing here', async () => {
    const reader = await issueToken(t.db, 'console-outsider')
    await expectGuarded(call, routes, reader.token)
    // Routes are in the OpenAPI document under the tag admin.
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    expect(doc.paths['/api/admin/dashboard'].get.tags).toEqual(['admin'])
  })

  it('bounds every body and query', async () => {
    expect(errorOf(await call('GET', '/api/admin/orders?limit=101', { as: 'finance' }))[0]).toBe(400)
    expect(errorOf(await call('GET', '/api/admin/orders?cursor=nonsense', { as: 'finance' }))).toEqual([
      400,
      'INVALID_CURSOR',
    ])
    expect(errorOf(await call('GET', '/api/admin/readers?q=', { as: 'editor' }))[0]).toBe(400)
    expect(
      errorOf(await call('POST', '/api/admin/readers/1/vip', { as: 'finance', payload: { days: 0, reason: 'x' } })),
    ).toEqual([400, 'INVALID_BODY'])
    expect(
      errorOf(await call('POST', '/api/admin/readers/1/vip', { as: 'finance', payload: { days: 3661, reason: 'x' } })),
    ).toEqual([400, 'INVALID_BODY'])
    expect(
      errorOf(await call('POST', '/api/admin/orders/1/refund', { as: 'finance', payload: { reason: 'x'.repeat(81) } })),
    ).toEqual([400, 'INVALID_BODY'])
    expect(
      errorOf(
        await call('POST', '/api/admin/issues/check', {
          as: 'editor',
          payload: { markdown: '北'.repeat(200 * 1024 + 1) },
        }),
      ),
    ).toEqual([400, 'INVALID_BODY'])
  })

  it('the dashboard counts a view and a paid order of today', async () => {
    const before = (await call('GET', '/api/admin/dashboard', { as: 'editor' })).json()
    expect(before.payments).toMatchObject({ rail: 'xpay', sells: false, safeMode: false })
    const reader = await issueToken(t.db, 'dashboard-reader')
    const issue = (await t.app.inject({ method: 'GET', url: '/api/issues' })).json().items[0]
    await t.app.inject({
      method: 'GET',
      url: `/api/issues/${issue.id}`,
      headers: { authorization: `Bearer ${reader.token}` },
    })
    await t.app.services.views.flush()
    // The app reports the paywall it showed (POST /api/events), counted once per viewer, issue and day.
    for (let i = 0; i < 2; i++) {
      const reported = await t.app.inject({
        method: 'POST',
        url: '/api/events',
        payload: { viewer: 'dashboard-viewer-0001', events: [{ step: 'paywall', issueId: issue.id }] },
      })
      expect(reported.statusCode).toBe(202)
    }
    const now = Date.now()
    const order = await t.db.kysely
      .insertInto('orders')
      .values({
        out_trade_no: `BCtest${now}`,
        user_id: reader.userId,
        plan_id: 'month',
        months: 1,
        amount_fen: 3000,
        rail: 'xpay',
        status: 'fulfilled',
        openid: 'openid-dashboard',
        platform: 'android',
        request_key: `dash-${now}`,
        created_at: now,
        expires_at: now + 3600000,
        paid_at: now,
        fulfilled_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.db.kysely
      .insertInto('ledger')
      .values({
        order_id: order.id,
        user_id: reader.userId,
        event: 'fulfilled',
        amount_fen: 3000,
        source: 'notification',
        detail: 'test',
        created_at: now,
      })
      .execute()
    const after = (await call('GET', '/api/admin/dashboard', { as: 'editor' })).json()
    for (const span of ['today', 'week'] as const) {
      expect(after[span]).toEqual({
        ...before[span],
        views: before[span].views + 1,
        paywall: before[span].paywall + 1,
        orders: before[span].orders + 1,
        paid: before[span].paid + 1,
        revenueFen: before[span].revenueFen + 3000,
        newVips: before[span].newVips + 1,
      })
    }
    // The order is listed for finance, newest first, with its ledger.
    const list = (await call('GET', `/api/admin/orders?userId=${reader.userId}`, { as: 'finance' })).json()
    expect(list.items.map((o: { id: number }) => o.id)).toEqual([order.id])
    const detail = (await call('GET', `/api/admin/orders/${order.id}`, { as: 'finance' })).json()
    expect(detail.order).toMatchObject({ planName: expect.any(String), refundedFen: 0, refundFailure: null })
    expect(detail.ledger.map((row: { event: string }) => row.event)).toEqual(['fulfilled'])
    expect(detail.notifications).toEqual([])
  })

  it('orders page with a cursor', async () => {
    const first = (await call('GET', '/api/admin/orders?limit=1', { as: 'admin' })).json()
    expect(first.items).toHaveLength(1)
    if (first.nextCursor) {
      const second = (await call('GET', `/api/admin/orders?limit=1&cursor=${first.nextCursor}`, { as: 'admin' })).json()
      expect(second.items[0]?.id).not.toBe(first.items[0].id)
    }
  })

  it('a VIP grant changes the reader’s membership at once and is audited; revoking never goes below now', async () => {
    const reader = await issueToken(t.db, 'vip-by-operator')
    const me = async () =>
      (
        await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${reader.token}` } })
      ).json().membership
    expect((await me()).active).toBe(false)
    const granted = await call('POST', `/api/admin/readers/${reader.userId}/vip`, {
      as: 'finance',
      payload: { days: 30, reason: '客服补偿' },
    })
    expect(granted.statusCode).toBe(200)
    expect(granted.json().before).toBeNull()
    const membership = await me()
    expect(membership.active).toBe(true)
    expect(Date.parse(membership.expiresAt)).toBeGreaterThan(Date.now() + 29 * DAY)
    const [row] = await auditRows('reader.vip')
    expect(row).toMatchObject({ operator_name: 'op-finance', target: `reader:${reader.userId}`, reason: '客服补偿' })
    expect(JSON.parse(row.before_json as string)).toEqual({ expiresAt: null })
    expect(JSON.parse(row.after_json as string).expiresAt).toBe(membership.expiresAt)

    const revoked = await call('POST', `/api/admin/readers/${reader.userId}/vip`, {
      as: 'admin',
      payload: { days: -3660, reason: '误发' },
    })
    expect(revoked.statusCode).toBe(200)
    expect((await me()).active).toBe(false)
    expect(Date.parse(revoked.json().after)).toBeGreaterThanOrEqual(Date.now() - 5000)

    const detail = (await call('GET', `/api/admin/readers/${reader.userId}`, { as: 'editor' })).json()
    expect(detail.vipHistory.map((r: { event: string }) => r.event)).toEqual(['vip_revoked', 'vip_granted'])
    expect(
      errorOf(
        await call('POST', '/api/admin/readers/2147483647/vip', { as: 'finance', payload: { days: 1, reason: 'x' } }),
      ),
    ).toEqual([404, 'READER_NOT_FOUND'])
  })

  it('finds readers by id, phone ending, nickname and share code; phones masked but for admin', async () => {
    const reader = await issueToken(t.db, 'searchable')
    await t.db.kysely
      .updateTable('users')
      .set({ phone: '8613812345678', nickname: '北辰读者_甲%' })
      .where('id', '=', reader.userId)
      .execute()
    await t.db.kysely
      .insertInto('share_codes')
      .values({ user_id: reader.userId, code: 'abcdefghjkmn', created_at: Date.now() })
      .execute()
    const ids = async (q: string, as: OperatorRole = 'editor') =>
      (await call('GET', `/api/admin/readers?q=${encodeURIComponent(q)}`, { as })).json().items
    for (const q of [`#${reader.userId}`, '5678', '12345678', '13812345678', '北辰读者_甲%', '北辰', 'abcdefghjkmn'])
      expect([q, (await ids(q)).map((r: { id: number }) => r.id)]).toEqual([q, [reader.userId]])
    // The start of a nickname, not any part of it; LIKE's wildcards are taken literally.
    expect((await ids('读者_甲%')).length).toBe(0)
    expect((await ids('北辰读者%甲')).length).toBe(0)
    expect((await ids('99995678')).length).toBe(0)
    expect((await ids('5678', 'finance'))[0].phone).toBe('138****5678')
    expect((await ids('5678', 'admin'))[0].phone).toBe('13812345678')
    expect(errorOf(await call('GET', '/api/admin/readers/2147483647', { as: 'editor' }))).toEqual([
      404,
      'READER_NOT_FOUND',
    ])
  })

  it('checking a broken file names file:line and saves nothing', async () => {
    const count = async () =>
      Number(
        (
          await t.db.kysely
            .selectFrom('issues')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = await count()
    const broken = issueFile('broken-issue', 901).replace(/^access: vip$/m, 'access: maybe')
    const checked = await call('POST', '/api/admin/issues/check', {
      as: 'editor',
      payload: { markdown: broken, fileName: 'broken.md' },
    })
    expect(checked.statusCode).toBe(200)
    expect(checked.json().problems[0]).toMatch(/^broken\.md:\d+: /)
    const imported = await call('POST', '/api/admin/issues/import', {
      as: 'editor',
      payload: { markdown: broken, fileName: 'broken.md' },
    })
    expect(imported.json()).toMatchObject({ saved: false, id: null })
    expect(await count()).toBe(before)
    // A number another slug holds is a problem on its line, as content:import says it.
    const taken = await call('POST', '/api/admin/issues/check', {
      as: 'editor',
      payload: { markdown: issueFile('another-slug', 32) },
    })
    expect(taken.json().problems).toEqual([
      expect.stringMatching(/^issue\.md:5: issue number 32 .* already belongs to/),
    ])
    // The seed file as it is: checks, unchanged.
    const same = await call('POST', '/api/admin/issues/check', {
      as: 'editor',
      payload: { markdown: fs.readFileSync(SEED_ISSUE_FILE, 'utf8') },
    })
    expect(same.json()).toMatchObject({ problems: [], diff: { created: false, changed: false, fields: [] } })
    expect(await count()).toBe(before)
  })

  it('import, publish and unpublish change what readers list', async () => {
    const listed = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/issues?limit=50' }))
        .json()
        .items.map((i: { slug: string }) => i.slug)
    const checked = await call('POST', '/api/admin/issues/check', {
      as: 'editor',
      payload: { markdown: issueFile('console-draft', 902) },
    })
    expect(checked.json()).toMatchObject({
      problems: [],
      issue: { slug: 'console-draft', number: 902, status: 'draft', vip: true },
      diff: { created: true, changed: true },
    })
    const imported = await call('POST', '/api/admin/issues/import', {
      as: 'editor',
      payload: { markdown: issueFile('console-draft', 902), fileName: 'console-draft.md' },
    })
    expect(imported.json()).toMatchObject({ saved: true, outcome: 'created' })
    const id = imported.json().id as number
    expect(await listed()).not.toContain('console-draft')
    const drafts = (await call('GET', '/api/admin/issues?status=draft', { as: 'editor' })).json()
    expect(drafts.items.map((i: { id: number }) => i.id)).toContain(id)
    expect((await auditRows('issue.import'))[0]).toMatchObject({ target: `issue:${id}`, operator_name: 'op-editor' })

    const published = await call('POST', `/api/admin/issues/${id}/publish`, { as: 'editor' })
    expect(published.json()).toMatchObject({ before: { status: 'draft' }, after: { status: 'published' } })
    expect(Date.parse(published.json().after.publishedAt)).toBeGreaterThan(Date.now() - 60000)
    expect(await listed()).toContain('console-draft')
    expect(errorOf(await call('POST', `/api/admin/issues/${id}/publish`, { as: 'editor' }))).toEqual([
      409,
      'ISSUE_ALREADY_PUBLISHED',
    ])

    const unpublished = await call('POST', `/api/admin/issues/${id}/unpublish`, { as: 'admin' })
    expect(unpublished.json().after.status).toBe('archived')
    expect(await listed()).not.toContain('console-draft')
    expect((await auditRows('issue.unpublish'))[0]).toMatchObject({ target: `issue:${id}`, operator_name: 'op-admin' })
    expect(errorOf(await call('POST', '/api/admin/issues/2147483647/publish', { as: 'editor' }))).toEqual([
      404,
      'ISSUE_NOT_FOUND',
    ])
  })

  it('reports and the audit trail answer', async () => {
    const subscriptions = (await call('GET', '/api/admin/reports/subscriptions', { as: 'finance' })).json()
    expect(subscriptions).toEqual({ waiting: [], messages: [], failures: [] })
    const shares = (await call('GET', '/api/admin/reports/shares?days=7', { as: 'editor' })).json()
    expect(shares).toMatchObject({ days: 7, total: 0, byIssue: [], bySharer: [], byScene: [] })
    const audit = (await call('GET', '/api/admin/audit?limit=2', { as: 'admin' })).json()
    expect(audit.items).toHaveLength(2)
    expect(audit.nextCursor).toEqual(expect.any(String))
    const next = (await call('GET', `/api/admin/audit?limit=2&cursor=${audit.nextCursor}`, { as: 'admin' })).json()
    expect(next.items[0].id).toBeLessThan(audit.items[1].id)
  })
})

describe.each(dialects())('a refund from the console on %s', (dialect) => {
  let s: PaymentStack
  const sessions: Partial<Record<OperatorRole, Session>> = {}
  const call = caller(
    {
      get app() {
        return s.app
      },
    },
    sessions,
  )
  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'wechatpay')
    sessions.finance = await signInOperator(s, 'finance')
  })
  afterAll(() => s?.close())

  it('reaches WeChat and ends like npm run admin -- refund, audited', async () => {
    const token = await s.login('console-refund')
    const { id } = await s.buy('console-refund', token, 'month')
    const status = async () =>
      (await s.db.kysely.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status
    await s.waitFor(async () => (await status()) === 'fulfilled')
    const refunded = await call('POST', `/api/admin/orders/${id}/refund`, {
      as: 'finance',
      payload: { reason: '用户申请退款' },
    })
    expect(refunded.statusCode).toBe(200)
    expect(['refunding', 'refunded']).toContain(refunded.json().order.status)
    await s.waitFor(async () => (await status()) === 'refunded')
    const detail = (await call('GET', `/api/admin/orders/${id}`, { as: 'finance' })).json()
    expect(detail.ledger.map((row: { event: string }) => row.event).reverse()).toEqual([
      'order_created',
      'paid',
      'fulfilled',
      'refund_requested',
      'refunded',
    ])
    expect(detail.order.refundedFen).toBe(detail.order.amountFen)
    // WeChat's answers: the refund's outcome as recorded, once.
    expect(detail.notifications.filter((row: { event: string }) => row.event === 'refunded')).toEqual([
      expect.objectContaining({ rail: 'wechatpay', key: expect.stringMatching(/^refund:wechatpay:/) }),
    ])
    const me = (await s.call('GET', '/api/me', token)).body
    expect(me.membership.active).toBe(false)
    const audit = await s.db.kysely
      .selectFrom('admin_audit')
      .selectAll()
      .where('action', '=', 'order.refund')
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ target: `order:${id}`, reason: '用户申请退款', operator_name: 'op-finance' })
    expect(JSON.parse(audit.before_json as string)).toMatchObject({ status: 'fulfilled' })
    // The service's refusal passes through as it is.
    expect(
      errorOf(await call('POST', `/api/admin/orders/${id}/refund`, { as: 'finance', payload: { reason: 'again' } })),
    ).toEqual([409, 'ORDER_NOT_REFUNDABLE'])
  })
})
