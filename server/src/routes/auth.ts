import type { App } from '../app'
import { LoginBody, LoginResult } from '../schemas/auth'
import { errorResponses } from '../schemas/common'
import { Type } from '@sinclair/typebox'
import { createRateLimiter, enforceRateLimit } from '../infra/rate-limiter'

const MINUTE_MS = 60000

export async function authRoutes(app: App, options: { now: () => number }): Promise<void> {
  const { now } = options
  const perAddress = createRateLimiter(app.config.LOGIN_RATE_PER_IP, MINUTE_MS)
  const perUser = createRateLimiter(app.config.LOGIN_RATE_PER_USER, MINUTE_MS)

  app.post(
    '/auth/login',
    {
      schema: {
        summary: 'Sign in with a wx.login code: the server asks WeChat who it is and returns its own token',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: LoginResult, 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const at = now()
      await enforceRateLimit(perAddress, request.ip, at, 'sign-ins')
      const identity = await app.accounts.exchangeCode(request.body.code)
      await enforceRateLimit(perUser, identity.openid, at, 'sign-ins')
      const session = await app.accounts.signIn(identity, at)
      request.log.info({ userId: session.userId }, 'signed in with WeChat')
      return {
        token: session.token,
        expiresAt: new Date(session.expiresAt).toISOString(),
        me: await app.accounts.me(session.userId, at),
      }
    },
  )

  app.post(
    '/auth/logout',
    {
      schema: {
        summary: 'Sign out this session',
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = app.requireSession(request)
      await app.accounts.revokeSession(session.tokenHash, now())
      app.viewerCache.clear()
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/logout-all',
    {
      schema: {
        summary: 'Sign out every session of this reader, on every device',
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = app.requireSession(request)
      await app.accounts.revokeAllSessions(session.userId, now())
      app.viewerCache.clear()
      return reply.code(204).send(null)
    },
  )
}
