import { Type } from '@sinclair/typebox'
import type { Operator } from '../../domain/operators'
import { ApiError } from '../../errors'
import { endAdminSession, startAdminSession } from '../../plugins/admin-auth'
import type { App, FastifyRequest } from '../../plugins/types'
import {
  AdminSessionDto,
  PasswordSignInBody,
  ScanCodeImage,
  ScanConfirmBody,
  ScanStatusDto,
  ScanTicketDto,
  TicketParams,
} from '../../schemas/admin-session'
import { ErrorBody, errorResponses } from '../../schemas/common'
import { sendMiniProgramCode } from './wxacode'

/** The page of the mini-program a console sign-in 小程序码 opens */
export const ADMIN_CONFIRM_PAGE = 'subpackages/admin/pages/confirm'

const invalidCredentials = () =>
  new ApiError(401, 'INVALID_CREDENTIALS', 'the name or the password is wrong (名称或密码错误)')

/**
 * Signing in to the operator console (docs/console.md): by scanning a 小程序码 with the
 * mini-program (the usual way) or with a password (break-glass); the session, and signing out.
 * Also the mini-program's side of a scan: POST /api/scan-login/confirm with the reader's token.
 * Registered under /api.
 */
export async function adminSessionRoutes(app: App): Promise<void> {
  const { services } = app
  const { operators, scanLogins, audit, throttles } = services
  const now = services.clock
  const actor = (operator: Operator) => ({ id: operator.id, name: operator.name })
  const sessionOf = (request: FastifyRequest) => {
    const operator = app.requireOperator(request)
    return { operator, csrfToken: request.adminCsrfToken ?? '' }
  }

  app.post(
    '/admin/session/password',
    {
      schema: {
        summary: 'Console sign-in with a name and password (break-glass): sets the session cookie',
        tags: ['console'],
        body: PasswordSignInBody,
        response: { 200: AdminSessionDto, ...errorResponses },
      },
    },
    async (request) => {
      const at = now()
      const { name, password } = request.body
      await throttles.hit('adminSignInsPerAddress', request.ip, at)
      await throttles.hit('adminSignInsPerName', name.normalize('NFC').trim().toLowerCase(), at)
      const operator = await operators.verifyPassword(name, password)
      if (!operator) {
        request.log.warn({ operatorName: name.slice(0, 32) }, 'console sign-in refused')
        throw invalidCredentials()
      }
      const csrfToken = startAdminSession(request, operator, at)
      await audit.record({
        operator: actor(operator),
        action: 'operator.sign_in',
        target: `operator:${operator.id}`,
        after: { method: 'password', address: request.ip },
      })
      return { operator, csrfToken }
    },
  )

  app.get(
    '/admin/session',
    {
      schema: {
        summary: 'The signed-in operator and the CSRF token of the session, or 401 ADMIN_LOGIN_REQUIRED',
        tags: ['console'],
        response: { 200: AdminSessionDto, ...errorResponses },
      },
    },
    async (request) => sessionOf(request),
  )

  app.delete(
    '/admin/session',
    {
      schema: {
        summary: 'Sign out of the console (needs x-csrf-token)',
        tags: ['console'],
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = app.requireOperator(request)
      endAdminSession(request)
      await audit.record({ operator: actor(operator), action: 'operator.sign_out', target: `operator:${operator.id}` })
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/admin/session/scan',
    {
      schema: {
        summary: 'Start a scan sign-in: a ticket and its 小程序码, valid 5 minutes',
        tags: ['console'],
        response: { 200: ScanTicketDto, ...errorResponses },
      },
    },
    async (request) => {
      const at = now()
      await throttles.hit('adminScanTickets', request.ip, at)
      const { ticket, expiresAt } = await scanLogins.create(at)
      return {
        ticket,
        codeUrl: `/api/admin/session/scan/${ticket}/code.png`,
        expiresAt: new Date(expiresAt).toISOString(),
      }
    },
  )

  app.get(
    '/admin/session/scan/:ticket/code.png',
    {
      schema: {
        summary: 'The 小程序码 of a waiting ticket (image/png), drawn by WeChat',
        tags: ['console'],
        params: TicketParams,
        response: { 200: ScanCodeImage, 410: ErrorBody, 503: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ticket } = request.params
      // Anyone may ask for the image of a waiting ticket, and each one costs a WeChat API call.
      await throttles.hit('adminScanCodesPerAddress', request.ip, now())
      if (!(await scanLogins.waiting(ticket, now()))) {
        throw new ApiError(410, 'TICKET_EXPIRED', 'this sign-in code has expired or was used: make a new one')
      }
      return sendMiniProgramCode(app, request, reply, { scene: ticket, page: ADMIN_CONFIRM_PAGE })
    },
  )

  app.get(
    '/admin/session/scan/:ticket',
    {
      schema: {
        summary: 'Poll a scan sign-in; the first answer `confirmed` also starts the session (sets the cookie)',
        tags: ['console'],
        params: TicketParams,
        response: { 200: ScanStatusDto, ...errorResponses },
      },
    },
    async (request) => {
      const at = now()
      const result = await scanLogins.poll(request.params.ticket, at)
      if (result.status !== 'confirmed' || !result.operator) return { status: result.status }
      const csrfToken = startAdminSession(request, result.operator, at)
      await audit.record({
        operator: actor(result.operator),
        action: 'operator.sign_in',
        target: `operator:${result.operator.id}`,
        after: { method: 'scan', address: request.ip },
      })
      return { status: 'confirmed' as const, operator: result.operator, csrfToken }
    },
  )

  app.post(
    '/scan-login/confirm',
    {
      schema: {
        summary: 'The mini-program confirms a console sign-in for the signed-in reader, if they are an operator',
        tags: ['console'],
        security: [{ bearer: [] }],
        body: ScanConfirmBody,
        response: { 204: Type.Null(), 410: ErrorBody, 503: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const session = app.requireSession(request)
      const openid = await services.accounts.openidOf(session.userId, 'confirming a console sign-in')
      const at = now()
      let operator: Operator
      try {
        operator = await scanLogins.confirm(request.body.ticket, openid, at)
      } catch (error) {
        if (error instanceof ApiError && error.code === 'NOT_AN_OPERATOR') {
          await audit.record({
            operator: { id: null, name: `reader:${session.userId}` },
            action: 'operator.scan_refused',
            target: `reader:${session.userId}`,
            reason: 'this WeChat account is not an operator',
          })
        }
        throw error
      }
      await audit.record({
        operator: actor(operator),
        action: 'operator.scan_confirm',
        target: `operator:${operator.id}`,
        after: { reader: session.userId },
      })
      return reply.code(204).send(null)
    },
  )
}
