import type { ColumnDefinitionBuilder, Kysely } from 'kysely'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

export const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter.constructor.name === 'PostgresAdapter'

/** An integer primary key the database numbers: identity in PostgreSQL, autoincrement in SQLite. */
export function id(db: Kysely<any>) {
  return isPostgres(db)
    ? (col: ColumnDefinitionBuilder) => col.generatedByDefaultAsIdentity().primaryKey()
    : (col: ColumnDefinitionBuilder) => col.primaryKey().autoIncrement()
}

/** Times are epoch milliseconds. */
export const MILLIS = 'bigint'
