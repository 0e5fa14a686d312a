import crypto from 'node:crypto'
import type { OperatorRole } from '../../src/domain/operators'
import { shanghaiMidnight } from '../../src/infra/time'
import { dialects, errorOf, startTestApp, type TestApp } from '../helpers'
import { signInOperator, type Caller } from '../admin-callers'
import { startPaymentStack, type PaymentStack } from '../payment-stack'

/**
 * The paywall funnel: the app's event batches (POST /api/events), the daily roll-ups, the attribution
 * of orders to the issue and share they were bought from, and the console's report (GET /api/admin/funnel).
 */

jest.setTimeout(60000)

const DAY = 86400000
const SEED_SLUG = 'shanxi-32-zhongbu-chengshiqun'

/** A new operator of `role`, signed in: their session cookie */
async function operatorCookie(t: Caller, role: OperatorRole): Promise<string> {
  return (await signInOperator(t, role, `funnel-${role}-${crypto.randomBytes(3).toString('hex')}`)).cookie
}

/** A user row, without WeChat: the sharer and the buyer of the report tests */
async function addUser(t: { db: TestApp['db'] }, name: string, openid: string | null, at: number): Promise<number> {
  const row = await t.db.kysely
    .insertInto('users')
    .values({
      name,
      openid,
      unionid: null,
      created_at: at,
      session_key_enc: null,
      avatar: null,
      phone: null,
      last_login_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

const viewerKey = () => `vk_${crypto.randomBytes(12).toString('hex')}`

async function seedIssueId(t: { db: TestApp['db'] }): Promise<number> {
  const row = await t.db.kysely
    .selectFrom('issues')
    .select('id')
    .where('slug', '=', SEED_SLUG)
    .executeTakeFirstOrThrow()
  return row.id
}

describe.each(dialects())('funnel events and report on %s', (dialect) => {
  let t: TestApp
  let clock = Date.parse('2026-03-10T04:00:00Z')
  let issueId: number
  let sharerCode: string
  let sharerId: number
  let cookie: string

  beforeAll(async () => {
    t = await startTestApp(dialect, { now: () => clock, config: { FUNNEL_ROLLUP_INTERVAL_MS: 0 } })
    issueId = await seedIssueId(t)
    // The sample issue is published in the past of the fake clock.
    await t.db.kysely
      .updateTable('issues')
      .set({ published_at: clock - 30 * DAY })
      .execute()
    sharerId = await addUser(t, 'sharer', null, clock)
    sharerCode = await t.app.services.sharing.codeFor(sharerId, clock)
    cookie = await operatorCookie(t, 'editor')
  })
  afterAll(() => t?.close())

  const send = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/events', payload: payload as object, headers })
  const report = async (query: string) => {
    // Sessions idle out on the fake clock too: a fresh one for each look.
    cookie = await operatorCookie(t, 'editor')
    const response = await t.app.inject({ url: `/api/admin/funnel?${query}`, headers: { cookie } })
    expect(response.statusCode).toBe(200)
    return response.json()
  }
  const counts = (body: { steps: { step: string; count: number }[] }) =>
    Object.fromEntries(body.steps.map((step) => [step.step, step.count]))

  it('refuses what the app may not send: too many events, unknown or server-side steps, huge strings, bad ids', async () => {
    const one = { step: 'opened', issueId }
    const bad: [string, unknown][] = [
      ['51 events', { viewer: viewerKey(), events: Array.from({ length: 51 }, () => one) }],
      ['no events', { viewer: viewerKey(), events: [] }],
      ['unknown step', { viewer: viewerKey(), events: [{ ...one, step: 'clicked' }] }],
      ['paid from the client', { viewer: viewerKey(), events: [{ ...one, step: 'paid' }] }],
      ['order_created from the client', { viewer: viewerKey(), events: [{ ...one, step: 'order_created' }] }],
      ['negative id', { viewer: viewerKey(), events: [{ ...one, issueId: -1 }] }],
      ['id as text', { viewer: viewerKey(), events: [{ ...one, issueId: 'x' }] }],
      ['scene out of range', { viewer: viewerKey(), events: [{ ...one, scene: 123456 }] }],
      ['share of 33 characters', { viewer: viewerKey(), events: [{ ...one, share: 'a'.repeat(33) }] }],
      ['share with markup', { viewer: viewerKey(), events: [{ ...one, share: '<script>' }] }],
      ['viewer key of 65 characters', { viewer: 'v'.repeat(65), events: [one] }],
      ['short viewer key', { viewer: 'short', events: [one] }],
      ['no viewer key', { events: [one] }],
      ['an extra field', { viewer: viewerKey(), events: [{ ...one, userId: 7 }] }],
      ['a negative time', { viewer: viewerKey(), events: [{ ...one, at: -5 }] }],
    ]
    for (const [what, payload] of bad) {
      expect([what, ...errorOf(await send(payload))]).toEqual([what, 400, 'INVALID_BODY'])
    }
    const huge = { viewer: viewerKey(), events: [{ ...one, share: 'a'.repeat(20000) }] }
    expect(errorOf(await send(huge))).toEqual([413, 'BODY_TOO_LARGE'])
    expect(await t.db.kysely.selectFrom('funnel_events').selectAll().execute()).toEqual([])
  })

  it('stores one row per viewer, issue, step and day; drops unknown issues; keeps only a hash of the key', async () => {
    const viewer = viewerKey()
    const response = await send({
      viewer,
      events: [
        { step: 'opened', issueId, scene: 1007, share: sharerCode },
        { step: 'opened', issueId, scene: 1007, share: sharerCode },
        { step: 'paywall', issueId, scene: 1007, share: sharerCode, at: clock + 5 * DAY },
        { step: 'opened', issueId: 999999 },
      ],
    })
    expect(response.statusCode).toBe(202)
    expect(response.json()).toEqual({ accepted: 3 })
    // The same batch again (a retry) adds nothing.
    expect((await send({ viewer, events: [{ step: 'opened', issueId, scene: 1008 }] })).statusCode).toBe(202)
    const rows = await t.db.kysely.selectFrom('funnel_events').selectAll().orderBy('step').execute()
    expect(rows.map((row) => [row.step, row.scene, row.sharer_user_id, row.day])).toEqual([
      ['opened', 'chat', sharerId, '2026-03-10'],
      ['paywall', 'chat', sharerId, '2026-03-10'],
    ])
    expect(rows[0].viewer_hash).toMatch(/^[0-9a-f]{32}$/)
    expect(JSON.stringify(rows)).not.toContain(viewer)
    await t.db.kysely.deleteFrom('funnel_events').execute()
  })

  it('counts a known set of events, from raw rows and from roll-ups alike; re-rolling a day changes nothing', async () => {
    const day1 = clock
    const post = async (events: object[], at: number) => {
      const viewer = viewerKey()
      const response = await send({ viewer, events: events.map((event) => ({ ...event, issueId, at })) })
      expect(response.statusCode).toBe(202)
    }
    // Day 1: three readers from a chat share (two reach the paywall, one the plan sheet), one from a group, one from search.
    const all = [{ step: 'opened' }, { step: 'paywall' }, { step: 'plan_sheet' }]
    await post(
      all.map((event) => ({ ...event, scene: 1007, share: sharerCode })),
      day1,
    )
    await post(
      all.slice(0, 2).map((event) => ({ ...event, scene: 1007, share: sharerCode })),
      day1,
    )
    await post([{ step: 'opened', scene: 1007, share: sharerCode }], day1)
    await post([{ step: 'opened', scene: 1008 }], day1)
    await post(
      [
        { step: 'opened', scene: 1005 },
        { step: 'paywall', scene: 1005 },
      ],
      day1,
    )
    // A fake share code counts as no sharer.
    await post([{ step: 'opened', scene: 1047, share: 'zzzzzzzzzzzz' }], day1)
    // Orders bought from the issue through the share: an attempt given up, then a paid one.
    const buyerId = await addUser(t, 'buyer', 'o-buyer', day1)
    const order = (n: number, paid: boolean) => ({
      out_trade_no: `BCTEST${n}`,
      user_id: buyerId,
      plan_id: 'month',
      months: 1,
      amount_fen: 1200,
      rail: 'xpay' as const,
      status: paid ? ('fulfilled' as const) : ('closed' as const),
      openid: 'o-buyer',
      platform: 'android',
      request_key: `funnel-test-${n}`,
      created_at: day1,
      expires_at: day1 + 900000,
      paid_at: paid ? day1 + 1000 : null,
      source_issue_id: issueId,
      source_sharer_user_id: sharerId,
      source_scene: 'chat',
    })
    // Two attempts by one reader count as one reader.
    await t.db.kysely
      .insertInto('orders')
      .values([order(1, false), order(2, true)])
      .execute()

    const expected = { opened: 6, paywall: 3, plan_sheet: 1, order_created: 1, paid: 1 }
    clock = day1 + 3 * DAY
    const fromRaw = await report(`issueId=${issueId}&days=7`)
    expect(fromRaw.countedBefore).toBeNull()
    expect(counts(fromRaw)).toEqual(expected)
    const chat = fromRaw.byScene.find((row: { scene: string }) => row.scene === 'chat')
    expect(chat.counts).toEqual({ opened: 3, paywall: 2, plan_sheet: 1, order_created: 1, paid: 1 })
    expect(fromRaw.byScene.find((row: { scene: string }) => row.scene === 'search').counts.paywall).toBe(1)
    expect(fromRaw.byScene.find((row: { scene: string }) => row.scene === 'code').counts.opened).toBe(1)
    expect(fromRaw.bySharer).toEqual([
      { sharer: `${sharerCode.slice(0, 3)}******${sharerCode.slice(-2)}`, counts: chat.counts },
    ])
    expect(fromRaw.steps[1]).toMatchObject({ step: 'paywall', fromPrevious: 0.5, fromOpened: 0.5 })
    expect(fromRaw.steps[4]).toMatchObject({ step: 'paid', fromPrevious: 1, fromOpened: 0.1667 })

    // Roll up: the report reads day 1 from the roll-up now, and says the same.
    const run = await t.app.services.funnel.runRollup()
    expect(run.rolled).toEqual(['2026-03-10'])
    const daily = () =>
      t.db.kysely
        .selectFrom('funnel_daily')
        .select(['day', 'step', 'scene', 'sharer_user_id', 'viewers'])
        .orderBy('step')
        .orderBy('scene')
        .orderBy('sharer_user_id')
        .execute()
    const rolled = await daily()
    expect(rolled.reduce((sum, row) => sum + row.viewers, 0)).toBe(10)
    const fromRollup = await report(`issueId=${issueId}&days=7`)
    expect(fromRollup.countedBefore).toBe(new Date(clock - 5000).toISOString())
    expect({ ...fromRollup, countedBefore: null }).toEqual(fromRaw)

    // Again: the same rows; the job finds nothing new to roll.
    await t.app.services.funnel.rollUp('2026-03-10')
    expect(await daily()).toEqual(rolled)
    expect((await t.app.services.funnel.runRollup()).rolled).toEqual([])

    // Events of today stay raw and add to the rolled-up days.
    await post([{ step: 'opened', scene: 1154 }], clock)
    expect(counts(await report(`issueId=${issueId}&days=7`)).opened).toBe(7)
    expect(counts(await report(`region=shanxi&days=7`)).opened).toBe(7)
    expect(counts(await report(`days=7`)).opened).toBe(7)
    // Rolled up in two runs, a day adds up to what counting it again from its raw events gives.
    clock += 60000
    expect((await t.app.services.funnel.runRollup()).rolled).toEqual(['2026-03-13'])
    await post([{ step: 'opened', scene: 1154 }], clock)
    clock += 60000
    await t.app.services.funnel.runRollup()
    const added = await daily()
    expect(added.filter((row) => row.day === '2026-03-13')).toEqual([
      { day: '2026-03-13', step: 'opened', scene: 'moments', sharer_user_id: 0, viewers: 2 },
    ])
    await t.app.services.funnel.rollUp('2026-03-13')
    expect(await daily()).toEqual(added)
    expect(counts(await report(`issueId=${issueId}&days=7`)).opened).toBe(8)
    // Out of the 7-day window later; in the 30-day one.
    clock = day1 + 20 * DAY
    expect(counts(await report(`issueId=${issueId}&days=7`))).toEqual({
      opened: 0,
      paywall: 0,
      plan_sheet: 0,
      order_created: 0,
      paid: 0,
    })
    const pruned = await t.app.services.funnel.runRollup()
    expect(pruned).toEqual({ rolled: [], pruned: 12 })
    expect(await t.db.kysely.selectFrom('funnel_events').select('day').execute()).toEqual([])
    expect(counts(await report(`issueId=${issueId}&days=30`))).toEqual({ ...expected, opened: 8 })
    expect(shanghaiMidnight(fromRaw.from)).toBeLessThanOrEqual(day1)
  })

  it('the report needs an operator session (any role); bad queries are 4xx', async () => {
    const url = `/api/admin/funnel?issueId=${issueId}`
    expect(errorOf(await t.app.inject({ url }))).toEqual([401, 'ADMIN_LOGIN_REQUIRED'])
    for (const role of ['finance', 'admin'] as const) {
      const other = await operatorCookie(t, role)
      expect((await t.app.inject({ url, headers: { cookie: other } })).statusCode).toBe(200)
    }
    cookie = await operatorCookie(t, 'editor')
    const get = (query: string) => t.app.inject({ url: `/api/admin/funnel?${query}`, headers: { cookie } })
    expect(errorOf(await get('days=8'))).toEqual([400, 'INVALID_PARAMETER'])
    expect(errorOf(await get('issueId=-3'))).toEqual([400, 'INVALID_PARAMETER'])
    expect(errorOf(await get(`issueId=${issueId}&region=shanxi`))).toEqual([400, 'BAD_QUERY'])
    expect(errorOf(await get('issueId=999999'))).toEqual([404, 'ISSUE_NOT_FOUND'])
    expect(errorOf(await get('region=atlantis'))).toEqual([404, 'REGION_NOT_FOUND'])
    expect((await get('days=90')).json().days).toBe(90)
  })

  it('the OpenAPI document lists the event and funnel routes', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json()
    expect(doc.paths['/api/events'].post).toBeDefined()
    expect(doc.paths['/api/admin/funnel'].get).toBeDefined()
  })
})

describe.each(dialects())('funnel event rate limits on %s', (dialect) => {
  let t: TestApp
  beforeAll(async () => {
    t = await startTestApp(dialect, { config: { EVENTS_PER_VIEWER: 3, EVENTS_PER_IP: 5 } })
  })
  afterAll(() => t?.close())

  it('bounds batches per viewer key and per client address', async () => {
    const issueId = await seedIssueId(t)
    const send = (viewer: string) =>
      t.app.inject({ method: 'POST', url: '/api/events', payload: { viewer, events: [{ step: 'opened', issueId }] } })
    const one = viewerKey()
    for (let i = 0; i < 3; i += 1) expect((await send(one)).statusCode).toBe(202)
    const refused = await send(one)
    expect(errorOf(refused)).toEqual([429, 'RATE_LIMITED'])
    expect(refused.headers['retry-after']).toBeDefined()
    // Another key from the same address: the refused batch counted too, one more, then the address is over.
    const two = viewerKey()
    expect((await send(two)).statusCode).toBe(202)
    expect(errorOf(await send(two))).toEqual([429, 'RATE_LIMITED'])
  })
})

describe.each(dialects())('orders attributed to the issue they were bought from on %s', (dialect) => {
  let s: PaymentStack
  let issueId: number
  beforeAll(async () => {
    s = await startPaymentStack(dialect, 'wechatpay')
    issueId = await seedIssueId(s)
  })
  afterAll(() => s?.close())

  const orderRow = (id: number) =>
    s.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const create = (token: string, source: unknown) =>
    s.call('POST', '/api/orders', token, {
      planId: 'month',
      platform: 'android',
      requestKey: crypto.randomBytes(8).toString('hex'),
      ...(source === undefined ? {} : { source }),
    })

  it('records issue, sharer and scene at creation; the paid order shows in the funnel with its sharer', async () => {
    const sharerToken = await s.login('funnel-sharer')
    const code = (await s.call('GET', '/api/share-code', sharerToken)).body.code as string
    const token = await s.login('funnel-buyer')
    const created = await create(token, { issueId, share: code, scene: 1008 })
    expect(created.status).toBe(200)
    const { order, payment } = created.body
    const row = await orderRow(order.id)
    const sharer = await s.db.kysely
      .selectFrom('share_codes')
      .select('user_id')
      .where('code', '=', code)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({
      source_issue_id: issueId,
      source_sharer_user_id: sharer.user_id,
      source_scene: 'group',
    })
    await s.phone('/pay/jsapi', { user: 'funnel-buyer', ...payment.wechatpay, action: 'confirm' })
    await s.waitFor(async () => (await orderRow(order.id)).status === 'fulfilled')

    const cookie = await operatorCookie(s, 'finance')
    const report = (
      await s.app.inject({ url: `/api/admin/funnel?issueId=${issueId}&days=30`, headers: { cookie } })
    ).json()
    expect(report.steps.map((step: { count: number }) => step.count).slice(3)).toEqual([1, 1])
    expect(report.byScene.find((row: { scene: string }) => row.scene === 'group').counts).toMatchObject({
      order_created: 1,
      paid: 1,
    })
    expect(report.bySharer).toEqual([
      { sharer: `${code.slice(0, 3)}******${code.slice(-2)}`, counts: expect.objectContaining({ paid: 1 }) },
    ])
  })

  it('a fake share code is stored as none and never changes the price; an unknown issue is refused', async () => {
    const token = await s.login('funnel-other')
    const plain = await create(token, undefined)
    const faked = await create(token, { issueId, share: 'zzzzzzzzzzzz', scene: 1007 })
    expect(faked.status).toBe(200)
    expect(faked.body.order.amountFen).toBe(plain.body.order.amountFen)
    expect(await orderRow(faked.body.order.id)).toMatchObject({
      amount_fen: plain.body.order.amountFen,
      source_issue_id: issueId,
      source_sharer_user_id: null,
      source_scene: 'chat',
    })
    expect(await orderRow(plain.body.order.id)).toMatchObject({ source_issue_id: null, source_scene: null })
    // The buyer's own share code is no sharer either.
    const own = (await s.call('GET', '/api/share-code', token)).body.code
    const self = await create(token, { issueId, share: own })
    expect((await orderRow(self.body.order.id)).source_sharer_user_id).toBeNull()

    const before = await s.db.kysely.selectFrom('orders').select('id').execute()
    const unknown = await create(token, { issueId: 999999 })
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ISSUE_NOT_FOUND'])
    const bad = await create(token, { issueId, share: 'x'.repeat(40) })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'INVALID_BODY'])
    const priced = await create(token, { issueId, priceFen: 1 })
    expect([priced.status, priced.body.error.code]).toEqual([400, 'INVALID_BODY'])
    expect(await s.db.kysely.selectFrom('orders').select('id').execute()).toHaveLength(before.length)
  })
})
