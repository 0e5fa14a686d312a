import type { Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Scheduled publishing from the operator console: a `scheduled` issue (a status since 001) gets
 * the moment it goes live and the operator who set it, in whose name it is published and audited.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('issues').addColumn('publish_at', MILLIS).execute()
  // No foreign key: SQLite cannot drop a column that has one, and operators are disabled, never removed.
  await db.schema.alterTable('issues').addColumn('scheduled_by', 'integer').execute()
  // The due-publish job asks for scheduled issues whose moment has come, every few seconds.
  await db.schema.createIndex('issues_publish_at_idx').on('issues').columns(['status', 'publish_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('issues_publish_at_idx').execute()
  await db.schema.alterTable('issues').dropColumn('scheduled_by').execute()
  await db.schema.alterTable('issues').dropColumn('publish_at').execute()
}
