import cors from '@fastify/cors'
import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { warnOnIgnoredProxyHeader } from './client-address'
import { trustProxyOption, type Config } from './config'
import type { Db } from './db/database'
import { loggerOptions } from './logger'
import { adminAuthPlugin } from './plugins/admin-auth'
import { authPlugin } from './plugins/auth'
import { drainPlugin } from './plugins/drain'
import { errorsPlugin, frameworkErrors } from './plugins/errors'
import { metricsPlugin } from './plugins/metrics'
import { servicesPlugin } from './plugins/services'
import type { App } from './plugins/types'
import { routes } from './routes'
import { createServices, type Services } from './services'

export type { App } from './plugins/types'

export interface BuildOptions {
  config: Config
  db: Db
  /** A pino logger; defaults to one at the configured level */
  logger?: FastifyBaseLogger
  now?: () => number
  /** Services built by the caller, who then starts and stops them; by default the app builds its own */
  services?: Services
}

/** The web app: plugins (external ones, then services, auth and errors) and every route. */
export async function buildApp(options: BuildOptions): Promise<App> {
  const { config, db } = options
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: loggerOptions(config) }),
    bodyLimit: config.BODY_LIMIT,
    // Who the client is (request.ip) drives limits and view counts: only configured proxies may say.
    trustProxy: trustProxyOption(config),
    routerOptions: { maxParamLength: 200 },
    // On close: idle keep-alive sockets are closed, requests in flight finish (plugins/drain.ts).
    forceCloseConnections: 'idle',
    frameworkErrors,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  const services = options.services ?? createServices({ config, db, clock: options.now ?? Date.now, log: app.log })
  app.decorate('config', config)
  warnOnIgnoredProxyHeader(app, config)
  servicesPlugin(app, services, { owned: !options.services })
  metricsPlugin(app)
  drainPlugin(app)
  errorsPlugin(app)

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Beichen Reader API',
        version: '0.1.0',
        description: '北辰遴选 reader: issues, paywall, membership',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  })
  const origins = config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  // Every method the API uses: @fastify/cors allows only GET, HEAD and POST unless told.
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
  if (origins.length > 0) await app.register(cors, { origin: origins, methods, maxAge: 600 })

  authPlugin(app)
  await adminAuthPlugin(app)
  await app.register(multipart)

  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger())
  await routes(app)
  return app
}
