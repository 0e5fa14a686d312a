import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * Every setting comes from the environment and is validated once at start.
 * README.md lists each variable with its default; keep the two in step.
 */
const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  /** postgres://… selects PostgreSQL; empty selects SQLite at SQLITE_PATH */
  DATABASE_URL: Type.String({ default: '', pattern: '^(|postgres(ql)?://.+)$' }),
  SQLITE_PATH: Type.String({ default: 'data/beichen.db', minLength: 1 }),
  /** Import content/ when the database has no issue yet */
  IMPORT_SAMPLE_CONTENT: Type.Boolean({ default: true }),
  SAMPLE_CONTENT_DIR: Type.String({ default: 'content', minLength: 1 }),
  /** Largest request body accepted, bytes */
  BODY_LIMIT: Type.Integer({ default: 65536, minimum: 1024, maximum: 10485760 }),
  /** Comma-separated origins allowed by CORS (the H5 preview); empty allows none */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** How often buffered view counts are written, ms */
  VIEW_FLUSH_INTERVAL_MS: Type.Integer({ default: 2000, minimum: 50, maximum: 600000 }),
  /** How long a cut issue stays in the per-access-level cache, ms (0 disables) */
  ISSUE_CACHE_TTL_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 600000 }),
  /** Service line shown to readers */
  SERVICE_PHONE: Type.String({ default: '400-1788-950', maxLength: 32 }),
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {}

/** Reads and validates the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const converted = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw))
  const merged = { ...(converted as object), ...overrides }
  const problems = [...Value.Errors(ConfigSchema, merged)].map((error) => {
    const name = error.path.replace(/^\//, '')
    return `${name}: ${error.message} (got ${JSON.stringify(env[name] ?? (merged as Record<string, unknown>)[name])})`
  })
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  return merged as Config
}
