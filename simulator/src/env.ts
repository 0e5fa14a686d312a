import crypto from 'node:crypto'
import type { SimulatorOptions } from './state'

export interface SimulatorEnv {
  host: string
  port: number
  options: SimulatorOptions
  /** True when SIM_SECRET was absent and a random secret was made up for this run */
  generatedSecret: boolean
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}`)
  }
  return value
}

function words(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const raw = env[name]
  if (raw === undefined) return undefined
  return raw
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '')
}

/** Reads the simulator's settings from the environment (see docs/wechat-simulator.md) */
export function simulatorEnv(env: NodeJS.ProcessEnv): SimulatorEnv {
  const given = env.SIM_SECRET
  const secret = given === undefined || given === '' ? crypto.randomBytes(16).toString('hex') : given
  const level = env.SIM_LOG_LEVEL ?? 'warn'
  if (!LOG_LEVELS.includes(level)) throw new Error(`SIM_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)
  return {
    host: env.SIM_HOST || '127.0.0.1',
    port: integer(env, 'SIM_PORT', 3100, 0, 65535),
    generatedSecret: secret !== given,
    options: {
      secret,
      appid: env.SIM_APPID || undefined,
      tokenTtlS: integer(env, 'SIM_TOKEN_TTL_S', 7200, 1, 86400 * 365),
      codeTtlS: integer(env, 'SIM_CODE_TTL_S', 300, 1, 86400 * 365),
      unionid: env.SIM_UNIONID === '1',
      riskyWords: words(env, 'SIM_RISKY_WORDS'),
      reviewWords: words(env, 'SIM_REVIEW_WORDS'),
      logger: { level },
    },
  }
}
