import { SHARE_SCENES } from '../../domain/sharing'
import type { App } from '../../plugins/types'
import { SharesQuery, ShareReport, SubscriptionReport } from '../../schemas/admin'
import { errorResponses } from '../../schemas/common'
import { iso } from './views'

/** The reports of npm run admin -- subscriptions / shares, from the same domain functions. */
export async function adminReportRoutes(app: App): Promise<void> {
  const { services } = app

  app.get(
    '/admin/reports/subscriptions',
    {
      schema: {
        summary: '通知我下一期: opt-ins waiting per region, messages by status, the latest failures',
        tags: ['admin'],
        response: { 200: SubscriptionReport, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request)
      return services.optIns.report()
    },
  )

  app.get(
    '/admin/reports/shares',
    {
      schema: {
        summary: 'Share opens in the last `days` days: per issue, per sharer (masked) and by scene',
        tags: ['admin'],
        querystring: SharesQuery,
        response: { 200: ShareReport, ...errorResponses },
      },
    },
    async (request) => {
      app.requireOperator(request)
      const { days = 30, issueId } = request.query
      const stats = await services.sharing.stats({ issueId, days, now: services.clock() })
      return {
        ...stats,
        since: iso(stats.since),
        days,
        byScene: stats.byScene.map((row) => ({
          ...row,
          sceneName: row.scene === null ? 'H5 / unknown' : (SHARE_SCENES[row.scene] ?? ''),
        })),
      }
    },
  )
}
