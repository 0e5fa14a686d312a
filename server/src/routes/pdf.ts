import { Type } from '@sinclair/typebox'
import type { App } from '../plugins/types'
import { matchesEtag } from '../infra/etag'
import { decideAccess } from '../domain/gating'
import { contentDisposition, PDF_BENEFIT } from '../domain/issue-pdf'
import { notFound, vipRequired } from '../errors'
import { errorResponses } from '../schemas/common'
import { IssueParams } from '../schemas/issues'

/** The whole issue as a PDF for VIP readers (文档PDF下载). */
export async function pdfRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { issues, pdfs, throttles } = services

  app.get(
    '/issues/:id/pdf',
    {
      schema: {
        summary: 'The whole issue as a PDF with the reader’s masked id as a watermark (VIP only)',
        description:
          'A VIP benefit for every issue, free ones too: anonymous → 401 LOGIN_REQUIRED, no current membership → 403 VIP_REQUIRED. Cached per issue version and reader; `If-None-Match` with the ETag → 304.',
        tags: ['issues'],
        security: [{ bearer: [] }],
        params: IssueParams,
        response: {
          200: {
            description: 'The PDF, as an attachment',
            content: { 'application/pdf': { schema: Type.String({ format: 'binary' }) } },
          },
          304: { description: 'The PDF the reader has is current', type: 'null' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const at = now()
      app.requireSession(request)
      // requireSession passed, so the auth hook set the viewer with its membership.
      const viewer = request.viewer as NonNullable<typeof request.viewer>
      if (!decideAccess(PDF_BENEFIT, viewer, at).granted) throw vipRequired('PDF download (文档PDF下载)')
      const result = await issues.detail(request.params.id, viewer, at)
      if (!result) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${request.params.id}`)
      if (!result.decision.granted) throw vipRequired('PDF download (文档PDF下载)')

      const { issue, contentHash } = result
      const etag = pdfs.etag(issue.id, contentHash, viewer.userId)
      reply.header('cache-control', 'private, no-cache')
      reply.header('vary', 'Authorization')
      reply.header('etag', etag)
      if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send()

      // A render takes a core for a while: cold renders count per reader, PDFs on disk are free.
      let data = await pdfs.cached(issue.id, contentHash, viewer.userId)
      if (!data) {
        await throttles.hit('pdfRenders', viewer.userId, at)
        data = await pdfs.get(issue, contentHash, viewer.userId)
      }
      reply.header('content-type', 'application/pdf')
      reply.header('content-disposition', contentDisposition(issue))
      reply.header('content-length', data.length)
      return reply.send(data)
    },
  )
}
