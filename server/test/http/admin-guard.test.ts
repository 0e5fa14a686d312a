import { dialects, errorOf, issueToken, startTestApp, type TestApp } from '../helpers'
import { signInOperator, type AdminSession } from '../admin-callers'

/**
 * Every operator route the OpenAPI document lists, found there rather than listed by hand, so a
 * route added later is held to the same rules: without an operator session it is 401 (a reader's
 * bearer token counts for nothing), and an unsafe method without the CSRF token is 403 even for
 * an admin. Only signing in itself is open.
 */

const OPEN = [/^\/api\/admin\/session\/password$/, /^\/api\/admin\/session\/scan(\/|$)/]
const UNSAFE = new Set(['post', 'put', 'patch', 'delete'])
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

describe.each(dialects())('every /api/admin route on %s', (dialect) => {
  let t: TestApp
  let admin: AdminSession
  let routes: { method: Method; url: string }[]

  beforeAll(async () => {
    t = await startTestApp(dialect)
    admin = await signInOperator(t, 'admin')
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>
    }
    routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/admin/') && !OPEN.some((open) => open.test(path)))
      .flatMap(([path, operations]) =>
        Object.keys(operations)
          .filter((method) => method !== 'head')
          // Path parameters get a value of the right shape: the guard must answer before any lookup.
          .map((method) => ({ method: method.toUpperCase() as Method, url: path.replace(/\{[^}]+\}/g, '1') })),
      )
  })
  afterAll(() => t?.close())

  it('finds the console routes in the OpenAPI document', () => {
    const urls = routes.map((route) => `${route.method} ${route.url}`)
    expect(urls).toEqual(
      expect.arrayContaining(['GET /api/admin/dashboard', 'GET /api/admin/orders', 'POST /api/admin/orders/1/refund']),
    )
  })

  it('answers 401 to a call without an operator session, with or without a reader token', async () => {
    const reader = await issueToken(t.db, 'guard-outsider')
    for (const { method, url } of routes) {
      const payload = UNSAFE.has(method.toLowerCase()) ? {} : undefined
      const anonymous = await t.app.inject({ method, url, payload })
      expect([method, url, ...errorOf(anonymous)]).toEqual([method, url, 401, 'ADMIN_LOGIN_REQUIRED'])
      const withBearer = await t.app.inject({
        method,
        url,
        payload,
        headers: { authorization: `Bearer ${reader.token}` },
      })
      expect([method, url, ...errorOf(withBearer)]).toEqual([method, url, 401, 'ADMIN_LOGIN_REQUIRED'])
    }
  })

  it('refuses an unsafe call without the CSRF token, even from an admin', async () => {
    const unsafe = routes.filter((route) => UNSAFE.has(route.method.toLowerCase()))
    expect(unsafe.length).toBeGreaterThan(0)
    for (const { method, url } of unsafe) {
      const response = await t.app.inject({ method, url, payload: {}, headers: { cookie: admin.cookie } })
      expect([method, url, ...errorOf(response)]).toEqual([method, url, 403, 'CSRF_REQUIRED'])
    }
  })
})
