import type { Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** Share codes per reader and the share opens recorded for the publisher. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('share_codes')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    /** Random and opaque: never derived from the user id or the openid */
    .addColumn('code', 'varchar(16)', (c) => c.notNull().unique())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('share_opens')
    .addColumn('sharer_user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    /** WeChat's launch scene (1007 chat, 1008 group, 1154 Moments …); null when unknown (H5) */
    .addColumn('scene', 'integer')
    /** The viewer who opened it: "u:<user id>" or "a:<hash of address and browser>", hashed again */
    .addColumn('viewer_hash', 'varchar(64)', (c) => c.notNull())
    /** Asia/Shanghai date, YYYY-MM-DD */
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint('share_opens_pk', ['sharer_user_id', 'issue_id', 'viewer_hash', 'day'])
    .execute()
  await db.schema
    .createIndex('share_opens_issue_created_idx')
    .on('share_opens')
    .columns(['issue_id', 'created_at'])
    .execute()
  await db.schema.createIndex('share_opens_created_idx').on('share_opens').column('created_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['share_opens', 'share_codes']) await db.schema.dropTable(table).execute()
}
