import { sql, type Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** Per-reader study tools: favorites, the last section read per issue, reader settings. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('favorites')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint('favorites_pk', ['user_id', 'issue_id'])
    .execute()
  await db.schema
    .createIndex('favorites_user_created_idx')
    .on('favorites')
    .columns(['user_id', 'created_at desc', 'issue_id desc'])
    .execute()
  await db.schema.createIndex('favorites_issue_idx').on('favorites').column('issue_id').execute()

  await db.schema
    .createTable('reading_progress')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    /** The last section reached, "s1" … */
    .addColumn('section_id', 'varchar(8)', (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint('reading_progress_pk', ['user_id', 'issue_id'])
    .execute()
  await db.schema
    .createIndex('reading_progress_user_updated_idx')
    .on('reading_progress')
    .columns(['user_id', 'updated_at desc', 'issue_id desc'])
    .execute()
  await db.schema.createIndex('reading_progress_issue_idx').on('reading_progress').column('issue_id').execute()

  await db.schema
    .createTable('reader_settings')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('font_size', 'varchar(8)', (c) => c.notNull().check(sql`font_size in ('small','medium','large')`))
    .addColumn('theme', 'varchar(8)', (c) => c.notNull().check(sql`theme in ('system','light','dark')`))
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['reader_settings', 'reading_progress', 'favorites']) await db.schema.dropTable(table).execute()
}
