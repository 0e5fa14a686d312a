import type { App } from '../plugins/types'
import { viewerKey } from '../plugins/viewer-key'
import { matchesEtag } from '../infra/etag'
import { notFound } from '../errors'
import { errorResponses } from '../schemas/common'
import { ShareCardImage, ShareCardParams, ShareCardQuery, ShareCode, ShareOpenBody } from '../schemas/sharing'

/** A share open is three small fields. */
const OPEN_BODY_LIMIT = 512
/** Cards change only when an issue is edited; clients revalidate with the ETag after this. */
const CARD_CACHE_CONTROL = 'public, max-age=600'

/** Share cards and share-open tracking. */
export async function sharingRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { shareCards: cards, sharing, throttles } = services

  app.get(
    '/issues/:id/share-card.png',
    {
      schema: {
        summary: 'The share card of a published issue: a 5:4 PNG drawn from its free fields, the same for everyone',
        description:
          'Region, number, title, date, a VIP badge and a line of the free part; never VIP text. ETag and 304; `cache-control: public`.',
        tags: ['sharing'],
        params: ShareCardParams,
        querystring: ShareCardQuery,
        response: { 200: ShareCardImage, 304: { type: 'null', description: 'Not modified' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      // Drawing a card costs CPU; cached cards are free, renders count per client address.
      const card = await cards.card(request.params.id, request.query.shape ?? 'chat', at, () =>
        throttles.hit('shareCardRenders', request.ip, at),
      )
      if (!card) throw notFound('ISSUE_NOT_FOUND', `there is no published issue ${request.params.id}`)
      reply.header('etag', card.etag).header('cache-control', CARD_CACHE_CONTROL)
      if (matchesEtag(request.headers['if-none-match'], card.etag)) return reply.code(304).send()
      return reply.type('image/png').send(card.png)
    },
  )

  app.get(
    '/share-code',
    {
      schema: {
        summary: 'The reader’s share code, put into share paths as sharer=<code>; the same every time',
        tags: ['sharing'],
        security: [{ bearer: [] }],
        response: { 200: ShareCode, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId } = app.requireSession(request)
      reply.header('cache-control', 'private, no-store')
      return { code: await sharing.codeFor(userId, now()) }
    },
  )

  app.post(
    '/share-opens',
    {
      bodyLimit: OPEN_BODY_LIMIT,
      schema: {
        summary: 'Report that an issue was opened from a share: once per sharer, issue, viewer and day',
        description:
          'Anonymous or signed in. Answers 204 whether or not it was recorded: an unknown sharer code, a reader opening their own share and a repeat record nothing.',
        tags: ['sharing'],
        security: [{ bearer: [] }, {}],
        body: ShareOpenBody,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = now()
      await throttles.hit('shareOpens', request.ip, at)
      const { issueId, sharer, scene } = request.body
      await sharing.recordOpen(
        { issueId, sharer, scene, viewerUserId: request.viewer?.userId ?? null, viewerKey: viewerKey(request) },
        at,
      )
      return reply.code(204).send()
    },
  )
}
