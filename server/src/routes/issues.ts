import type { App } from '../plugins/types'
import { viewerKey } from '../plugins/viewer-key'
import { decideAccess } from '../domain/gating'
import { notFound } from '../errors'
import { errorResponses } from '../schemas/common'
import { IssueDetail, IssuePage, IssueParams, ListIssuesQuery } from '../schemas/issues'

// Bodies below are serialized by the route's own response schema; Fastify sends a JSON string as is.
const JSON_TYPE = 'application/json; charset=utf-8'

export async function issueRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { issues, views } = services
  // Cut issues are cached as serialized JSON under the access decision they were cut for
  // and the content they were cut from, so one access level never sees another's body.
  const cutCache = services.caches.issueCuts
  // Lists hold free-part summaries only, the same for every viewer.
  const listCache = services.caches.issueLists

  app.get(
    '/issues',
    {
      schema: {
        summary: 'Published issues, newest first, with cursor paging',
        tags: ['issues'],
        querystring: ListIssuesQuery,
        response: { 200: IssuePage, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      const { region, column, cursor, limit } = request.query
      const key = JSON.stringify([region, column, cursor, limit])
      let body = listCache.get(key, at)
      if (body === undefined) {
        body = reply.serialize(await issues.list(request.query, at)) as string
        listCache.set(key, body, at)
      }
      return reply.type(JSON_TYPE).send(body as never)
    },
  )

  app.get(
    '/issues/:id',
    {
      schema: {
        summary: 'One issue cut for the viewer: the free part and a paywall, or all of it',
        description:
          'Without access the sections stop at the paywall marker and `access.granted` is false with the paywall copy and plans. Counts one view per viewer, issue and day.',
        tags: ['issues'],
        security: [{ bearer: [] }, {}],
        params: IssueParams,
        response: { 200: IssueDetail, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      const id = request.params.id
      const viewer = request.viewer
      reply.header('cache-control', 'private, no-store')
      reply.header('vary', 'Authorization')
      if (request.preview) {
        // A preview ticket's pretend viewer (plugins/auth.ts admitted it for this issue only): any
        // status, cut by the same gating, never from or into the cache, and no view is counted.
        const result = await issues.detail(id, viewer, at, true)
        if (!result) throw notFound('ISSUE_NOT_FOUND', `there is no issue ${id}`)
        return result.issue
      }

      const known = issues.cachedGate(id, at)
      let body = known && cutCache.get(`${id}:${known.contentHash}:${decideAccess(known.gated, viewer, at).reason}`, at)
      if (body === undefined) {
        const result = await issues.detail(id, viewer, at)
        if (!result) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${id}`)
        body = reply.serialize(result.issue) as string
        cutCache.set(`${id}:${result.contentHash}:${result.decision.reason}`, body, at)
      }
      views.record(id, viewerKey(request), at)
      return reply.type(JSON_TYPE).send(body as never)
    },
  )
}
