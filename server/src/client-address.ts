import type { FastifyInstance } from 'fastify'
import type { Config } from './config'

/**
 * Without a TRUST_PROXY decision, X-Forwarded-For is ignored (request.ip is the peer address). A
 * request that carries the header suggests a proxy in front: say so once, since every reader then
 * shares the proxy's address for the login, share and throttle limits.
 */
export function warnOnIgnoredProxyHeader(app: FastifyInstance, config: Pick<Config, 'TRUST_PROXY'>): void {
  if (config.TRUST_PROXY.trim() !== '') return
  let warned = false
  app.addHook('onRequest', (request, _reply, done) => {
    if (!warned && request.headers['x-forwarded-for'] !== undefined) {
      warned = true
      app.log.warn(
        { peer: request.ip },
        'X-Forwarded-For is ignored because TRUST_PROXY is not set: behind a proxy set TRUST_PROXY to the number of proxies in front (e.g. 1) or their addresses, otherwise set TRUST_PROXY=false (see docs/deploy.md)',
      )
    }
    done()
  })
}
