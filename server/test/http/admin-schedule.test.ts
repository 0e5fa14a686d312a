import fs from 'node:fs'
import pino from 'pino'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../../../simulator/src/subscribe'
import { buildApp, type App } from '../../src/app'
import { parseOffsetTime, SCHEDULED_PUBLISH_REASON } from '../../src/domain/issue-schedule'
import type { OperatorRole } from '../../src/domain/operators'
import { signInOperator, type AdminSession } from '../admin-callers'
import { dialects, errorOf, SEED_ISSUE_FILE, startWeChatTestApp, type WeChatTestApp } from '../helpers'

/**
 * 定时发布 from the operator console: who may schedule, which times are refused, that a scheduled
 * issue stays hidden from readers until the due-publish job publishes it, and that two replicas
 * publish it once and announce it with one message per subscribed reader.
 */

jest.setTimeout(90000)

const SECOND = 1000
const MINUTE = 60 * SECOND

/** An Asia/Shanghai wall-clock time with its offset, as the console sends it */
const shanghai = (ms: number) => `${new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`

/** The seed issue (with its VIP part) as a draft of its own slug, number and title */
function issueFile(slug: string, number: number, title: string): string {
  return fs
    .readFileSync(SEED_ISSUE_FILE, 'utf8')
    .replace(/^slug: .*$/m, `slug: ${slug}`)
    .replace(/^number: .*$/m, `number: ${number}`)
    .replace(/^title: .*$/m, `title: ${title}`)
    .replace(/^author: (.*)$/m, `author: $1\nstatus: draft`)
}

interface SentMessage {
  touser: string
  page: string
  data: Record<string, { value: string }>
}

describe('parseOffsetTime', () => {
  it('reads ISO 8601 with an offset and refuses moments that do not exist', () => {
    expect(parseOffsetTime('2026-12-07T09:00:00+08:00')).toBe(Date.UTC(2026, 11, 7, 1))
    expect(parseOffsetTime('2026-12-07T01:00Z')).toBe(Date.UTC(2026, 11, 7, 1))
    expect(parseOffsetTime('2026-12-06T20:30:00.5-05:00')).toBe(Date.UTC(2026, 11, 7, 1, 30, 0, 500))
    for (const text of ['2026-02-30T10:00:00+08:00', '2026-12-07T24:00:00+08:00', '2026-12-07T09:00:00+15:00'])
      expect([text, parseOffsetTime(text)]).toEqual([text, null])
    expect(parseOffsetTime('2026-12-07T09:00:00')).toBeNull()
  })
})

