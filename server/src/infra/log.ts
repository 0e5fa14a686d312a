import type { BaseLogger } from 'pino'

/**
 * The logger services write to: pino's, or anything shaped like it (Fastify's app.log is one).
 * Services take this rather than a Fastify type, so they run without a web server (the admin CLI).
 */
export type Logger = Pick<BaseLogger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>
