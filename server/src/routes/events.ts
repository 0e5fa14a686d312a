import type { App } from '../plugins/types'
import { errorResponses } from '../schemas/common'
import { EventBatch, EventBatchAccepted } from '../schemas/funnel'

/** 50 events of a few short fields fit well inside this. */
const BATCH_BODY_LIMIT = 16 * 1024

/** The app's funnel events: opened → paywall → plan sheet, in batches, under an anonymous viewer key. */
export async function eventRoutes(app: App): Promise<void> {
  const { services } = app
  const { funnel, throttles } = services

  app.post(
    '/events',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        summary: 'Report a batch of paywall-funnel events (opened, paywall, plan_sheet): anonymous, at most 50',
        description:
          'No account: `viewer` is a random key the app keeps, stored only as a hash. Steps order_created and paid are the server’s own (from orders) and refused here. Events of unknown or unpublished issues are dropped; a viewer reaching a step of an issue again on the same day counts once. At most 16 KB; rate-limited per client address and per viewer key.',
        tags: ['funnel'],
        body: EventBatch,
        response: { 202: EventBatchAccepted, 413: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const at = services.clock()
      await throttles.hit('eventsPerAddress', request.ip, at)
      await throttles.hit('eventsPerViewer', request.body.viewer, at)
      const accepted = await funnel.record(request.body.viewer, request.body.events, at)
      return reply.code(202).send({ accepted })
    },
  )
}
