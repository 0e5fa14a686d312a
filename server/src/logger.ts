import type { FastifyRequest } from 'fastify'
import type { LoggerOptions } from 'pino'
import type { Config } from './config'

/** Fields that may carry secrets or tokens are never written to the log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.token',
  '*.session_key',
  '*.sessionKey',
  '*.secret',
  '*.appSecret',
]

/**
 * Routes called with signed URLs: 消息推送 and WeChat Pay notifications (their query strings carry
 * signature, msg_signature, nonce, timestamp and openid) and paid course media (a log line must not
 * hold a URL that plays a paid lesson), so only the path is logged.
 */
const SIGNED_URL_PREFIXES = ['/api/wechat/', '/api/wechatpay/', '/api/media/course/']

/** The URL as logged: the path alone under SIGNED_URL_PREFIXES, the whole URL elsewhere. */
export function loggedUrl(url: string): string {
  const query = url.indexOf('?')
  if (query === -1) return url
  const pathOnly = url.slice(0, query)
  // As the router might read it: any case, doubled slashes (a 404 is logged too).
  const normal = pathOnly.toLowerCase().replace(/\/{2,}/g, '/')
  return SIGNED_URL_PREFIXES.some((prefix) => normal.startsWith(prefix)) ? pathOnly : url
}

/** Fastify's request serializer, with signed query strings left out. */
export function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: loggedUrl(request.url),
    version: request.headers?.['accept-version'],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { req: serializeRequest },
  }
}
