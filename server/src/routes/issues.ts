import type { App } from '../app'
import { decideAccess } from '../domain/gating'
import { notFound } from '../errors'
import { errorResponses } from '../schemas/common'
import { IssueDetail, IssuePage, IssueParams, ListIssuesQuery } from '../schemas/issues'

interface CachedBody {
  body: string
  expiresAt: number
}

const MAX_CACHED = 2000

/**
 * Cut issues are cached as serialized JSON, keyed by issue and access level
 * (the decision's reason), so a level never sees another level's body.
 */
class CutIssueCache {
  private entries = new Map<string, CachedBody>()

  constructor(private readonly ttlMs: number) {}

  get(key: string, now: number): string | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= now) {
      this.entries.delete(key)
      return undefined
    }
    return entry.body
  }

  set(key: string, body: string, now: number): void {
    if (this.ttlMs === 0) return
    if (this.entries.size >= MAX_CACHED) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, { body, expiresAt: now + this.ttlMs })
  }
}

export async function issueRoutes(app: App, options: { now: () => number }): Promise<void> {
  const { now } = options
  const cache = new CutIssueCache(app.config.ISSUE_CACHE_TTL_MS)

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
    async (request) => app.issues.list(request.query, now()),
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

      // A cut is stored under the decision it was made for, with the content it was made from.
      const known = app.issues.cachedGate(id, at)
      let body = known && cache.get(`${id}:${known.contentHash}:${decideAccess(known.gated, viewer, at).reason}`, at)
      if (body === undefined) {
        const result = await app.issues.detail(id, viewer, at)
        if (!result) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${id}`)
        body = reply.serialize(result.issue) as string
        cache.set(`${id}:${result.contentHash}:${result.decision.reason}`, body, at)
      }
      app.views.record(id, request.viewerKey, at)
      // Already serialized by this route's schema; Fastify sends a JSON string as is.
      return reply.type('application/json; charset=utf-8').send(body as never)
    },
  )
}
