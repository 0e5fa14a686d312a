import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { badRequest, lenientJsonBodies } from './http'
import { openidFor, unionidFor } from './ids'
import type { SimState } from './state'

/**
 * The control side, under /__control: switches for tests. Not part of WeChat, not reachable from
 * the browser (no CORS), and like the phone side it answers HTTP 400 on a bad request.
 */

const FaultBody = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'an upstream route path, e.g. /sns/jscode2session' }),
    errcode: Type.Optional(Type.Integer()),
    errmsg: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000 })),
    httpStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
  },
  { additionalProperties: false },
)

const ClockBody = Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })

const UserParams = Type.Object({ user: Type.String({ minLength: 1, maxLength: 32 }) })
const UserQuery = Type.Object({ appid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) })

export async function controlRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  lenientJsonBodies(app)
  const api = app.withTypeProvider<TypeBoxTypeProvider>()

  api.post('/faults', { schema: { body: FaultBody } }, async (request) => {
    const fault = request.body
    if (!state.upstreamPaths.has(fault.path)) {
      const known = [...state.upstreamPaths].sort().join(', ')
      throw badRequest(`unknown path; known: ${known}`)
    }
    if (fault.errcode === undefined && fault.delayMs === undefined && fault.httpStatus === undefined) {
      throw badRequest('a fault needs errcode, delayMs or httpStatus')
    }
    if (fault.errcode === 0) throw badRequest('errcode 0 is success, not a fault')
    state.faults.add(fault)
    return { ok: true, pending: state.faults.pending() }
  })

  api.post('/reset', async () => {
    state.reset()
    return { ok: true }
  })

  api.get('/stats', async () => {
    const calls: Record<string, number> = {}
    for (const path of [...state.upstreamPaths].sort()) calls[path] = state.calls.get(path) ?? 0
    return { calls, tokensIssued: state.tokens.issued, faults: state.faults.pending() }
  })

  api.post('/clock', { schema: { body: ClockBody } }, async (request) => {
    state.clock.advance(request.body.advanceMs)
    return { now: state.clock.now(), offsetMs: state.clock.offset }
  })

  // What WeChat knows about a test user: the ids, and the session_key of the latest login (or null).
  api.get('/users/:user', { schema: { params: UserParams, querystring: UserQuery } }, async (request) => {
    const { user } = request.params
    const appid = request.query.appid ?? state.config.appid
    const openid = openidFor(appid, user)
    const session = appid === state.config.appid ? state.logins.session(openid) : undefined
    return {
      user,
      appid,
      openid,
      unionid: unionidFor(user),
      sessionKey: session?.sessionKey ?? null,
      loginAt: session?.loginAt ?? null,
    }
  })
}
