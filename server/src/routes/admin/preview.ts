import { Type } from '@sinclair/typebox'
import { PREVIEW_HEADER } from '../../domain/preview-tickets'
import { ApiError, notFound } from '../../errors'
import type { App } from '../../plugins/types'
import { PreviewCodeQuery, PreviewTicketBody, PreviewTicketDto } from '../../schemas/admin-preview'
import { ScanCodeImage } from '../../schemas/admin-session'
import { ErrorBody, errorResponses, IdInteger } from '../../schemas/common'
import { sendMiniProgramCode } from './wxacode'

/** The mini-program's article page: the H5 frame's route and the page of the preview 小程序码 */
export const ARTICLE_PAGE = 'subpackages/article/pages/index'

/**
 * "Preview as" (docs/console.md): a short-lived ticket with which the real H5 app, or the trial
 * mini-program on a phone, reads one issue (of any status) as a guest, a reader without VIP, a VIP
 * member or a Moments single-page viewer, through the real gating (plugins/auth.ts honours it).
 * Not audited: it changes nothing, and an editor may already read every issue in the console.
 */
export async function adminPreviewRoutes(app: App): Promise<void> {
  const { services } = app
  const { issues, previewTickets } = services
  const now = services.clock
  const roles = ['editor' as const]
  const params = Type.Object({ id: IdInteger() })

  app.post(
    '/admin/issues/:id/preview',
    {
      schema: {
        summary: `A 10-minute preview ticket: the issue cut for a pretend viewer, read with the header ${PREVIEW_HEADER} (editor, admin)`,
        tags: ['admin'],
        params,
        body: PreviewTicketBody,
        response: { 200: PreviewTicketDto, ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = app.requireOperator(request, roles)
      const at = now()
      const { id } = request.params
      const as = request.body.as
      if (!(await issues.detail(id, null, at, true))) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${id}`)
      const { ticket, expiresAt } = previewTickets.issue(id, as, at)
      request.log.info({ operatorId: operator.id, issueId: id, as }, 'preview ticket issued')
      const base = services.config.PREVIEW_H5_BASE.replace(/\/+$/, '')
      reply.header('cache-control', 'no-store')
      return {
        issueId: id,
        as,
        ticket,
        url: base ? `${base}/#/${ARTICLE_PAGE}?id=${id}&preview=${ticket}&as=${as}` : null,
        codeUrl: `/api/admin/issues/${id}/preview/code.png?ticket=${ticket}`,
        expiresAt: new Date(expiresAt).toISOString(),
      }
    },
  )

  app.get(
    '/admin/issues/:id/preview/code.png',
    {
      schema: {
        summary: 'The 小程序码 (image/png) that opens a preview ticket in the trial mini-program (editor, admin)',
        tags: ['admin'],
        params,
        querystring: PreviewCodeQuery,
        response: { 200: ScanCodeImage, 503: ErrorBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      app.requireOperator(request, roles)
      const grant = previewTickets.verify(request.query.ticket, now())
      if (grant.issueId !== request.params.id) {
        throw new ApiError(403, 'PREVIEW_TICKET_SCOPE', `this preview ticket is for issue #${grant.issueId}`)
      }
      return sendMiniProgramCode(app, request, reply, { scene: request.query.ticket, page: ARTICLE_PAGE })
    },
  )
}
