import path from 'node:path'
import pino from 'pino'
import { ConfigError, loadConfig, type Config } from './config'
import { migrateToLatest, openDb, type Db } from './db/database'
import { ensureTaxonomy } from './domain/content-store'
import { formatImportSummary, importContent } from './domain/content-import'
import { loggerOptions } from './logger'
import { REPO_ROOT } from './paths'

export { REPO_ROOT }

/** Loads the configuration or exits with a message naming each bad variable. */
export function configOrExit(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig(process.env, overrides)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(78)
    }
    throw error
  }
}

export function cliLogger(config: Config) {
  return pino(loggerOptions(config))
}

/** Opens the configured database and brings its schema and taxonomy up to date. */
export async function openMigratedDb(config: Config): Promise<{ db: Db; applied: string[] }> {
  const db = openDb({ databaseUrl: config.DATABASE_URL, sqlitePath: path.resolve(REPO_ROOT, config.SQLITE_PATH) })
  const applied = await migrateToLatest(db)
  await ensureTaxonomy(db.kysely)
  return { db, applied }
}

/** Imports the sample content when the database has no issue yet. */
export async function importSampleIfEmpty(db: Db, config: Config, log: (line: string) => void): Promise<void> {
  if (!config.IMPORT_SAMPLE_CONTENT) return
  const any = await db.kysely.selectFrom('issues').select('id').limit(1).executeTakeFirst()
  if (any) return
  const report = await importContent(db, [path.resolve(REPO_ROOT, config.SAMPLE_CONTENT_DIR)])
  log(`sample content imported: ${formatImportSummary(report)}`)
  for (const problem of report.problems) log(problem)
}
