import type { App } from '../plugins/types'
import { parseQuery } from '../domain/search'
import { errorResponses } from '../schemas/common'
import { SearchPage, SearchQuery } from '../schemas/search'

// Bodies below are serialized by the route's own response schema; Fastify sends a JSON string as is.
const JSON_TYPE = 'application/json; charset=utf-8'

export async function searchRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { search } = services
  // Results quote titles and free text only, the same for every viewer, so one cache serves all.
  const cache = services.caches.searchResults

  app.get(
    '/search',
    {
      schema: {
        summary: 'Full-text search of published issues, newest first, with cursor paging',
        description:
          'Searches titles and the free part of issues only (never the VIP part), for every viewer alike. Words separated by spaces must all occur. Each hit carries `snippet`: about 60 characters of the title or free text around the first match, as segments with the matches marked `hit`.',
        tags: ['issues'],
        querystring: SearchQuery,
        response: { 200: SearchPage, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      const words = parseQuery(request.query.q)
      const { region, cursor, limit } = request.query
      const key = JSON.stringify([words, region, cursor, limit])
      let body = cache.get(key, at)
      if (body === undefined) {
        body = reply.serialize(await search.search(request.query, words, at)) as string
        cache.set(key, body, at)
      }
      return reply.type(JSON_TYPE).send(body as never)
    },
  )
}
