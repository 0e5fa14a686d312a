import crypto from 'node:crypto'
import fs from 'node:fs'
import pino from 'pino'
import { buildApp, type App } from '../../src/app'
import { openDb } from '../../src/db/database'
import { PAYWALL_MARKER } from '../../src/domain/issue-markdown'
import { PAYWALL_DEFAULTS } from '../../src/domain/site-settings'
import { useAdminTestApp } from '../admin-callers'
import { dialects, errorOf, issueToken, SEED_ISSUE_FILE, testConfig, vipSentences } from '../helpers'

/**
 * The operator's run-time settings (console 设置): defaults, validation, roles, the audit trail,
 * and readers seeing a change at once, on this replica and on another one on the same PostgreSQL.
 */

jest.setTimeout(60000)

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
type Json = any

const PAYWALL = { title: '会员专享', message: '开通会员，读完这一篇', button: '立即开通' }
const CONTACTS = {
  servicePhone: '400-000-1234',
  serviceHours: '08:00—20:00',
  businessPhone: '13800000000',
  officialAccountName: '北辰遴选服务号',
  channelsName: '北辰视频号',
  channelsFinderUserName: 'sphABC123',
  weiboName: '北辰微博',
}

function multipart(data: Buffer, field = 'file') {
  const boundary = `----beichen${crypto.randomBytes(8).toString('hex')}`
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="qr.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` }
}
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(200)])

