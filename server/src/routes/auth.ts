import type { App } from '../plugins/types'
import { LoginBody, LoginResult } from '../schemas/auth'
import { errorResponses } from '../schemas/common'
import { Type } from '@sinclair/typebox'

export async function authRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { accounts, throttles } = services

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
      await throttles.hit('signInsPerAddress', request.ip, at)
      const identity = await accounts.exchangeCode(request.body.code)
      await throttles.hit('signInsPerUser', identity.openid, at)
      const session = await accounts.signIn(identity, at)
      request.log.info({ userId: session.userId }, 'signed in with WeChat')
      return {
        token: session.token,
        expiresAt: new Date(session.expiresAt).toISOString(),
        me: await accounts.me(session.userId, at),
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
      await accounts.revokeSession(session.tokenHash, now())
      services.announce('session')
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
      await accounts.revokeAllSessions(session.userId, now())
      services.announce('session')
      return reply.code(204).send(null)
    },
  )
}
