import type { Services } from '../services'
import type { App } from './types'

/**
 * Puts the services on the app as app.services. When the app owns them (buildApp made them), their
 * timers start when the app is ready and stop when it closes; services passed in are the caller's.
 */
export function servicesPlugin(app: App, services: Services, options: { owned: boolean }): void {
  app.decorate('services', services)
  if (!options.owned) return
  app.addHook('onReady', async () => {
    services.start()
  })
  app.addHook('onClose', async () => {
    await services.stop()
  })
}
