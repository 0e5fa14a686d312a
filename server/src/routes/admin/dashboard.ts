import type { App } from '../../plugins/types'
import { Dashboard, type DashboardDto } from '../../schemas/admin'
import { errorResponses } from '../../schemas/common'
import { iso, isoOrNull } from './views'

export async function adminDashboardRoutes(app: App): Promise<void> {
  const { services } = app

  app.get(
    '/admin/dashboard',
    {
      schema: {
        summary:
          'Today and the last 7 days (Asia/Shanghai): views, orders, money, new VIPs; payment health; job leases',
        tags: ['admin'],
        response: { 200: Dashboard, ...errorResponses },
      },
    },
    async (request): Promise<DashboardDto> => {
      app.requireOperator(request)
      const report = await services.adminReports.dashboard(services.clock())
      const { lastReconcile } = report.payments
      return {
        ...report,
        payments: {
          ...report.payments,
          lastReconcile: {
            running: lastReconcile.running,
            leaseExpiresAt: isoOrNull(lastReconcile.leaseExpiresAt),
            lastSweepEntryAt: isoOrNull(lastReconcile.lastSweepEntryAt),
          },
        },
        jobs: report.jobs.map((job) => ({ ...job, expiresAt: iso(job.expiresAt) })),
      }
    },
  )
}
