import type { OperatorRole } from '../src/domain/operators'
import { errorOf, startTestApp, type DialectName, type TestApp } from './helpers'

/** Signing operators in and calling /api/admin/* as them, for the console's route tests. */

export const OPERATOR_PASSWORD = 'a-long-enough-passphrase'

export type AdminSession = { cookie: string; csrf: string }
export type Caller = { app: TestApp['app'] }

/** Adds an operator and signs them in through the console's password route */
export async function signInOperator(t: Caller, role: OperatorRole, name = `op-${role}`): Promise<AdminSession> {
  await t.app.services.operators.add({ name, role, password: OPERATOR_PASSWORD }, Date.now())
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/admin/session/password',
    payload: { name, password: OPERATOR_PASSWORD },
  })
  expect(response.statusCode).toBe(200)
  const setCookie = response.headers['set-cookie']
  const cookie = (Array.isArray(setCookie) ? setCookie : [setCookie ?? '']).map((c) => c.split(';')[0]).join('; ')
  return { cookie, csrf: response.json().csrfToken }
}

/** Calls a route as one of the signed-in operators (or nobody), with their CSRF token on POST and PATCH unless told not to */
export function caller(t: Caller, sessions: Partial<Record<OperatorRole, AdminSession>>) {
  return (
    method: 'GET' | 'HEAD' | 'POST' | 'PATCH',
    url: string,
    options: { as?: OperatorRole; payload?: unknown; csrf?: boolean; bearer?: string } = {},
  ) => {
    const session = options.as ? sessions[options.as] : undefined
    return t.app.inject({
      method,
      url,
      headers: {
        ...(session ? { cookie: session.cookie } : {}),
        ...(session && method !== 'GET' && method !== 'HEAD' && options.csrf !== false
          ? { 'x-csrf-token': session.csrf }
          : {}),
        ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
      },
      ...(options.payload === undefined ? {} : { payload: options.payload as object }),
    })
  }
}

/**
 * A test app of its own for a describe block, with an admin, a finance and an editor operator
 * signed in (op-admin, op-finance, op-editor); `call` as in `caller`, `auditRows` newest first.
 */
export function useAdminTestApp(dialect: DialectName) {
  let t: TestApp | undefined
  const sessions: Partial<Record<OperatorRole, AdminSession>> = {}
  const current = (): TestApp => {
    if (!t) throw new Error('the test app starts in beforeAll')
    return t
  }
  const target: Caller = {
    get app() {
      return current().app
    },
  }
  const env = {
    get t(): TestApp {
      return current()
    },
    get app(): TestApp['app'] {
      return current().app
    },
    call: caller(target, sessions),
    auditRows: (action: string) =>
      current()
        .db.kysely.selectFrom('admin_audit')
        .selectAll()
        .where('action', '=', action)
        .orderBy('id', 'desc')
        .execute(),
  }
  beforeAll(async () => {
    t = await startTestApp(dialect)
    for (const role of ['admin', 'finance', 'editor'] as const) sessions[role] = await signInOperator(target, role)
  })
  afterAll(() => t?.close())
  return env
}

/** A route, a role that may call it, a role that may not (null: every role may), and a body */
export type GuardedRoute = ['GET' | 'POST' | 'PATCH', string, OperatorRole, OperatorRole | null, unknown?]

/**
 * Each route answers 401 without a session (a reader's bearer token counts for nothing), 403 to a
 * role that may not, and on POST and PATCH 403 without the CSRF token; a GET by the role that may is no 401.
 */
export async function expectGuarded(
  call: ReturnType<typeof caller>,
  routes: GuardedRoute[],
  readerToken: string,
): Promise<void> {
  for (const [method, url, allowed, refused, payload] of routes) {
    expect([url, ...errorOf(await call(method, url, { payload }))]).toEqual([url, 401, 'ADMIN_LOGIN_REQUIRED'])
    expect([url, ...errorOf(await call(method, url, { payload, bearer: readerToken }))]).toEqual([
      url,
      401,
      'ADMIN_LOGIN_REQUIRED',
    ])
    if (refused) {
      expect([url, ...errorOf(await call(method, url, { as: refused, payload }))]).toEqual([
        url,
        403,
        'ADMIN_ROLE_REQUIRED',
      ])
    }
    if (method !== 'GET') {
      expect([url, ...errorOf(await call(method, url, { as: allowed, payload, csrf: false }))]).toEqual([
        url,
        403,
        'CSRF_REQUIRED',
      ])
    } else {
      expect([url, (await call(method, url, { as: allowed })).statusCode]).not.toEqual([url, 401])
    }
  }
}
