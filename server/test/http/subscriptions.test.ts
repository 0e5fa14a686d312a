import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pino from 'pino'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../../../simulator/src/subscribe'
import { buildApp, type App } from '../../src/app'
import { importContent } from '../../src/domain/content-import'
import { NOTIFY_TIP } from '../../src/domain/subscription-sweep'
import { shanghaiDate } from '../../src/infra/time'
import {
  type DialectName,
  dialects,
  errorOf,
  issueToken,
  SAMPLE_ISSUES,
  SEED_ISSUE_FILE,
  startWeChatTestApp,
  vipSentences,
  type WeChatTestApp,
} from '../helpers'

interface SentMessage {
  touser: string
  template_id: string
  page: string
  data: Record<string, { value: string }>
  miniprogram_state: string
}

/** The seed issue (with its VIP part) as another issue: its own slug, region, number, date and title. */
function issueFile(
  dir: string,
  options: { slug: string; region: string; number: number; date: string; title: string },
) {
  const text = fs
    .readFileSync(SEED_ISSUE_FILE, 'utf8')
    .replace(/^slug: .*$/m, `slug: ${options.slug}`)
    .replace(/^region: .*$/m, `region: ${options.region}`)
    .replace(/^number: .*$/m, `number: ${options.number}`)
    .replace(/^date: .*$/m, `date: ${options.date}`)
    .replace(/^title: .*$/m, `title: ${options.title}`)
  fs.writeFileSync(path.join(dir, `${options.slug}.md`), text)
}

