import { wechatpayNotifyRoutes } from '../payments/wechatpay/notify-routes'
import { xpayPushRoutes } from '../payments/xpay/push-route'
import type { App } from '../plugins/types'
import { adminRoutes } from './admin'
import { adminSessionRoutes } from './admin/session'
import { authRoutes } from './auth'
import { consoleRoutes } from './console'
import { courseRoutes } from './courses'
import { catalogRoutes } from './catalog'
import { eventRoutes } from './events'
import { healthRoutes } from './health'
import { issueRoutes } from './issues'
import { meRoutes } from './me'
import { navigatorRoutes } from './navigator'
import { orderRoutes } from './orders'
import { pdfRoutes } from './pdf'
import { practiceRoutes } from './practice'
import { searchRoutes } from './search'
import { sharingRoutes } from './sharing'
import { storeRoutes } from './store'
import { studyRoutes } from './study'
import { subscriptionsRoutes } from './subscriptions'

/** Every route module; each takes what it needs from app.services and constructs nothing. */
export async function routes(app: App): Promise<void> {
  await app.register(healthRoutes)
  await app.register(catalogRoutes, { prefix: '/api' })
  await app.register(issueRoutes, { prefix: '/api' })
  await app.register(searchRoutes, { prefix: '/api' })
  await app.register(authRoutes, { prefix: '/api' })
  await app.register(meRoutes, { prefix: '/api' })
  await app.register(studyRoutes, { prefix: '/api' })
  await app.register(orderRoutes, { prefix: '/api' })
  await app.register(storeRoutes, { prefix: '/api' })
  await app.register(courseRoutes, { prefix: '/api' })
  await app.register(xpayPushRoutes, { prefix: '/api' })
  await app.register(wechatpayNotifyRoutes, { prefix: '/api' })
  await app.register(navigatorRoutes, { prefix: '/api' })
  await app.register(practiceRoutes, { prefix: '/api' })
  await app.register(pdfRoutes, { prefix: '/api' })
  await app.register(subscriptionsRoutes, { prefix: '/api' })
  await app.register(sharingRoutes, { prefix: '/api' })
  await app.register(eventRoutes, { prefix: '/api' })
  await app.register(adminRoutes, { prefix: '/api' })
  await app.register(adminSessionRoutes, { prefix: '/api' })
  await app.register(consoleRoutes)
}
