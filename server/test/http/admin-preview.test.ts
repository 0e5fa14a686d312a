import fs from 'node:fs'
import type { InjectOptions } from 'fastify'
import type { OperatorRole } from '../../src/domain/operators'
import {
  dialects,
  errorOf,
  issueToken,
  SEED_ISSUE_FILE,
  startWeChatTestApp,
  vipSentences,
  type WeChatTestApp,
} from '../helpers'

/**
 * "Preview as" (docs/console.md): an editor's ticket reads one issue, of any status, cut by the
 * real gating for a pretend viewer; it reads nothing else, expires, is never cached and never
 * counts a view.
 */
jest.setTimeout(60000)

const PASSWORD = 'a-long-enough-passphrase'
const H5_BASE = 'http://h5.example:10086/'
const SEED_SLUG = 'shanxi-32-zhongbu-chengshiqun'
type Persona = 'guest' | 'reader' | 'vip' | 'moments'
type Session = { cookie: string; csrf: string }

/** A copy of the seed issue under another slug and number, with the given status */
function issueFile(slug: string, number: number, status: string): string {
  return fs
    .readFileSync(SEED_ISSUE_FILE, 'utf8')
    .replace(/^slug: .*$/m, `slug: ${slug}`)
    .replace(/^number: .*$/m, `number: ${number}`)
    .replace(/^author: (.*)$/m, `author: $1\nstatus: ${status}`)
}

