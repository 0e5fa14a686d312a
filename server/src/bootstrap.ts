import fs from 'node:fs'
import path from 'node:path'
import pino from 'pino'
import { ConfigError, loadConfig, type Config } from './config'
import { migrateToLatest, openDb, type Db } from './db/database'
import { ensureTaxonomy } from './domain/content-store'
import { formatImportSummary, importContent } from './domain/content-import'
import { importCourses } from './domain/course-import'
import type { MediaStorage } from './infra/media-storage'
import { loggerOptions } from './logger'
import { REPO_ROOT } from './paths'

export { REPO_ROOT }

/** Where `npm start` keeps what one run needs: its simulator keys and the API's settings (removed at exit) */
export function devRunDir(port: number): string {
  return path.join(REPO_ROOT, 'data', 'run', String(port))
}

/** The settings file of the dev stack (`npm start`) running on this port, while it runs */
function devStackEnvFile(port: number): string | null {
  const dir = devRunDir(port)
  const file = path.join(dir, 'api.env')
  try {
    const pid = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'))
    process.kill(pid, 0)
  } catch {
    return null
  }
  return fs.existsSync(file) ? file : null
}

/**
 * Reads the settings file the server and the CLI share, without overriding the environment:
 * ENV_FILE when set (production: the file the systemd unit's EnvironmentFile names), else `.env`
 * in the repository, else, for the CLI (`devStack`), the settings of the `npm start` running on
 * PORT (3000), so an operator command beside it reaches the same database and WeChat simulator.
 * Returns the file read, or null.
 */
export function loadEnvFile(options: { devStack?: boolean } = {}): string | null {
  const named = process.env.ENV_FILE
  if (named) {
    const file = path.resolve(REPO_ROOT, named)
    if (!fs.existsSync(file)) {
      process.stderr.write(`ENV_FILE: there is no file ${file}\n`)
      process.exit(78)
    }
    process.loadEnvFile(file)
    return file
  }
  const local = path.join(REPO_ROOT, '.env')
  if (fs.existsSync(local)) {
    process.loadEnvFile(local)
    return local
  }
  if (!options.devStack) return null
  const port = Number(process.env.PORT || 3000)
  const stack = Number.isInteger(port) ? devStackEnvFile(port) : null
  if (stack) process.loadEnvFile(stack)
  return stack
}

/** Loads the configuration (after the settings file) or exits with a message naming each bad variable. */
export function configOrExit(overrides: Partial<Config> = {}, options: { devStack?: boolean } = {}): Config {
  loadEnvFile(options)
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

/** Imports the sample courses (content/courses/) when the database has no course yet. */
export async function importSampleCoursesIfEmpty(
  db: Db,
  config: Config,
  storage: MediaStorage,
  log: (line: string) => void,
): Promise<void> {
  if (!config.IMPORT_SAMPLE_CONTENT) return
  const any = await db.kysely.selectFrom('courses').select('id').limit(1).executeTakeFirst()
  if (any) return
  const report = await importCourses(
    db.kysely,
    storage,
    path.resolve(REPO_ROOT, config.SAMPLE_CONTENT_DIR, 'courses'),
    Date.now(),
  )
  log(`sample courses imported: ${report.imported.join(', ') || 'none'}`)
  for (const problem of report.problems) log(problem)
}
