import { sql, type Kysely } from 'kysely'
import { isPostgres, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * The paywall funnel: what the app reports (opened → paywall → plan sheet) as raw events, their
 * daily roll-ups, and on each order the issue, share and scene it was bought from.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('funnel_events')
    /** Asia/Shanghai date, YYYY-MM-DD, of the (clamped) client time */
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    /** The region when the event came, so region funnels need no join */
    .addColumn('region_id', 'integer', (c) => c.notNull())
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    /** chat, group, moments, code, search or other (domain/funnel.ts sceneBucket) */
    .addColumn('scene', 'varchar(8)', (c) => c.notNull())
    /** The reader whose share code came with the event; 0 for none (or a code nobody has) */
    .addColumn('sharer_user_id', 'integer', (c) => c.notNull())
    /** sha256 of the app's random viewer key: never a user, an address or a device id */
    .addColumn('viewer_hash', 'varchar(32)', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    // One row per viewer, issue, step and day: the funnel counts viewers, and a resent batch adds nothing.
    .addPrimaryKeyConstraint('funnel_events_pk', ['issue_id', 'day', 'step', 'viewer_hash'])
    .execute()
  // The report reads the raw rows not yet rolled up (created since the last roll-up), and pruning the old ones.
  await db.schema.createIndex('funnel_events_created_idx').on('funnel_events').column('created_at').execute()

  await db.schema
    .createTable('funnel_daily')
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    .addColumn('region_id', 'integer', (c) => c.notNull())
    .addColumn('step', 'varchar(16)', (c) => c.notNull())
    .addColumn('scene', 'varchar(8)', (c) => c.notNull())
    .addColumn('sharer_user_id', 'integer', (c) => c.notNull())
    /** Distinct viewers of that day who reached the step (each viewer once per issue, step and day) */
    .addColumn('viewers', 'integer', (c) => c.notNull())
    // In the order the report groups by, and on SQLite the table itself (without rowid): one issue's
    // funnel is a walk over its rows in order, with no sort and no lookups.
    .addPrimaryKeyConstraint('funnel_daily_pk', ['issue_id', 'step', 'scene', 'sharer_user_id', 'day'])
    .$call((table) => (isPostgres(db) ? table : table.modifyEnd(sql`without rowid`)))
    .execute()
  await db.schema.createIndex('funnel_daily_region_idx').on('funnel_daily').columns(['region_id', 'day']).execute()

  /** One row: every raw event created before `counted_before` is in funnel_daily, none after it */
  await db.schema
    .createTable('funnel_rollup_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('counted_before', MILLIS, (c) => c.notNull())
    .execute()

  // Set once when the order is made, from what the app sent; never read for the price.
  await db.schema.alterTable('orders').addColumn('source_issue_id', 'integer').execute()
  await db.schema.alterTable('orders').addColumn('source_sharer_user_id', 'integer').execute()
  await db.schema.alterTable('orders').addColumn('source_scene', 'varchar(8)').execute()
  await db.schema
    .createIndex('orders_source_issue_idx')
    .on('orders')
    .columns(['source_issue_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_source_issue_idx').execute()
  for (const column of ['source_scene', 'source_sharer_user_id', 'source_issue_id'])
    await db.schema.alterTable('orders').dropColumn(column).execute()
  for (const table of ['funnel_rollup_state', 'funnel_daily', 'funnel_events'])
    await db.schema.dropTable(table).execute()
}
