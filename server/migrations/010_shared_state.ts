import type { Kysely } from 'kysely'
import { isPostgres, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * State several API replicas share through the database: uploaded media (each replica has its
 * own disk) and rate-limit windows (a limit of 60 a minute must be 60 in total, not 60 per replica).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('media')
    .addColumn('name', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('data', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('rate_limit_windows')
    /** The limiter's name and the key it counts, e.g. "login-ip:203.0.113.7" */
    .addColumn('key', 'varchar(200)', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('reset_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rate_limit_windows_reset_idx').on('rate_limit_windows').column('reset_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limit_windows').execute()
  await db.schema.dropTable('media').execute()
}