describe.each(dialects())('preview tickets on %s', (dialect) => {
  let t: WeChatTestApp
  // Whole seconds: a ticket's expiry is in seconds.
  let clock = Math.floor(Date.now() / 1000) * 1000
  const sessions: Partial<Record<OperatorRole, Session>> = {}
  let seedId = 0
  let draftId = 0
  let vipToken = ''
  const vip = vipSentences()
  const inject = (options: InjectOptions) => t.app.inject(options)

  const asOperator = (role: OperatorRole | null, options: InjectOptions & { csrf?: boolean }) => {
    const session = role ? sessions[role] : undefined
    return inject({
      ...options,
      headers: {
        ...options.headers,
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && options.csrf !== false ? { 'x-csrf-token': session.csrf } : {}),
      },
    })
  }
  const ticketFor = async (issueId: number, as: Persona): Promise<string> => {
    const response = await asOperator('editor', {
      method: 'POST',
      url: `/api/admin/issues/${issueId}/preview`,
      payload: { as },
    })
    expect(response.statusCode).toBe(200)
    return response.json().ticket
  }
  const read = (url: string, ticket: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') =>
    inject({ method, url, headers: { 'x-preview-ticket': ticket, ...headers } })
  const leaks = (body: string) => vip.filter((sentence) => body.includes(sentence))
  const viewCount = async (id: number) => {
    await t.app.services.views.flush()
    const row = await t.db.kysely
      .selectFrom('issues')
      .select('view_count')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    return Number(row.view_count)
  }

  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, { now: () => clock, config: { PREVIEW_H5_BASE: H5_BASE } })
    for (const role of ['editor', 'finance'] as const) {
      const name = `op-${role}`
      await t.app.services.operators.add({ name, role, password: PASSWORD }, clock)
      const signedIn = await inject({
        method: 'POST',
        url: '/api/admin/session/password',
        payload: { name, password: PASSWORD },
      })
      const cookie = signedIn.cookies.find((c) => c.name === 'beichen_admin')
      sessions[role] = {
        cookie: `beichen_admin=${encodeURIComponent(cookie?.value ?? '')}`,
        csrf: signedIn.json().csrfToken,
      }
    }
    const seed = await t.db.kysely
      .selectFrom('issues')
      .select('id')
      .where('slug', '=', SEED_SLUG)
      .executeTakeFirstOrThrow()
    seedId = seed.id
    const imported = await t.app.services.issueDesk.import(issueFile('preview-draft', 9032, 'draft'), 'd.md', clock)
    if (!imported.saved) throw new Error(`the draft did not import: ${JSON.stringify(imported)}`)
    draftId = imported.id as number
    // A real VIP reader, given days by finance as the console does.
    const reader = await issueToken(t.db, 'vip-reader')
    vipToken = reader.token
    const granted = await asOperator('finance', {
      method: 'POST',
      url: `/api/admin/readers/${reader.userId}/vip`,
      payload: { days: 30, reason: 'preview test' },
    })
    expect(granted.statusCode).toBe(200)
    expect(vip.length).toBeGreaterThan(3)
  })
  afterAll(() => t?.close())

  it('gives editors and admins a ticket, with CSRF, and nobody else', async () => {
    const url = `/api/admin/issues/${seedId}/preview`
    const payload = { as: 'guest' }
    expect(errorOf(await asOperator(null, { method: 'POST', url, payload }))).toEqual([401, 'ADMIN_LOGIN_REQUIRED'])
    expect(errorOf(await asOperator('finance', { method: 'POST', url, payload }))).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
    expect(errorOf(await asOperator('editor', { method: 'POST', url, payload, csrf: false }))).toEqual([
      403,
      'CSRF_REQUIRED',
    ])
    // A reader's bearer token is nobody here.
    expect(
      errorOf(await inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${vipToken}` } })),
    ).toEqual([401, 'ADMIN_LOGIN_REQUIRED'])
    expect(errorOf(await asOperator('editor', { method: 'POST', url, payload: { as: 'operator' } }))).toEqual([
      400,
      'INVALID_BODY',
    ])
    expect(
      errorOf(await asOperator('editor', { method: 'POST', url: '/api/admin/issues/999999/preview', payload })),
    ).toEqual([404, 'ISSUE_NOT_FOUND'])

    const issued = await asOperator('editor', { method: 'POST', url, payload: { as: 'vip' } })
    expect(issued.statusCode).toBe(200)
    expect(issued.headers['cache-control']).toBe('no-store')
    const body = issued.json()
    expect(body.ticket.length).toBeLessThanOrEqual(32)
    // The ticket is also a 小程序码 scene: only characters a scene may have.
    expect(body.ticket).toMatch(/^[0-9A-Za-z._-]+$/)
    expect(body).toEqual({
      issueId: seedId,
      as: 'vip',
      ticket: body.ticket,
      url: `http://h5.example:10086/#/subpackages/article/pages/index?id=${seedId}&preview=${body.ticket}&as=vip`,
      codeUrl: `/api/admin/issues/${seedId}/preview/code.png?ticket=${body.ticket}`,
      expiresAt: new Date(clock + 10 * 60000).toISOString(),
    })
  })

  it('cuts the issue for a guest: the paywall and no VIP sentence, whatever Authorization says', async () => {
    const ticket = await ticketFor(seedId, 'guest')
    const authorizations: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${vipToken}` },
      { authorization: 'Bearer not-a-token' },
    ]
    for (const headers of authorizations) {
      const response = await read(`/api/issues/${seedId}`, ticket, headers)
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const issue = response.json()
      expect(issue.access).toMatchObject({ granted: false, reason: 'login_required' })
      expect(issue.access.paywall.title).toBe('本篇为VIP章节')
      expect(leaks(response.body)).toEqual([])
    }
    // The same VIP token without a ticket does read the VIP part: the ticket, not the token, decided.
    const asReader = await inject({
      method: 'GET',
      url: `/api/issues/${seedId}`,
      headers: { authorization: `Bearer ${vipToken}` },
    })
    expect(asReader.json().access.granted).toBe(true)
  })

  it('cuts it for a reader without VIP, a VIP member and Moments single-page mode', async () => {
    const reader = await read(`/api/issues/${seedId}`, await ticketFor(seedId, 'reader'))
    expect(reader.json().access).toMatchObject({ granted: false, reason: 'membership_required' })
    expect(leaks(reader.body)).toEqual([])

    const moments = await read(`/api/issues/${seedId}`, await ticketFor(seedId, 'moments'))
    expect(moments.json().access).toMatchObject({ granted: false, reason: 'login_required' })
    expect(leaks(moments.body)).toEqual([])

    const member = await read(`/api/issues/${seedId}`, await ticketFor(seedId, 'vip'))
    expect(member.statusCode).toBe(200)
    expect(member.json().access).toEqual({ granted: true, reason: 'member' })
    expect(leaks(member.body)).toEqual(vip)
  })

  it('never takes a cut from the cache or puts one there', async () => {
    // An anonymous reader caches the paywalled cut; the VIP preview still gets the whole issue...
    const anonymous = await inject({ method: 'GET', url: `/api/issues/${seedId}` })
    expect(leaks(anonymous.body)).toEqual([])
    const member = await read(`/api/issues/${seedId}`, await ticketFor(seedId, 'vip'))
    expect(leaks(member.body)).toEqual(vip)
    // ...and after it, readers without VIP still get the cut they may read.
    t.app.services.dropContentCaches()
    await read(`/api/issues/${seedId}`, await ticketFor(seedId, 'vip'))
    const after = await inject({ method: 'GET', url: `/api/issues/${seedId}` })
    expect(after.json().access.granted).toBe(false)
    expect(leaks(after.body)).toEqual([])
  })

  it('counts no view', async () => {
    const before = await viewCount(seedId)
    for (const as of ['guest', 'reader', 'vip', 'moments'] as const) {
      expect((await read(`/api/issues/${seedId}`, await ticketFor(seedId, as))).statusCode).toBe(200)
    }
    expect(await viewCount(seedId)).toBe(before)
    // A real reader's read does count, so the count above could have moved.
    await inject({ method: 'GET', url: `/api/issues/${seedId}`, remoteAddress: '198.51.100.77' })
    expect(await viewCount(seedId)).toBe(before + 1)
  })

  it('reads a draft by its ticket, and the draft stays unpublished for everyone else', async () => {
    expect(errorOf(await inject({ method: 'GET', url: `/api/issues/${draftId}` }))).toEqual([404, 'ISSUE_NOT_FOUND'])
    const guest = await read(`/api/issues/${draftId}`, await ticketFor(draftId, 'guest'))
    expect(guest.statusCode).toBe(200)
    expect(guest.json().slug).toBe('preview-draft')
    expect(leaks(guest.body)).toEqual([])
    const member = await read(`/api/issues/${draftId}`, await ticketFor(draftId, 'vip'))
    expect(leaks(member.body)).toEqual(vip)
    expect(errorOf(await inject({ method: 'GET', url: `/api/issues/${draftId}` }))).toEqual([404, 'ISSUE_NOT_FOUND'])
    const list = await inject({ method: 'GET', url: '/api/issues?limit=50' })
    expect(list.json().items.map((item: { id: number }) => item.id)).not.toContain(draftId)
  })

  it('reads its own issue and nothing else', async () => {
    const ticket = await ticketFor(seedId, 'vip')
    const refused = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) => {
      const response = await read(url, ticket, headers, method)
      expect([url, ...errorOf(response)]).toEqual([url, 403, 'PREVIEW_TICKET_SCOPE'])
      expect(response.headers['cache-control']).toMatch(/^(private, )?no-store$/)
      expect(leaks(response.body)).toEqual([])
    }
    await refused('GET', `/api/issues/${draftId}`)
    await refused('GET', `/api/issues/${seedId}/pdf`)
    await refused('GET', `/api/issues/${seedId}/practice`)
    await refused('GET', '/api/issues')
    await refused('GET', '/api/search?q=山西')
    await refused('GET', '/api/me', { authorization: `Bearer ${vipToken}` })
    await refused('GET', '/api/orders', { authorization: `Bearer ${vipToken}` })
    await refused('POST', '/api/orders', { authorization: `Bearer ${vipToken}` })
    await refused('GET', `/api/favorites/${seedId}`)
    await refused('GET', '/api/history')
    await refused('POST', '/api/auth/login')
    await refused('GET', '/api/admin/issues', { cookie: sessions.editor?.cookie ?? '' })
    await refused('GET', '/api/no-such-route')
  })

  it('refuses expired, tampered and malformed tickets with stable codes', async () => {
    const ticket = await ticketFor(seedId, 'guest')
    const [id36, middle, mac] = ticket.split('.')
    const flip = (text: string, at: number) => {
      const chars = text.split('')
      chars[at] = chars[at] === 'A' ? 'B' : 'A'
      return chars.join('')
    }
    const bad = [
      `${id36}.${middle}.${flip(mac, 3)}`, // the MAC
      `${id36}.v${middle.slice(1)}.${mac}`, // guest made VIP
      `${(seedId + 1).toString(36)}.${middle}.${mac}`, // another issue
      `${id36}.${middle[0]}${(parseInt(middle.slice(1), 36) + 3600).toString(36)}.${mac}`, // a longer life
      'garbage',
      '',
      'x'.repeat(5000),
      `${ticket}.`,
      `0${ticket}`,
    ]
    for (const tampered of bad) {
      const response = await read(`/api/issues/${seedId}`, tampered)
      expect([tampered.slice(0, 40), ...errorOf(response)]).toEqual([
        tampered.slice(0, 40),
        401,
        'PREVIEW_TICKET_INVALID',
      ])
      expect(response.headers['cache-control']).toBe('no-store')
    }

    expect((await read(`/api/issues/${seedId}`, ticket)).statusCode).toBe(200)
    clock += 10 * 60000 - 1000
    expect((await read(`/api/issues/${seedId}`, ticket)).statusCode).toBe(200)
    clock += 1000
    try {
      expect(errorOf(await read(`/api/issues/${seedId}`, ticket))).toEqual([401, 'PREVIEW_TICKET_EXPIRED'])
    } finally {
      clock = Math.floor(Date.now() / 1000) * 1000
    }
  })

  it('draws the 小程序码 of a ticket that opens the article page in the mini-program', async () => {
    const ticket = await ticketFor(seedId, 'moments')
    const codeUrl = `/api/admin/issues/${seedId}/preview/code.png?ticket=${ticket}`
    expect(errorOf(await asOperator('finance', { method: 'GET', url: codeUrl }))).toEqual([403, 'ADMIN_ROLE_REQUIRED'])
    expect(
      errorOf(
        await asOperator('editor', {
          method: 'GET',
          url: `/api/admin/issues/${draftId}/preview/code.png?ticket=${ticket}`,
        }),
      ),
    ).toEqual([403, 'PREVIEW_TICKET_SCOPE'])
    const code = await asOperator('editor', { method: 'GET', url: codeUrl })
    expect(code.statusCode).toBe(200)
    expect(code.headers['content-type']).toBe('image/png')
    const scanned = await fetch(`${t.sim}/__phone/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: code.rawPayload.toString('base64') }),
    })
    expect(await scanned.json()).toEqual({ scene: ticket, page: 'subpackages/article/pages/index' })
  })

  it('lets the console frame the H5 build and nothing else', async () => {
    const policy = (await inject({ method: 'GET', url: '/admin/' })).headers['content-security-policy']
    expect(policy).toContain("frame-src 'self' http://h5.example:10086;")
    expect(policy).toContain("frame-ancestors 'none'")
  })

  it('documents the routes', async () => {
    const spec = (await inject({ method: 'GET', url: '/docs/json' })).json()
    expect(spec.paths['/api/admin/issues/{id}/preview'].post).toBeDefined()
    expect(spec.paths['/api/admin/issues/{id}/preview/code.png'].get).toBeDefined()
  })
})
