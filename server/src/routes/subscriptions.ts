import type { App } from '../plugins/types'
import { errorResponses } from '../schemas/common'
import { OptInBody, SubscriptionQuery, SubscriptionState } from '../schemas/subscriptions'

/** A region code and a template id. */
const BODY_LIMIT = 1024

/** 通知我下一期: subscribe-message opt-ins. */
export async function subscriptionsRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { optIns } = services
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('cache-control', 'private, no-store')
    return payload
  })

  app.get(
    '/subscriptions',
    {
      schema: {
        tags: ['subscriptions'],
        summary: '通知我下一期: the template to ask WeChat for, and the reader’s unused opt-ins for a region',
        description: 'Anonymous readers get openOptIns 0. available is false when the server has no template.',
        security: [{ bearer: [] }, {}],
        querystring: SubscriptionQuery,
        response: { 200: SubscriptionState, ...errorResponses },
      },
    },
    async (request) => optIns.status(request.session?.userId ?? null, request.query.region, now()),
  )

  app.post(
    '/subscriptions',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags: ['subscriptions'],
        summary: 'Record one accept of the subscribe-message sheet: the next new issue of the region is announced',
        description:
          'Each accept pays for one message (WeChat’s one-time subscription); at most 20 wait per reader and region (409 TOO_MANY_OPT_INS).',
        security: [{ bearer: [] }],
        body: OptInBody,
        response: { 200: SubscriptionState, 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      return optIns.optIn(userId, request.body.region, request.body.templateId, now())
    },
  )
}
