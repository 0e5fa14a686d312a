import fs from 'node:fs'
import path from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Dialect } from 'kysely'
import pg from 'pg'
import { migrations } from '../../migrations'
import type { Database } from './schema'

export type DialectName = 'sqlite' | 'postgres'

export interface Db {
  kysely: Kysely<Database>
  dialect: DialectName
  close(): Promise<void>
}

export interface DbOptions {
  databaseUrl: string
  sqlitePath: string
}

const INT8_OID = 20

function postgresDialect(connectionString: string): Dialect {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    // Millisecond timestamps are bigint columns; they stay far below 2^53.
    types: {
      getTypeParser: (oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
    },
  })
  return new PostgresDialect({ pool })
}

function sqliteDialect(file: string): Dialect {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const database = new SqliteDatabase(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
  database.pragma('busy_timeout = 5000')
  return new SqliteDialect({ database })
}

export function openDb(options: DbOptions): Db {
  const dialect: DialectName = options.databaseUrl ? 'postgres' : 'sqlite'
  const kysely = new Kysely<Database>({
    dialect: dialect === 'postgres' ? postgresDialect(options.databaseUrl) : sqliteDialect(options.sqlitePath),
  })
  return { kysely, dialect, close: () => kysely.destroy() }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db: db.kysely,
    provider: { getMigrations: async () => migrations },
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error instanceof Error ? error : new Error(String(error))
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
