import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { migrations } from '../../migrations'
import type { Database } from './schema'

export type DialectName = 'sqlite' | 'postgres'

export interface Db {
  kysely: Kysely<Database>
  dialect: DialectName
  /**
   * A number that changes when another connection or process commits to the database
   * (SQLite's data_version), so caches can drop what an import changed; null where the
   * database cannot tell (PostgreSQL: caches expire by time instead).
   */
  externalChangeCounter(): number | null
  /** PostgreSQL's connection pool now, for metrics; null on SQLite (one connection, no pool) */
  poolStats(): { total: number; idle: number; waiting: number } | null
  close(): Promise<void>
}

export interface DbOptions {
  databaseUrl: string
  sqlitePath: string
}

const INT8_OID = 20

function postgresPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Millisecond timestamps are bigint columns; they stay far below 2^53.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
    },
  })
  // An idle connection closed by the server (restart, failover) is replaced on the next
  // checkout; without a listener its error event would end the process.
  pool.on('error', (error) => process.emitWarning(`PostgreSQL idle connection closed: ${error.message}`))
  return pool
}

function openSqlite(file: string): SqliteDatabase.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const database = new SqliteDatabase(file)
  // First, so that switching a new file to WAL waits for another process instead of failing.
  database.pragma('busy_timeout = 5000')
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
  return database
}

/**
 * Kysely prepares every query anew; preparing costs more than running a small query.
 * Statements are kept by their SQL text (queries are parameterised, so the set is small).
 *
 * Kysely opens transactions with a deferred `begin`. In WAL mode a deferred transaction that read
 * and then writes after another process committed fails at once with SQLITE_BUSY (the busy timeout
 * is not consulted), so transactions take the write lock up front and wait for it instead.
 */
function withStatementCache(database: SqliteDatabase.Database, limit = 1000) {
  const statements = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => database.close(),
    prepare: (kyselySql: string) => {
      const sql = kyselySql === 'begin' ? 'begin immediate' : kyselySql
      let statement = statements.get(sql)
      if (!statement) {
        if (statements.size >= limit) statements.clear()
        statement = database.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    },
  }
}

export function openDb(options: DbOptions): Db {
  if (options.databaseUrl) {
    const pool = postgresPool(options.databaseUrl)
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return {
      kysely,
      dialect: 'postgres',
      externalChangeCounter: () => null,
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: () => kysely.destroy(),
    }
  }
  const database = openSqlite(options.sqlitePath)
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) })
  const dataVersion = database.prepare('pragma data_version').pluck()
  return {
    kysely,
    dialect: 'sqlite',
    externalChangeCounter: () => (database.open ? (dataVersion.get() as number) : null),
    poolStats: () => null,
    close: () => kysely.destroy(),
  }
}

function migrator(db: Db): Migrator {
  return new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrations } })
}

/** Migrations of this build not applied to the database yet (empty when it is up to date); reads only */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const known = await migrator(db).getMigrations()
  return known.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name)
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator(db).migrateToLatest()
    if (!error) return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
    // Kysely takes no migration lock on SQLite: two processes starting on a new file (two `npm start`
    // runs) race, and the loser's transaction finds tables the winner made. Its work was rolled back;
    // asking again applies whatever the winner left.
    if (db.dialect !== 'sqlite' || attempt >= 5) throw error instanceof Error ? error : new Error(String(error))
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
  }
}
