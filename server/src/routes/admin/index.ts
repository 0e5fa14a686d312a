import type { App } from '../../plugins/types'
import { adminAuditRoutes } from './audit'
import { adminCourseRoutes } from './courses'
import { adminDashboardRoutes } from './dashboard'
import { adminExportRoutes } from './exports'
import { adminFunnelRoutes } from './funnel'
import { adminIssueRoutes } from './issues'
import { adminMemberRoutes } from './members'
import { adminOrderRoutes } from './orders'
import { adminPreviewRoutes } from './preview'
import { adminReaderRoutes } from './readers'
import { adminReportRoutes } from './reports'
import { adminSettingsRoutes } from './settings'
import { adminStoreRoutes } from './store'

/**
 * The operator console's business routes (registered under /api), each a thin layer over the
 * services the admin CLI uses. Signing in is ./session.ts. Every /api/admin/ route but signing in
 * needs the session cookie, and every unsafe one the CSRF token (plugins/admin-auth.ts).
 */
export async function adminRoutes(app: App): Promise<void> {
  await app.register(adminDashboardRoutes)
  await app.register(adminOrderRoutes)
  await app.register(adminReaderRoutes)
  await app.register(adminExportRoutes)
  await app.register(adminMemberRoutes)
  await app.register(adminIssueRoutes)
  await app.register(adminPreviewRoutes)
  await app.register(adminAuditRoutes)
  await app.register(adminReportRoutes)
  await app.register(adminFunnelRoutes)
  await app.register(adminSettingsRoutes)
  await app.register(adminStoreRoutes)
  await app.register(adminCourseRoutes)
}
