import type { App } from '../plugins/types'
import { errorResponses } from '../schemas/common'
import {
  NAVIGATOR_MAX_LIMIT,
  NavigatorPage,
  NavigatorQuery,
  NavigatorRegionList,
  NavigatorRegionParams,
} from '../schemas/navigator'

/** Region × issue navigator with the reader's read / unread badges. */
export async function navigatorRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { navigator } = services
  // Both caches hold what every viewer sees (counts, numbers, titles, VIP flags); read states are
  // added per request from the reader's own rows and never cached.
  const regionCache = services.caches.navigatorRegions
  const pageCache = services.caches.navigatorPages

  app.get(
    '/navigator',
    {
      schema: {
        summary: 'Regions with their number of published issues and latest issue number, for the navigator',
        tags: ['navigator'],
        response: { 200: NavigatorRegionList, ...errorResponses },
      },
    },
    async () => {
      const at = now()
      return regionCache.remember('all', at, () => navigator.regions(at))
    },
  )

  app.get(
    '/navigator/:region',
    {
      schema: {
        summary: 'Published issues of one region by number, with the signed-in reader’s read / unread state',
        description: `Oldest first, at most ${NAVIGATOR_MAX_LIMIT} per page (cursor paging). \`readState\` is null for an anonymous viewer; for a signed-in reader it is 'read' when the reader has reading progress on the issue, with the last section in \`lastSectionId\`.`,
        tags: ['navigator'],
        security: [{ bearer: [] }, {}],
        params: NavigatorRegionParams,
        querystring: NavigatorQuery,
        response: { 200: NavigatorPage, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      reply.header('cache-control', 'private, no-store')
      reply.header('vary', 'Authorization')
      const { region } = request.params
      const { cursor, limit } = request.query
      const key = JSON.stringify([region, cursor, limit])
      const page = await pageCache.remember(key, at, () => navigator.regionIssues(region, request.query, at))
      return navigator.withReadStates(page, request.viewer?.userId ?? null)
    },
  )
}
