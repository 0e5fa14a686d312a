import type { App } from './types'

/**
 * Counts every answered request in the process's metrics (infra/metrics.ts) by route pattern
 * (`/api/issues/:id`, never the raw URL, so the label stays bounded), method and status, with its
 * latency. Requests that matched no route are counted under `unmatched`.
 */
export function metricsPlugin(app: App): void {
  const { metrics } = app.services
  // Nobody can scrape a process without a metrics port: its requests are not timed at all.
  if (app.config.METRICS_PORT <= 0) return
  app.addHook('onResponse', (request, reply, done) => {
    metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
}
