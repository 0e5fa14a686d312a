import type { FastifyRequest } from 'fastify'
import { checkPreviewScope, PREVIEW_HEADER, previewViewer } from '../domain/preview-tickets'
import type { TokenCheck } from '../domain/users'
import { ApiError } from '../errors'
import type { App } from './types'

/**
 * The auth hook: a bearer token becomes request.viewer and request.session (a bad one is a 401
 * INVALID_TOKEN); no Authorization header is an anonymous viewer. A request with a preview ticket
 * (x-preview-ticket, docs/console.md) is the ticket's pretend viewer instead, whatever its
 * Authorization says, may read only its issue, and is never stored by anyone (no-store). Also drops
 * content caches when another process changed the database, before anything is read for the request.
 */
export function authPlugin(app: App): void {
  const { services } = app
  const authenticate = async (header: string): Promise<Extract<TokenCheck, { ok: true }>> => {
    const match = /^Bearer ([^\s]{1,200})$/.exec(header)
    const check = match ? await services.viewerForToken(match[1], services.clock()) : { ok: false as const }
    if (!check.ok) {
      throw new ApiError(401, 'INVALID_TOKEN', 'your sign-in is missing, expired or revoked: sign in again', {
        'www-authenticate': 'Bearer error="invalid_token"',
      })
    }
    return check
  }

  app.decorateRequest('viewer', null)
  app.decorateRequest('session', null)
  app.decorateRequest('preview', null)
  app.addHook('onRequest', (request, _reply, done) => {
    services.dropCachesIfChanged()
    const ticket = request.headers[PREVIEW_HEADER]
    if (ticket !== undefined) {
      try {
        const grant = services.previewTickets.verify(ticket, services.clock())
        const method = request.method === 'HEAD' ? 'GET' : request.method
        checkPreviewScope(grant, `${method} ${request.routeOptions.url ?? request.url}`, request.params)
        request.preview = grant
        request.viewer = previewViewer(grant)
        return done()
      } catch (error) {
        return done(error as Error)
      }
    }
    const header = request.headers.authorization
    if (header === undefined) return done()
    authenticate(header)
      .then((check) => {
        request.viewer = check.viewer
        request.session = { userId: check.viewer.userId, tokenHash: check.tokenHash }
        done()
      })
      .catch(done)
  })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.headers[PREVIEW_HEADER] !== undefined) reply.header('cache-control', 'no-store')
    return payload
  })
  app.decorate('requireSession', (request: FastifyRequest) => {
    if (!request.session) throw new ApiError(401, 'LOGIN_REQUIRED', 'sign in first', { 'www-authenticate': 'Bearer' })
    return request.session
  })
}
