import type { InjectOptions } from 'fastify'
import { sql } from 'kysely'
import { dialects, errorOf, startWeChatTestApp, type WeChatTestApp } from '../helpers'

/**
 * Signing in to the operator console: password (break-glass) and scan sign-in through the
 * simulator's 小程序码, the session cookie, its idle expiry, CSRF, and the audit rows.
 */
describe.each(dialects())('console sessions on %s', (dialect) => {
  let t: WeChatTestApp
  let clock = Date.UTC(2025, 2, 1, 2, 0, 0)
  const cookieOf = (response: { cookies: Array<{ name: string; value: string }> }) => {
    const cookie = response.cookies.find((c) => c.name === 'beichen_admin')
    if (!cookie) throw new Error('no beichen_admin cookie')
    return `beichen_admin=${encodeURIComponent(cookie.value)}`
  }
  const inject = (options: InjectOptions) => t.app.inject(options)
  const signIn = (name: string, password: string, remoteAddress = '192.0.2.1') =>
    inject({ method: 'POST', url: '/api/admin/session/password', payload: { name, password }, remoteAddress })
  const actions = async () =>
    (await t.app.services.audit.list({ limit: 200 })).items.map((item) => `${item.action} ${item.operatorName}`)

  beforeAll(async () => {
    t = await startWeChatTestApp(dialect, { now: () => clock })
    await t.app.services.operators.add({ name: 'alice', role: 'editor', password: 'correct horse battery' }, clock)
  }, 60000)
  afterAll(() => t.close())

  it('signs in with a password: an HttpOnly SameSite=Strict cookie and a CSRF token', async () => {
    const response = await signIn('alice', 'correct horse battery')
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.operator).toEqual({ id: expect.any(Number), name: 'alice', role: 'editor' })
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/)
    const cookie = response.cookies.find((c) => c.name === 'beichen_admin')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' })
    expect(cookie?.secure).toBeFalsy() // Secure only in production
    expect(response.body).not.toContain('correct horse')

    const session = await inject({ method: 'GET', url: '/api/admin/session', headers: { cookie: cookieOf(response) } })
    expect(session.statusCode).toBe(200)
    expect(session.json()).toEqual({ operator: body.operator, csrfToken: body.csrfToken })
    const audit = (await t.app.services.audit.list({ limit: 5 })).items[0]
    expect(audit).toMatchObject({
      action: 'operator.sign_in',
      operatorName: 'alice',
      target: `operator:${body.operator.id}`,
    })
    expect(JSON.stringify(audit)).not.toContain('correct horse')
  })

  it('answers a wrong password and an unknown name alike', async () => {
    const wrong = await signIn('alice', 'not the password at all', '192.0.2.2')
    const unknown = await signIn('mallory', 'not the password at all', '192.0.2.2')
    expect(errorOf(wrong)).toEqual([401, 'INVALID_CREDENTIALS'])
    expect(unknown.statusCode).toBe(wrong.statusCode)
    expect(unknown.body).toBe(wrong.body)
    expect(wrong.cookies.filter((c) => c.name === 'beichen_admin')).toEqual([])
  })

  it('throttles sign-in attempts after 10 a minute, per address and per name', async () => {
    for (let i = 0; i < 10; i++) expect((await signIn('bob', 'wrong password!', '192.0.2.3')).statusCode).toBe(401)
    expect(errorOf(await signIn('bob', 'wrong password!', '192.0.2.3'))).toEqual([429, 'RATE_LIMITED'])
    // Another address trying the same name is held too.
    expect(errorOf(await signIn('bob', 'wrong password!', '192.0.2.4'))).toEqual([429, 'RATE_LIMITED'])
    // Past the window, the operator's own sign-in works again.
    clock += 61000
    expect((await signIn('alice', 'correct horse battery', '192.0.2.3')).statusCode).toBe(200)
  })

  it('ends a session idle for longer than 30 minutes, and refreshes one in use', async () => {
    const cookie = cookieOf(await signIn('alice', 'correct horse battery', '192.0.2.5'))
    const get = (c: string) => inject({ method: 'GET', url: '/api/admin/session', headers: { cookie: c } })
    clock += 29 * 60000
    const used = await get(cookie)
    expect(used.statusCode).toBe(200)
    const refreshed = cookieOf(used)
    clock += 29 * 60000
    expect((await get(refreshed)).statusCode).toBe(200)
    clock += 31 * 60000
    expect(errorOf(await get(refreshed))).toEqual([401, 'ADMIN_LOGIN_REQUIRED'])
  })

  it('wants x-csrf-token on changes, and signs out', async () => {
    const response = await signIn('alice', 'correct horse battery', '192.0.2.6')
    const cookie = cookieOf(response)
    const { csrfToken } = response.json()
    const without = await inject({ method: 'DELETE', url: '/api/admin/session', headers: { cookie } })
    expect(errorOf(without)).toEqual([403, 'CSRF_REQUIRED'])
    const wrong = await inject({
      method: 'DELETE',
      url: '/api/admin/session',
      headers: { cookie, 'x-csrf-token': `${csrfToken.slice(1)}x` },
    })
    expect(errorOf(wrong)).toEqual([403, 'CSRF_REQUIRED'])
    const out = await inject({
      method: 'DELETE',
      url: '/api/admin/session',
      headers: { cookie, 'x-csrf-token': csrfToken },
    })
    expect(out.statusCode).toBe(204)
    expect(out.cookies.find((c) => c.name === 'beichen_admin')?.value).toBe('')
    expect((await actions())[0]).toBe('operator.sign_out alice')
  })

  it('never takes a reader bearer token for an operator', async () => {
    const { token } = await t.login('reader-one')
    const headers = { authorization: `Bearer ${token}` }
    expect(errorOf(await inject({ method: 'GET', url: '/api/admin/session', headers }))).toEqual([
      401,
      'ADMIN_LOGIN_REQUIRED',
    ])
    expect(errorOf(await inject({ method: 'DELETE', url: '/api/admin/session', headers }))).toEqual([
      401,
      'ADMIN_LOGIN_REQUIRED',
    ])
    expect(() => t.app.requireOperator({ operator: null } as never)).toThrow(/sign in to the console/)
  })

  it('checks roles: admin always passes, others only when named', () => {
    const as = (role: 'editor' | 'finance' | 'admin') => ({ operator: { id: 1, name: 'x', role } }) as never
    expect(t.app.requireOperator(as('admin'), ['finance']).role).toBe('admin')
    expect(t.app.requireOperator(as('finance'), ['finance']).role).toBe('finance')
    expect(() => t.app.requireOperator(as('editor'), ['finance'])).toThrow(/finance, admin/)
  })

  it('signs in by scanning the 小程序码 with an operator’s WeChat account', async () => {
    // The operator's WeChat account is the openid of a reader of the mini-program.
    const scanner = await t.login('ops-carol')
    const { openid } = await t.db.kysely
      .selectFrom('users')
      .select('openid')
      .where('id', '=', scanner.body.me.id)
      .executeTakeFirstOrThrow()
    const carol = await t.app.services.operators.add(
      { name: 'carol', role: 'finance', openid: openid as string },
      clock,
    )

    const started = await inject({ method: 'POST', url: '/api/admin/session/scan' })
    expect(started.statusCode).toBe(200)
    const { ticket, codeUrl, expiresAt } = started.json()
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(codeUrl).toBe(`/api/admin/session/scan/${ticket}/code.png`)
    expect(Date.parse(expiresAt)).toBe(clock + 5 * 60000)

    const code = await inject({ method: 'GET', url: codeUrl })
    expect(code.statusCode).toBe(200)
    expect(code.headers['content-type']).toBe('image/png')
    expect(code.rawPayload.subarray(1, 4).toString()).toBe('PNG')
    const scanned = await fetch(`${t.sim}/__phone/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: code.rawPayload.toString('base64') }),
    })
    expect(await scanned.json()).toEqual({ scene: ticket, page: 'subpackages/admin/pages/confirm' })

    const poll = () => inject({ method: 'GET', url: `/api/admin/session/scan/${ticket}` })
    expect((await poll()).json()).toEqual({ status: 'waiting' })
    const confirm = (token: string, which = ticket) =>
      inject({
        method: 'POST',
        url: '/api/scan-login/confirm',
        headers: { authorization: `Bearer ${token}` },
        payload: { ticket: which },
      })
    expect((await confirm(scanner.token)).statusCode).toBe(204)
    const confirmed = await poll()
    expect(confirmed.json()).toEqual({
      status: 'confirmed',
      operator: { id: carol.id, name: 'carol', role: 'finance' },
      csrfToken: expect.any(String),
    })
    const session = await inject({ method: 'GET', url: '/api/admin/session', headers: { cookie: cookieOf(confirmed) } })
    expect(session.json().operator.name).toBe('carol')
    // One confirmation, one session: the next poll finds the ticket used.
    expect((await poll()).json()).toEqual({ status: 'expired' })
    expect(errorOf(await confirm(scanner.token))).toEqual([410, 'TICKET_EXPIRED'])
    expect(errorOf(await inject({ method: 'GET', url: codeUrl }))).toEqual([410, 'TICKET_EXPIRED'])

    // A reader who is not an operator is refused, and so is the ticket.
    const stranger = await t.login('not-an-operator')
    const second = (await inject({ method: 'POST', url: '/api/admin/session/scan' })).json().ticket as string
    expect(errorOf(await confirm(stranger.token, second))).toEqual([403, 'NOT_AN_OPERATOR'])
    expect((await inject({ method: 'GET', url: `/api/admin/session/scan/${second}` })).json()).toEqual({
      status: 'refused',
    })

    // A ticket not confirmed within 5 minutes expires; unknown ones are 404.
    const third = (await inject({ method: 'POST', url: '/api/admin/session/scan' })).json().ticket as string
    clock += 5 * 60000 + 1
    expect((await inject({ method: 'GET', url: `/api/admin/session/scan/${third}` })).json()).toEqual({
      status: 'expired',
    })
    expect(errorOf(await confirm(scanner.token, third))).toEqual([410, 'TICKET_EXPIRED'])
    expect(errorOf(await confirm(scanner.token, 'x'.repeat(32)))).toEqual([404, 'TICKET_NOT_FOUND'])
    // Confirming needs the reader's token.
    expect(
      errorOf(await inject({ method: 'POST', url: '/api/scan-login/confirm', payload: { ticket: third } })),
    ).toEqual([401, 'LOGIN_REQUIRED'])

    const trail = await actions()
    expect(trail.slice(0, 3)).toEqual([
      expect.stringMatching(/^operator\.scan_refused reader:\d+$/),
      'operator.sign_in carol',
      'operator.scan_confirm carol',
    ])
  })

  it('keeps the audit trail append-only', async () => {
    // Row triggers fire only on rows: make sure there is one to change.
    await t.app.services.audit.record({
      operator: { id: null, name: 'test' },
      action: 'test.append_only',
      target: 'admin_audit',
      reason: 'a row the test tries to change',
    })
    // toMatchObject, not toThrow: better-sqlite3's errors come from the realm of the first test file
    // that loaded it in this worker, so they are not instances of this file's Error.
    const refused = { message: expect.stringMatching(/append-only/) }
    await expect(sql`update admin_audit set reason = 'changed'`.execute(t.db.kysely)).rejects.toMatchObject(refused)
    await expect(sql`delete from admin_audit`.execute(t.db.kysely)).rejects.toMatchObject(refused)
  })
})