describe.each(dialects())('定时发布 (scheduled publishing) on %s', (dialect) => {
  let t: WeChatTestApp
  let clock: number
  let second: App | null
  const sessions: Partial<Record<OperatorRole, AdminSession>> = {}

  beforeEach(async () => {
    // After the sample import (real time): the seed issue predates every opt-in.
    clock = Date.now() + MINUTE
    second = null
    t = await startWeChatTestApp(dialect, {
      now: () => clock,
      config: {
        LOGIN_RATE_PER_IP: 1000,
        LOGIN_RATE_PER_USER: 1000,
        SUBSCRIBE_TEMPLATE_ID: SIM_SUBSCRIBE_TEMPLATE_ID,
        SUBSCRIBE_SWEEP_INTERVAL_MS: 0,
        SCHEDULE_SWEEP_SECONDS: 0,
      },
    })
    for (const role of ['admin', 'finance', 'editor'] as const) sessions[role] = await signInOperator(t, role)
  })
  afterEach(async () => {
    await second?.close()
    await t.close()
  })

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    options: { as?: OperatorRole; payload?: unknown; csrf?: boolean } = {},
  ) => {
    const session = options.as ? sessions[options.as] : undefined
    return t.app.inject({
      method,
      url,
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && method !== 'GET' && options.csrf !== false ? { 'x-csrf-token': session.csrf } : {}),
      },
      ...(options.payload === undefined ? {} : { payload: options.payload as object }),
    })
  }
  const reader = (url: string) => t.app.inject({ method: 'GET', url })
  const auditRows = (action: string) =>
    t.db.kysely.selectFrom('admin_audit').selectAll().where('action', '=', action).orderBy('id').execute()
  const sent = async (user?: string) =>
    ((await t.control(`/subscribe-messages${user ? `?user=${user}` : ''}`)) as { messages: SentMessage[] }).messages

  /** Imports a draft through the console; its id */
  const importDraft = async (slug: string, number: number, title: string) => {
    const imported = await call('POST', '/api/admin/issues/import', {
      as: 'editor',
      payload: { markdown: issueFile(slug, number, title), fileName: `${slug}.md` },
    })
    expect(imported.json()).toMatchObject({ saved: true, outcome: 'created' })
    return imported.json().id as number
  }

  /** The reader taps 允许 on WeChat's sheet, then the app records the opt-in. */
  const subscribe = async (user: string, region: string) => {
    const { token } = await t.login(user)
    await fetch(`${t.sim}/__phone/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user, tmplIds: [SIM_SUBSCRIBE_TEMPLATE_ID], action: 'accept' }),
    })
    clock += SECOND
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers: { authorization: `Bearer ${token}` },
      payload: { region, templateId: SIM_SUBSCRIBE_TEMPLATE_ID },
    })
    expect(response.statusCode).toBe(200)
  }

  const has = (items: { id: number }[], id: number) => items.some((item) => item.id === id)
  /**
   * What readers find of an issue: in the list, by id, by search, in 往期导航, as 下一期 of 山西's last
   * sample issue (第33期), as a share card
   */
  const seenByReaders = async (id: number, title: string) => {
    const listed = has((await reader('/api/issues?limit=50')).json().items, id)
    const detail = (await reader(`/api/issues/${id}`)).statusCode
    const found = has((await reader(`/api/search?q=${encodeURIComponent(title)}&limit=50`)).json().items, id)
    const navigator = has((await reader('/api/navigator/shanxi?limit=200')).json().items, id)
    const last = (await reader('/api/issues?region=shanxi&limit=50'))
      .json()
      .items.find((i: { slug: string }) => i.slug === 'shanxi-33-youji-hanzuo')
    const next = (await reader(`/api/issues/${last.id}`)).json().next?.id === id
    const card = (await reader(`/api/issues/${id}/share-card.png`)).statusCode
    return { listed, detail, found, navigator, next, card }
  }
  const hidden = { listed: false, detail: 404, found: false, navigator: false, next: false, card: 404 }
  const shown = { listed: true, detail: 200, found: true, navigator: true, next: true, card: 200 }

  it('needs an editor or admin session, and the CSRF token; both routes are in the OpenAPI document', async () => {
    const id = await importDraft('schedule-auth', 951, '定时发布权限检查')
    const payload = { publishAt: shanghai(clock + 10 * MINUTE) }
    for (const [method, body] of [
      ['POST', payload],
      ['DELETE', undefined],
    ] as const) {
      const url = `/api/admin/issues/${id}/schedule`
      expect([method, ...errorOf(await call(method, url, { payload: body }))]).toEqual([
        method,
        401,
        'ADMIN_LOGIN_REQUIRED',
      ])
      expect([method, ...errorOf(await call(method, url, { as: 'finance', payload: body }))]).toEqual([
        method,
        403,
        'ADMIN_ROLE_REQUIRED',
      ])
      expect([method, ...errorOf(await call(method, url, { as: 'editor', payload: body, csrf: false }))]).toEqual([
        method,
        403,
        'CSRF_REQUIRED',
      ])
    }
    expect(await auditRows('issue.schedule')).toEqual([])
    const scheduled = await call('POST', `/api/admin/issues/${id}/schedule`, {
      as: 'admin',
      payload: { ...payload, reason: '周一早上发' },
    })
    expect(scheduled.statusCode).toBe(200)
    const cancelled = await call('DELETE', `/api/admin/issues/${id}/schedule`, { as: 'editor' })
    expect(cancelled.json()).toMatchObject({
      before: { status: 'scheduled', scheduledAt: new Date(Date.parse(payload.publishAt)).toISOString() },
      after: { status: 'draft', scheduledAt: null },
    })
    const [schedule] = await auditRows('issue.schedule')
    expect(schedule).toMatchObject({ target: `issue:${id}`, operator_name: 'op-admin', reason: '周一早上发' })
    expect(JSON.parse(schedule.before_json as string)).toMatchObject({ status: 'draft', scheduledAt: null })
    expect(JSON.parse(schedule.after_json as string)).toMatchObject({
      status: 'scheduled',
      scheduledAt: new Date(Date.parse(payload.publishAt)).toISOString(),
    })
    const [unschedule] = await auditRows('issue.unschedule')
    expect(unschedule).toMatchObject({ target: `issue:${id}`, operator_name: 'op-editor' })
    expect(JSON.parse(unschedule.after_json as string)).toMatchObject({ status: 'draft' })

    const doc = (await reader('/docs/json')).json()
    const path = doc.paths['/api/admin/issues/{id}/schedule']
    expect(path.post.tags).toEqual(['admin'])
    expect(path.delete.tags).toEqual(['admin'])
    expect(path.post.requestBody.content['application/json'].schema.properties.publishAt.maxLength).toBe(29)
  })

  it('refuses times too soon, past, too far or not real, and issues that cannot be scheduled, with stable codes', async () => {
    const id = await importDraft('schedule-bad', 952, '定时发布时间检查')
    const schedule = (publishAt: unknown, extra: Record<string, unknown> = {}, issue = id) =>
      call('POST', `/api/admin/issues/${issue}/schedule`, { as: 'editor', payload: { publishAt, ...extra } })
    expect(errorOf(await schedule(shanghai(clock + 5 * SECOND)))).toEqual([400, 'SCHEDULE_TOO_SOON'])
    expect(errorOf(await schedule(shanghai(clock - MINUTE)))).toEqual([400, 'SCHEDULE_TOO_SOON'])
    expect(errorOf(await schedule(shanghai(clock + 366 * 24 * 60 * MINUTE)))).toEqual([400, 'SCHEDULE_TOO_FAR'])
    expect(errorOf(await schedule('2027-02-30T10:00:00+08:00'))).toEqual([400, 'INVALID_PUBLISH_AT'])
    // Without an offset the moment is ambiguous; epoch numbers and nonsense are not this route's format.
    for (const publishAt of ['2027-01-05T10:00:00', clock + 10 * MINUTE, 'tomorrow', '', 'x'.repeat(1000)])
      expect([publishAt, ...errorOf(await schedule(publishAt))]).toEqual([publishAt, 400, 'INVALID_BODY'])
    expect(errorOf(await schedule(shanghai(clock + 10 * MINUTE), { reason: 'x'.repeat(201) }))).toEqual([
      400,
      'INVALID_BODY',
    ])
    expect(errorOf(await schedule(shanghai(clock + 10 * MINUTE), { extra: 1 }))).toEqual([400, 'INVALID_BODY'])
    expect(errorOf(await schedule(shanghai(clock + 10 * MINUTE), {}, 2147483647))).toEqual([404, 'ISSUE_NOT_FOUND'])
    const seed = (await reader('/api/issues?region=shanxi')).json().items[0].id as number
    expect(errorOf(await schedule(shanghai(clock + 10 * MINUTE), {}, seed))).toEqual([409, 'ISSUE_ALREADY_PUBLISHED'])
    expect(errorOf(await call('DELETE', `/api/admin/issues/${id}/schedule`, { as: 'editor' }))).toEqual([
      409,
      'ISSUE_NOT_SCHEDULED',
    ])
    expect(await auditRows('issue.schedule')).toEqual([])
    const row = await t.db.kysely.selectFrom('issues').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect([row.status, row.publish_at]).toEqual(['draft', null])
  })

  it('hides a scheduled issue from readers until the job publishes it, then announces it once', async () => {
    const title = '数字乡村建设定时专题'
    const id = await importDraft('schedule-job', 953, title)
    await subscribe('alice', 'shanxi')
    await subscribe('bob', 'beijing')
    // The seed issue: nobody waited for it.
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ queued: 0 })

    const publishAt = Math.ceil((clock + 2 * MINUTE) / MINUTE) * MINUTE
    const scheduled = await call('POST', `/api/admin/issues/${id}/schedule`, {
      as: 'editor',
      payload: { publishAt: shanghai(publishAt) },
    })
    expect(scheduled.json()).toMatchObject({
      id,
      before: { status: 'draft', scheduledAt: null },
      after: { status: 'scheduled', scheduledAt: new Date(publishAt).toISOString() },
    })
    const listed = (await call('GET', '/api/admin/issues?status=scheduled', { as: 'editor' })).json().items
    expect(listed).toEqual([expect.objectContaining({ id, status: 'scheduled', scheduledAt: iso(publishAt) })])
    const drafts = (await call('GET', '/api/admin/issues?status=draft', { as: 'editor' })).json().items
    expect(drafts.every((item: { scheduledAt: unknown }) => item.scheduledAt === null)).toBe(true)

    expect(await seenByReaders(id, title)).toEqual(hidden)
    clock = publishAt - SECOND
    expect(await t.app.services.issueSchedule.runOnce()).toEqual([])
    expect(await seenByReaders(id, title)).toEqual(hidden)
    expect(await sent()).toEqual([])

    // Within ISSUE_CACHE_TTL_MS of the reads above: only dropping the caches shows it now.
    clock = publishAt + SECOND
    expect((await t.app.services.issueSchedule.runOnce()).map((issue) => issue.id)).toEqual([id])
    expect(await seenByReaders(id, title)).toEqual(shown)
    const detail = (await reader(`/api/issues/${id}`)).json()
    expect(detail.date).toBe(new Date(publishAt + 8 * 3600 * 1000).toISOString().slice(0, 10))
    const messages = await sent()
    expect(messages).toHaveLength(1)
    expect(await sent('alice')).toEqual([expect.objectContaining({ page: `subpackages/article/pages/index?id=${id}` })])
    expect(messages[0].data.thing1.value).toBe(title)

    const [audit] = await auditRows('issue.publish')
    expect(audit).toMatchObject({ target: `issue:${id}`, operator_name: 'op-editor', reason: SCHEDULED_PUBLISH_REASON })
    expect(JSON.parse(audit.after_json as string)).toMatchObject({ status: 'published', publishedAt: iso(publishAt) })
    // Nothing is due any more: a second run publishes and sends nothing.
    expect(await t.app.services.issueSchedule.runOnce()).toEqual([])
    expect(await sent()).toHaveLength(1)
    expect(await auditRows('issue.publish')).toHaveLength(1)
    expect(errorOf(await call('DELETE', `/api/admin/issues/${id}/schedule`, { as: 'editor' }))).toEqual([
      409,
      'ISSUE_NOT_SCHEDULED',
    ])
  })

  it('two replicas publishing at once publish it once, and each subscribed reader gets one message', async () => {
    const title = '城乡融合发展定时专题'
    const id = await importDraft('schedule-race', 954, title)
    const other = await importDraft('schedule-race-2', 955, '另一期定时专题')
    for (const user of ['r1', 'r2', 'r3']) await subscribe(user, 'shanxi')
    await subscribe('bob', 'beijing')
    await t.app.services.subscriptionSweep.runOnce()
    const publishAt = Math.ceil((clock + 2 * MINUTE) / SECOND) * SECOND
    for (const issue of [id, other]) {
      const response = await call('POST', `/api/admin/issues/${issue}/schedule`, {
        as: 'editor',
        payload: { publishAt: shanghai(publishAt) },
      })
      expect(response.statusCode).toBe(200)
    }
    // A second API process on the same database. On SQLite it shares the connection: two connections in one
    // thread would only lock each other, where two processes wait for each other (busy_timeout).
    second = await buildApp({ config: t.app.config, db: t.db, logger: pino({ level: 'silent' }), now: () => clock })
    const replicas = [t.app.services, second.services, t.app.services, second.services]

    clock = publishAt
    // Both processes publish at once, without the lease that normally keeps them apart.
    const runs = await Promise.all(replicas.map((services) => services.issueSchedule.publishDue(clock)))
    expect(
      runs
        .flat()
        .map((issue) => issue.id)
        .sort(),
    ).toEqual([id, other].sort())
    const audits = await auditRows('issue.publish')
    expect(audits.map((row) => row.target).sort()).toEqual([`issue:${id}`, `issue:${other}`].sort())
    expect(audits.every((row) => row.reason === SCHEDULED_PUBLISH_REASON && row.operator_name === 'op-editor')).toBe(
      true,
    )
    // The announcement: each process's job would now run its sweep; both at once, again without the lease.
    await Promise.all(replicas.map((services) => services.subscriptionSweep.announceNew()))
    await Promise.all(replicas.map((services) => services.subscriptionSweep.sendDue()))
    for (const user of ['r1', 'r2', 'r3']) expect([user, (await sent(user)).length]).toEqual([user, 1])
    expect(await sent('bob')).toEqual([])
    expect(await sent()).toHaveLength(3)

    t.app.services.announce('content')
    expect(await seenByReaders(id, title)).toEqual(shown)
    const rows = await t.db.kysely
      .selectFrom('issues')
      .select(['status', 'published_at', 'publish_at', 'scheduled_by'])
      .where('id', 'in', [id, other])
      .execute()
    expect(rows).toEqual([
      { status: 'published', published_at: publishAt, publish_at: null, scheduled_by: null },
      { status: 'published', published_at: publishAt, publish_at: null, scheduled_by: null },
    ])
  })

  it('publishing by hand ends the schedule; a re-import that drops the status ends it too', async () => {
    const id = await importDraft('schedule-manual', 956, '手动发布的定时期')
    const publishAt = clock + 10 * MINUTE
    await call('POST', `/api/admin/issues/${id}/schedule`, {
      as: 'editor',
      payload: { publishAt: shanghai(publishAt) },
    })
    const published = await call('POST', `/api/admin/issues/${id}/publish`, { as: 'editor' })
    expect(published.json()).toMatchObject({ before: { status: 'scheduled' }, after: { status: 'published' } })
    expect(Date.parse(published.json().after.publishedAt)).toBe(clock)
    clock = publishAt + MINUTE
    expect(await t.app.services.issueSchedule.publishDue(clock)).toEqual([])

    const again = await importDraft('schedule-reimport', 957, '重新导入的定时期')
    await call('POST', `/api/admin/issues/${again}/schedule`, {
      as: 'editor',
      payload: { publishAt: shanghai(clock + 10 * MINUTE) },
    })
    const reimported = await call('POST', '/api/admin/issues/import', {
      as: 'editor',
      payload: { markdown: issueFile('schedule-reimport', 957, '重新导入的定时期（改）') },
    })
    expect(reimported.json()).toMatchObject({ saved: true, outcome: 'updated' })
    const row = await t.db.kysely.selectFrom('issues').selectAll().where('id', '=', again).executeTakeFirstOrThrow()
    expect([row.status, row.publish_at, row.scheduled_by]).toEqual(['draft', null, null])
  })
})

const iso = (ms: number) => new Date(ms).toISOString()
