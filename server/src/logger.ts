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

export function loggerOptions(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): LoggerOptions {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }
}