/** Headings and 例题 of the seed issue after its marker, read from the Markdown itself */
function seedLocked() {
  const source = fs.readFileSync(SEED_ISSUE_FILE, 'utf8')
  const at = source.indexOf(PAYWALL_MARKER)
  const free = source.slice(0, at)
  const locked = source.slice(at + PAYWALL_MARKER.length)
  const headings = [...locked.matchAll(/^##\s+(.+)$/gm)].map((match) => match[1].trim())
  const startsWithHeading = /^\s*##\s/.test(locked)
  const open = [...free.matchAll(/^##\s+(.+)$/gm)].pop()?.[1].trim()
  return {
    sections: startsWithHeading || !open ? headings : [`${open}（续）`, ...headings],
    questions: [...locked.matchAll(/^例题\d+/gm)].length,
  }
}

describe.each(dialects())('site settings on %s', (dialect) => {
  const env = useAdminTestApp(dialect)
  let seedId: number

  const put = (payload: unknown, as: 'admin' | 'finance' | 'editor' | null = 'admin', csrf = true) => {
    const session = as ? env.t && sessionOf(as) : undefined
    return env.app.inject({
      method: 'PUT',
      url: '/api/admin/settings',
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && csrf ? { 'x-csrf-token': session.csrf } : {}),
      },
      payload: payload as object,
    })
  }
  const sessions: Record<string, { cookie: string; csrf: string }> = {}
  const sessionOf = (role: string) => sessions[role]
  const reader = async (url: string) => (await env.app.inject({ method: 'GET', url })).json() as Json

  beforeAll(async () => {
    const { signInOperator } = await import('../admin-callers')
    for (const role of ['admin', 'finance', 'editor'] as const)
      sessions[role] = await signInOperator(env, role, `settings-${role}`)
    const row = await env.t.db.kysely
      .selectFrom('issues')
      .select('id')
      .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
      .executeTakeFirstOrThrow()
    seedId = row.id
  })

  it('defaults: the seed’s sentence, 半年 preselected, contacts from the environment, no QR', async () => {
    const response = await env.call('GET', '/api/admin/settings', { as: 'admin' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.paywall).toEqual(PAYWALL_DEFAULTS)
    expect(body.paywall.message).toBe('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')
    expect(body.preselectedPlan).toBe('half_year')
    expect(body.contacts.servicePhone).toBe('400-1788-950')
    expect(body.defaults).toEqual({ paywall: body.paywall, preselectedPlan: 'half_year', contacts: body.contacts })
    expect(body.plans.map((plan: Json) => plan.name)).toEqual(['一个月', '半年', '一年'])
    expect(body.officialAccountQr).toBeNull()

    const issue = await reader(`/api/issues/${seedId}`)
    expect(issue.access.paywall).toMatchObject({ ...PAYWALL_DEFAULTS, preselectedPlan: 'half_year' })
    expect((await reader('/api/plans')).preselected).toBe('half_year')
    expect((await env.app.inject({ method: 'GET', url: '/api/contacts/official-account-qr' })).statusCode).toBe(404)
  })

  it('the paywall names what is locked by headings and counts, never by its text', async () => {
    const response = await env.app.inject({ method: 'GET', url: `/api/issues/${seedId}` })
    const { locked } = response.json().access.paywall
    const expected = seedLocked()
    expect(locked.sections).toEqual(expected.sections)
    expect(locked.questions).toBe(expected.questions)
    expect(locked.questions).toBeGreaterThan(0)
    expect(locked.answers).toBe(locked.questions)
    for (const sentence of vipSentences()) expect(response.body).not.toContain(sentence)
    // A member has nothing locked: no paywall at all.
    const { userId, token } = await issueToken(env.t.db, 'settings-vip')
    await env.t.db.kysely
      .insertInto('memberships')
      .values({ user_id: userId, expires_at: Date.now() + 86400000, updated_at: Date.now() })
      .execute()
    const member = await env.app.inject({
      method: 'GET',
      url: `/api/issues/${seedId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(member.json().access).toEqual({ granted: true, reason: 'member' })
  })

  it.each([
    ['an empty body', 'INVALID_BODY', {}],
    ['an unknown field', 'INVALID_BODY', { color: 'red' }],
    ['an empty title', 'INVALID_BODY', { paywall: { ...PAYWALL, title: '' } }],
    ['a message past 120 characters', 'INVALID_BODY', { paywall: { ...PAYWALL, message: '长'.repeat(121) } }],
    ['a phone with letters', 'INVALID_BODY', { contacts: { ...CONTACTS, servicePhone: '400-CALL-NOW' } }],
    ['a 视频号 id with spaces', 'INVALID_BODY', { contacts: { ...CONTACTS, channelsFinderUserName: 'sph a' } }],
    ['a plan that does not exist', 'UNKNOWN_PLAN', { preselectedPlan: 'forever' }],
  ])('refuses %s with 400 %s', async (_name, code, payload) => {
    const response = await put(payload)
    expect(errorOf(response)).toEqual([400, code])
    expect(response.json().error.message).toEqual(expect.any(String))
  })

  it('only an admin may read or change the settings, with the CSRF token', async () => {
    for (const role of ['finance', 'editor']) {
      expect(errorOf(await env.call('GET', '/api/admin/settings', { as: role as 'finance' }))).toEqual([
        403,
        'ADMIN_ROLE_REQUIRED',
      ])
      expect(errorOf(await put({ preselectedPlan: 'year' }, role as 'finance'))).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
    }
    expect(errorOf(await put({ preselectedPlan: 'year' }, null))).toEqual([401, 'ADMIN_LOGIN_REQUIRED'])
    expect(errorOf(await put({ preselectedPlan: 'year' }, 'admin', false))).toEqual([403, 'CSRF_REQUIRED'])
  })

  it('a change reaches readers at once, and is audited before → after', async () => {
    // Warm every cache first: the change must drop them, not wait them out.
    await reader(`/api/issues/${seedId}`)
    await reader('/api/contacts')
    const response = await put({ paywall: PAYWALL, preselectedPlan: 'year', contacts: CONTACTS, reason: '双十一文案' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ paywall: PAYWALL, preselectedPlan: 'year', contacts: CONTACTS })

    const issue = await reader(`/api/issues/${seedId}`)
    expect(issue.access.paywall).toMatchObject({ ...PAYWALL, preselectedPlan: 'year' })
    expect((await reader('/api/plans')).preselected).toBe('year')
    const contacts = await reader('/api/contacts')
    expect(contacts.service).toEqual({ phone: '400-000-1234', hours: '08:00—20:00' })
    expect(contacts.channels.finderUserName).toBe('sphABC123')

    const [row] = await env.auditRows('settings.update')
    expect(row.operator_name).toBe('settings-admin')
    expect(row.reason).toBe('双十一文案')
    expect(JSON.parse(row.before_json as string)).toMatchObject({
      paywall: PAYWALL_DEFAULTS,
      preselectedPlan: 'half_year',
    })
    expect(JSON.parse(row.after_json as string)).toMatchObject({ paywall: PAYWALL, preselectedPlan: 'year' })

    // Back to the defaults: nothing is stored, so a changed environment default would apply again.
    const defaults = (await env.call('GET', '/api/admin/settings', { as: 'admin' })).json().defaults
    expect((await put(defaults)).statusCode).toBe(200)
    const rows = await env.t.db.kysely.selectFrom('site_settings').select(['key', 'value_json']).execute()
    expect(Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value_json)]))).toEqual({
      paywall: {},
      preselectedPlan: 'half_year',
      contacts: {},
    })
    expect((await reader(`/api/issues/${seedId}`)).access.paywall.message).toBe(PAYWALL_DEFAULTS.message)
  })

  it('the 公众号 QR: PNG or JPEG up to 512 KB, served with cache headers, removable', async () => {
    const upload = (data: Buffer, field?: string) => {
      const { payload, contentType } = multipart(data, field)
      return env.app.inject({
        method: 'PUT',
        url: '/api/admin/settings/official-account-qr',
        headers: { cookie: sessions.admin.cookie, 'x-csrf-token': sessions.admin.csrf, 'content-type': contentType },
        payload,
      })
    }
    expect(errorOf(await upload(Buffer.from('GIF89a not a png')))).toEqual([415, 'UNSUPPORTED_IMAGE'])
    expect(errorOf(await upload(PNG, 'image'))).toEqual([400, 'FILE_REQUIRED'])
    const tooLarge = await upload(Buffer.concat([PNG, Buffer.alloc(512 * 1024)]))
    expect(tooLarge.statusCode).toBe(413)
    const done = await upload(PNG)
    expect(done.statusCode).toBe(200)
    const { url } = done.json().officialAccountQr
    expect(url).toMatch(/^\/api\/contacts\/official-account-qr\?v=\d+$/)
    expect((await reader('/api/contacts')).officialAccount.qrUrl).toBe(url)
    const image = await env.app.inject({ method: 'GET', url })
    expect(image.statusCode).toBe(200)
    expect(image.headers['content-type']).toBe('image/png')
    expect(image.headers['cache-control']).toBe('public, max-age=86400')
    expect(image.rawPayload.equals(PNG)).toBe(true)
    expect((await env.auditRows('settings.official_account_qr')).length).toBe(1)

    const removed = await env.app.inject({
      method: 'DELETE',
      url: '/api/admin/settings/official-account-qr',
      headers: { cookie: sessions.admin.cookie, 'x-csrf-token': sessions.admin.csrf },
    })
    expect(removed.json().officialAccountQr).toBeNull()
    expect((await reader('/api/contacts')).officialAccount.qrUrl).toBeNull()
    expect((await env.app.inject({ method: 'GET', url })).statusCode).toBe(404)
  })
})

const describeOnPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip

describeOnPostgres('a settings change on one replica, read on another (PostgreSQL)', () => {
  const env = useAdminTestApp('postgres')
  let other: App

  beforeAll(async () => {
    // Caches far longer than the test: only the change feed can make the other replica see the change.
    const config = testConfig({ DATABASE_URL: env.t.databaseUrl as string, ISSUE_CACHE_TTL_MS: 600000 })
    other = await buildApp({
      config,
      db: openDb({ databaseUrl: env.t.databaseUrl as string, sqlitePath: '' }),
      logger: pino({ level: 'silent' }),
    })
    await other.ready()
    await other.services.changes.start()
  })
  afterAll(async () => {
    await other?.services.changes.stop()
    await other?.close()
  })

  it('drops the other replica’s cached paywall and contacts at once', async () => {
    const id = (
      await env.t.db.kysely
        .selectFrom('issues')
        .select('id')
        .where('slug', '=', 'shanxi-32-zhongbu-chengshiqun')
        .executeTakeFirstOrThrow()
    ).id
    const read = async (url: string) => (await other.inject({ method: 'GET', url })).json() as Json
    expect((await read(`/api/issues/${id}`)).access.paywall.message).toBe(PAYWALL_DEFAULTS.message)
    expect((await read('/api/contacts')).service.phone).toBe('400-1788-950')
    expect(other.services.changes.listening).toBe(true)

    const { signInOperator } = await import('../admin-callers')
    const admin = await signInOperator(env, 'admin', 'replica-admin')
    const response = await env.app.inject({
      method: 'PUT',
      url: '/api/admin/settings',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { paywall: PAYWALL, preselectedPlan: 'month', contacts: CONTACTS },
    })
    expect(response.statusCode).toBe(200)

    const deadline = Date.now() + 5000
    let paywall: Json
    for (;;) {
      paywall = (await read(`/api/issues/${id}`)).access.paywall
      if (paywall.message === PAYWALL.message || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(paywall).toMatchObject({ ...PAYWALL, preselectedPlan: 'month' })
    expect((await read('/api/contacts')).service.phone).toBe('400-000-1234')
  })
})
