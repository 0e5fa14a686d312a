import type { App } from './types'

/**
 * A closing app lets its keep-alive connections go. Fastify answers requests that arrive while it
 * closes with 503 and closes idle sockets once, but a connection busy at that moment would stay
 * open until its keep-alive timeout (72 s) and hold the shutdown: responses sent while closing say
 * `Connection: close`, and sockets that turn idle are closed until the server is down.
 */
export function drainPlugin(app: App): void {
  let closing = false
  let sweeper: NodeJS.Timeout | null = null
  app.addHook('preClose', (done) => {
    closing = true
    sweeper = setInterval(() => app.server.closeIdleConnections(), 100)
    sweeper.unref()
    done()
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  app.addHook('onClose', (_instance, done) => {
    if (sweeper) clearInterval(sweeper)
    done()
  })
}
