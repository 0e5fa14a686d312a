import crypto from 'node:crypto'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import { decodeKey } from '../config'
import type { Operator, OperatorRole } from '../domain/operators'
import { ApiError } from '../errors'
import type { App } from './types'

/**
 * @fastify/secure-session, loaded without its type declarations: they declare `request.session` as
 * theirs, which is the reader's session here (plugins/auth.ts). This app names its session
 * `adminSession` instead and types it as AdminSessionCookie (plugins/types.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const secureSession = require('@fastify/secure-session') as FastifyPluginCallback<{
  key: Buffer
  sessionName: string
  cookieName: string
  expiry: number
  cookie: { path: string; httpOnly: boolean; sameSite: 'strict'; secure: boolean }
}>

/** The console's session cookie */
export const ADMIN_COOKIE = 'beichen_admin'
/** What the encrypted cookie holds */
export interface AdminSessionData {
  operatorId: number
  csrfToken: string
  /** Epoch ms of the last request, for the idle expiry */
  lastSeenAt: number
}

/**
 * Console routes that work without a session (signing in, and the console polling its ticket).
 * Every other route under /api/admin/ needs a live session, and unsafe methods also the CSRF token.
 */
const OPEN_ROUTES = new Set([
  'GET /api/admin/session',
  'POST /api/admin/session/password',
  'POST /api/admin/session/scan',
  'GET /api/admin/session/scan/:ticket',
  'GET /api/admin/session/scan/:ticket/code.png',
])
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

const loginRequired = () =>
  new ApiError(401, 'ADMIN_LOGIN_REQUIRED', 'sign in to the console first (your session is missing or expired)')

/**
 * Operator sessions of the console: an encrypted cookie (@fastify/secure-session, `beichen_admin`,
 * HttpOnly, SameSite=Strict, Secure in production) holding {operatorId, csrfToken, lastSeenAt}.
 * A session idle ADMIN_IDLE_MINUTES ends; each request under /api/admin/ refreshes it. Reader bearer
 * tokens play no part here: an operator is only ever the cookie's, and only while enabled.
 */
export async function adminAuthPlugin(app: App): Promise<void> {
  const { config, services } = app
  let key = decodeKey(config.ADMIN_SESSION_KEY)
  if (!key) {
    // loadConfig refuses production without a key; elsewhere a key of this process will do.
    key = crypto.randomBytes(32)
    app.log.warn(
      'ADMIN_SESSION_KEY is not set: console sessions use a random key of this process and end when it restarts',
    )
  }
  const idleMs = config.ADMIN_IDLE_MINUTES * 60000
  await app.register(secureSession, {
    key,
    sessionName: 'adminSession',
    cookieName: ADMIN_COOKIE,
    // The cookie's own lifetime (checked on the wall clock) matches the idle expiry, checked below.
    expiry: config.ADMIN_IDLE_MINUTES * 60,
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: config.NODE_ENV === 'production' },
  })

  app.decorateRequest('operator', null)
  app.decorateRequest('adminCsrfToken', null)
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url
    if (!route?.startsWith('/api/admin/')) return
    const session = request.adminSession
    const data = session?.data() as Partial<AdminSessionData> | undefined
    const now = services.clock()
    if (data && typeof data.operatorId === 'number' && typeof data.csrfToken === 'string') {
      const fresh = typeof data.lastSeenAt === 'number' && now - data.lastSeenAt <= idleMs
      const operator = fresh ? await services.operators.byId(data.operatorId) : null
      if (operator) {
        request.operator = operator
        request.adminCsrfToken = data.csrfToken
        session.set('lastSeenAt', now)
      } else {
        session.delete()
      }
    }
    if (OPEN_ROUTES.has(`${request.method === 'HEAD' ? 'GET' : request.method} ${route}`)) return
    if (!request.operator) throw loginRequired()
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(request.headers['x-csrf-token'], request.adminCsrfToken)) {
      throw new ApiError(
        403,
        'CSRF_REQUIRED',
        'this request needs the header x-csrf-token with the csrfToken of your session',
      )
    }
  })

  app.decorate('requireOperator', (request: FastifyRequest, roles?: OperatorRole[]) => {
    const operator = request.operator
    if (!operator) throw loginRequired()
    if (roles && operator.role !== 'admin' && !roles.includes(operator.role)) {
      const allowed = [...new Set<OperatorRole>([...roles, 'admin'])].join(', ')
      throw new ApiError(403, 'ADMIN_ROLE_REQUIRED', `this needs the role ${allowed}; you are ${operator.role}`)
    }
    return operator
  })
}

/** Starts a session for `operator` on this request's reply; returns its CSRF token. */
export function startAdminSession(request: FastifyRequest, operator: Operator, now: number): string {
  const csrfToken = crypto.randomBytes(24).toString('base64url')
  const session = request.adminSession
  session.regenerate()
  session.set('operatorId', operator.id)
  session.set('csrfToken', csrfToken)
  session.set('lastSeenAt', now)
  request.operator = operator
  request.adminCsrfToken = csrfToken
  return csrfToken
}

export function endAdminSession(request: FastifyRequest): void {
  request.adminSession.delete()
  request.operator = null
  request.adminCsrfToken = null
}

function csrfMatches(header: string | string[] | undefined, token: string | null): boolean {
  if (typeof header !== 'string' || !token) return false
  const a = Buffer.from(header)
  const b = Buffer.from(token)
  return a.length === b.length && crypto.timingSafeEqual(a, b)
}
