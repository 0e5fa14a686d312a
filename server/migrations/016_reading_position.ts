import { sql, type Kysely } from 'kysely'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Resume at a paragraph, not only a section: the block reached (its place among the body's blocks,
 * headings not counted) and how far through the issue that is. Null for progress recorded before.
 * And the reader's choice to see 参考作答 unfolded under every 例题 (folded until chosen).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reading_progress').addColumn('block_index', 'integer').execute()
  await db.schema
    .alterTable('reading_progress')
    .addColumn('percent', 'integer', (c) => c.check(sql`percent between 0 and 100`))
    .execute()
  await db.schema
    .alterTable('reader_settings')
    .addColumn('answers', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('folded')
        .check(sql`answers in ('folded','shown')`),
    )
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reader_settings').dropColumn('answers').execute()
  await db.schema.alterTable('reading_progress').dropColumn('percent').execute()
  await db.schema.alterTable('reading_progress').dropColumn('block_index').execute()
}