describe.each(dialects())('通知我下一期 (subscribe messages) on %s', (dialect: DialectName) => {
  let t: WeChatTestApp
  let clock: number
  let contentDir: string
  let extraApps: App[]

  beforeEach(async () => {
    // After the sample import (real time) that startWeChatTestApp does: the sample issues predate every opt-in.
    clock = Date.now() + 60_000
    extraApps = []
    contentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-subscribe-'))
    t = await startWeChatTestApp(dialect, {
      now: () => clock,
      config: {
        LOGIN_RATE_PER_IP: 1000,
        LOGIN_RATE_PER_USER: 1000,
        SUBSCRIBE_TEMPLATE_ID: SIM_SUBSCRIBE_TEMPLATE_ID,
        SUBSCRIBE_SWEEP_INTERVAL_MS: 0,
        SUBSCRIBE_MINIPROGRAM_STATE: 'trial',
      },
    })
  })
  afterEach(async () => {
    for (const app of extraApps) await app.close()
    await t.close()
    fs.rmSync(contentDir, { recursive: true, force: true })
  })

  const get = (url: string, token?: string) =>
    t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })
  const post = (url: string, payload: Record<string, unknown>, token?: string) =>
    t.app.inject({ method: 'POST', url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} })

  /** The reader taps 允许 on WeChat's sheet (one more message allowed), then the app tells the API. */
  const subscribe = async (user: string, token: string, region = 'shanxi', accept = true) => {
    if (accept) {
      const sheet = await fetch(`${t.sim}/__phone/subscribe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, tmplIds: [SIM_SUBSCRIBE_TEMPLATE_ID], action: 'accept' }),
      })
      expect(await sheet.json()).toEqual({
        errMsg: 'requestSubscribeMessage:ok',
        [SIM_SUBSCRIBE_TEMPLATE_ID]: 'accept',
      })
    }
    clock += 1000
    const response = await post('/api/subscriptions', { region, templateId: SIM_SUBSCRIBE_TEMPLATE_ID }, token)
    expect(response.statusCode).toBe(200)
    return response.json() as { openOptIns: number }
  }
  /** Imports the content folder as `npm run content:import` would, a second later. */
  const publish = async () => {
    clock += 1000
    const report = await importContent(t.db, [contentDir], { now: clock })
    expect(report.problems ?? []).toEqual([])
  }
  const sent = async (user?: string) =>
    ((await t.control(`/subscribe-messages${user ? `?user=${user}` : ''}`)) as { messages: SentMessage[] }).messages
  const issueId = async (slug: string) =>
    (await t.db.kysely.selectFrom('issues').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id
  const outbox = () => t.db.kysely.selectFrom('subscription_messages').selectAll().orderBy('id').execute()

  it('tells the app the template; opting in needs a WeChat sign-in, a real region and our template', async () => {
    const anonymous = await get('/api/subscriptions?region=shanxi')
    expect(anonymous.statusCode).toBe(200)
    expect(anonymous.headers['cache-control']).toBe('private, no-store')
    expect(anonymous.json()).toEqual({ templateId: SIM_SUBSCRIBE_TEMPLATE_ID, available: true, openOptIns: 0 })

    expect(
      errorOf(await post('/api/subscriptions', { region: 'shanxi', templateId: SIM_SUBSCRIBE_TEMPLATE_ID })),
    ).toEqual([401, 'LOGIN_REQUIRED'])
    const { token } = await t.login('alice')
    expect(errorOf(await get('/api/subscriptions?region=atlantis', token))).toEqual([400, 'UNKNOWN_REGION'])
    expect(errorOf(await get('/api/subscriptions', token))).toEqual([400, 'INVALID_PARAMETER'])
    expect(
      errorOf(await post('/api/subscriptions', { region: 'atlantis', templateId: SIM_SUBSCRIBE_TEMPLATE_ID }, token)),
    ).toEqual([400, 'UNKNOWN_REGION'])
    const wrongTemplate = await post('/api/subscriptions', { region: 'shanxi', templateId: 'someone-elses' }, token)
    expect(errorOf(wrongTemplate)).toEqual([400, 'UNKNOWN_TEMPLATE'])
    expect(wrongTemplate.json().error.message).toMatch(/GET \/api\/subscriptions/)
    expect(errorOf(await post('/api/subscriptions', { region: 'shanxi', templateId: 'x'.repeat(129) }, token))).toEqual(
      [400, 'INVALID_BODY'],
    )
    expect(
      errorOf(
        await post('/api/subscriptions', { region: 'shanxi', templateId: SIM_SUBSCRIBE_TEMPLATE_ID, x: 1 }, token),
      ),
    ).toEqual([400, 'INVALID_BODY'])

    // An operator-made user has no openid: WeChat could not deliver to it.
    const operator = await issueToken(t.db, 'operator')
    expect(
      errorOf(
        await post('/api/subscriptions', { region: 'shanxi', templateId: SIM_SUBSCRIBE_TEMPLATE_ID }, operator.token),
      ),
    ).toEqual([400, 'WECHAT_LOGIN_REQUIRED'])

    expect(await subscribe('alice', token)).toEqual({
      templateId: SIM_SUBSCRIBE_TEMPLATE_ID,
      available: true,
      openOptIns: 1,
    })
    expect((await get('/api/subscriptions?region=shanxi', token)).json().openOptIns).toBe(1)
    expect((await get('/api/subscriptions?region=beijing', token)).json().openOptIns).toBe(0)

    const paths = Object.keys((await get('/docs/json')).json().paths)
    expect(paths).toContain('/api/subscriptions')
  })

  it('caps the waiting opt-ins per reader and region', async () => {
    const { token } = await t.login('carol')
    for (let index = 0; index < 20; index++) await subscribe('carol', token, 'shanxi', false)
    const twentyFirst = await post(
      '/api/subscriptions',
      { region: 'shanxi', templateId: SIM_SUBSCRIBE_TEMPLATE_ID },
      token,
    )
    expect(errorOf(twentyFirst)).toEqual([409, 'TOO_MANY_OPT_INS'])
    expect((await subscribe('carol', token, 'beijing', false)).openOptIns).toBe(1)
  })

  it('announces a new issue of the region once, from its free fields, and uses the opt-in up', async () => {
    const { token, body: alice } = await t.login('alice')
    const bob = await t.login('bob')
    // The sample issues (content/ holds 山西 up to 第33期) were published before anyone opted in: they
    // must not use an opt-in.
    await subscribe('alice', token)
    await subscribe('bob', bob.token, 'beijing')
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({
      announced: SAMPLE_ISSUES,
      queued: 0,
      sent: 0,
    })
    expect((await get('/api/subscriptions?region=shanxi', token)).json().openOptIns).toBe(1)

    issueFile(contentDir, {
      slug: 'shanxi-34',
      region: 'shanxi',
      number: 34,
      date: '2026-11-20',
      title: '县域经济高质量发展',
    })
    await publish()
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({
      announced: 1,
      queued: 1,
      sent: 1,
      failed: 0,
    })

    const messages = await sent()
    expect(messages).toHaveLength(1)
    const [message] = messages
    expect(message).toMatchObject({
      template_id: SIM_SUBSCRIBE_TEMPLATE_ID,
      page: `subpackages/article/pages/index?id=${await issueId('shanxi-34')}`,
      miniprogram_state: 'trial',
      data: {
        thing1: { value: '县域经济高质量发展' },
        thing2: { value: '山西·第34期' },
        date3: { value: '2026年11月20日' },
        thing4: { value: NOTIFY_TIP },
      },
    })
    expect(await sent('alice')).toHaveLength(1)
    const text = JSON.stringify(messages)
    for (const sentence of vipSentences()) expect(text).not.toContain(sentence)
    expect((await get('/api/subscriptions?region=shanxi', token)).json().openOptIns).toBe(0)
    const [optIn] = await t.db.kysely
      .selectFrom('subscription_optins')
      .selectAll()
      .where('user_id', '=', alice.me.id)
      .execute()
    expect(optIn).toMatchObject({ status: 'used', used_for_issue_id: await issueId('shanxi-34') })

    // Re-importing, restarting the sweep or publishing the next issue sends nothing more: the opt-in is used.
    issueFile(contentDir, { slug: 'shanxi-35', region: 'shanxi', number: 35, date: '2026-11-21', title: '第三十五期' })
    await publish()
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ announced: 1, queued: 0, sent: 0 })
    expect(await sent()).toHaveLength(1)
    // Bob subscribed to 北京, where nothing was published.
    expect(await sent('bob')).toHaveLength(0)
    expect((await get('/api/subscriptions?region=beijing', bob.token)).json().openOptIns).toBe(1)
  })

  it('waits for an issue dated in the future until its day comes', async () => {
    const { token } = await t.login('alice')
    await subscribe('alice', token)
    const day = shanghaiDate(clock + 3 * 24 * 3600 * 1000)
    issueFile(contentDir, { slug: 'shanxi-40', region: 'shanxi', number: 40, date: day, title: '预告的一期' })
    await publish()
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ queued: 0 })
    expect(await sent()).toHaveLength(0)
    clock = Date.parse(`${day}T00:00:00+08:00`)
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ queued: 1, sent: 1 })
    expect((await sent())[0].data.thing1.value).toBe('预告的一期')
  })

  it('two issues at the same moment and two sweeping processes: one message per opt-in', async () => {
    const readers = ['r1', 'r2', 'r3']
    for (const reader of readers) await subscribe(reader, (await t.login(reader)).token)
    const dora = (await t.login('dora')).token
    await subscribe('dora', dora)
    await subscribe('dora', dora)
    await t.app.services.subscriptionSweep.runOnce() // the seed issue: nobody is waiting for it

    issueFile(contentDir, { slug: 'shanxi-41', region: 'shanxi', number: 41, date: '2026-11-25', title: '第四十一期' })
    issueFile(contentDir, { slug: 'shanxi-42', region: 'shanxi', number: 42, date: '2026-11-25', title: '第四十二期' })
    await publish()

    // A second API process on the same database. On SQLite it shares the connection: two connections in one
    // thread would only lock each other, where two processes wait for each other (busy_timeout).
    const second = await buildApp({
      config: t.app.config,
      db: t.db,
      logger: pino({ level: 'silent' }),
      now: () => clock,
    })
    extraApps.push(second)
    // Both processes announce and send at once, without the lease that normally keeps them apart.
    const announced = await Promise.all([
      t.app.services.subscriptionSweep.announceNew(),
      second.services.subscriptionSweep.announceNew(),
      t.app.services.subscriptionSweep.announceNew(),
    ])
    expect(announced.reduce((sum, result) => sum + result.announced, 0)).toBe(2)
    expect(announced.reduce((sum, result) => sum + result.queued, 0)).toBe(5)
    await Promise.all([t.app.services.subscriptionSweep.sendDue(), second.services.subscriptionSweep.sendDue()])

    const messages = await sent()
    expect(messages).toHaveLength(5)
    for (const reader of readers) expect(await sent(reader)).toHaveLength(1)
    const doras = await sent('dora')
    expect(new Set(doras.map((message) => message.page)).size).toBe(2)
    const rows = await outbox()
    expect(rows).toHaveLength(5)
    expect(rows.every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true)
    const open = await t.db.kysely.selectFrom('subscription_optins').selectAll().where('status', '=', 'open').execute()
    expect(open).toEqual([])
  })

  it('43101 (no accept left at WeChat) fails the message without retrying or an error log', async () => {
    const { token } = await t.login('erin')
    await subscribe('erin', token) // accepted once on the phone
    await subscribe('erin', token, 'shanxi', false) // the app reported a second accept WeChat never granted
    await t.app.services.subscriptionSweep.runOnce()
    issueFile(contentDir, { slug: 'shanxi-51', region: 'shanxi', number: 51, date: '2026-11-25', title: '第五十一期' })
    await publish()
    await t.app.services.subscriptionSweep.runOnce()
    issueFile(contentDir, { slug: 'shanxi-52', region: 'shanxi', number: 52, date: '2026-11-26', title: '第五十二期' })
    await publish()
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ queued: 1, sent: 0, failed: 1 })

    expect(await sent('erin')).toHaveLength(1)
    const rows = await outbox()
    expect(rows.map((row) => [row.status, row.attempts, row.errcode])).toEqual([
      ['sent', 1, null],
      ['failed', 1, 43101],
    ])
    clock += 24 * 3600 * 1000
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ sent: 0, failed: 0, retrying: 0 })
    expect((await outbox())[1].attempts).toBe(1)
    const errors = t.logs.lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50)
    expect(errors).toEqual([])
    expect(t.logs.text()).not.toContain(t.secrets.appSecret)
  })

  it('retries a message after WeChat was busy, and sends it once', async () => {
    const { token } = await t.login('frank')
    await subscribe('frank', token)
    await t.app.services.subscriptionSweep.runOnce()
    issueFile(contentDir, { slug: 'shanxi-61', region: 'shanxi', number: 61, date: '2026-11-25', title: '第六十一期' })
    await publish()
    await t.control('/faults', { path: '/cgi-bin/message/subscribe/send', errcode: -1, count: 1 })

    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ queued: 1, sent: 0, retrying: 1 })
    expect((await outbox())[0]).toMatchObject({ status: 'pending', attempts: 1, errcode: -1 })
    // Not before its backoff has passed.
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ sent: 0, retrying: 0 })
    clock += 60_000
    expect(await t.app.services.subscriptionSweep.runOnce()).toMatchObject({ sent: 1 })
    expect((await outbox())[0]).toMatchObject({ status: 'sent', attempts: 2 })
    expect(await sent('frank')).toHaveLength(1)
  })

  it('is off without a template: the app is told so and opt-ins are refused', async () => {
    const off = await startWeChatTestApp(dialect, { config: { SUBSCRIBE_TEMPLATE_ID: '' } })
    try {
      const { token } = await off.login('gina')
      const state = await off.app.inject({
        method: 'GET',
        url: '/api/subscriptions?region=shanxi',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(state.json()).toEqual({ templateId: '', available: false, openOptIns: 0 })
      const refused = await off.app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        headers: { authorization: `Bearer ${token}` },
        payload: { region: 'shanxi', templateId: SIM_SUBSCRIBE_TEMPLATE_ID },
      })
      expect(errorOf(refused)).toEqual([409, 'SUBSCRIPTIONS_OFF'])
    } finally {
      await off.close()
    }
  })
})
