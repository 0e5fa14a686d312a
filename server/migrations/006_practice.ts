import { sql, type Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Practice mode: one row per reader, issue and question ("q1" … counted over the whole body, so
 * ids stay the same across the free/VIP cut). It holds the working draft with its timer and the
 * last submitted answer; resubmitting replaces the submission.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('practice_answers')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    .addColumn('question_id', 'varchar(8)', (c) => c.notNull())
    .addColumn('draft_text', 'text', (c) => c.notNull())
    .addColumn('draft_elapsed_seconds', 'integer', (c) =>
      c.notNull().check(sql`draft_elapsed_seconds between 0 and 86400`),
    )
    .addColumn('draft_saved_at', MILLIS, (c) => c.notNull())
    .addColumn('submitted_text', 'text')
    .addColumn('submitted_elapsed_seconds', 'integer', (c) =>
      c.check(sql`submitted_elapsed_seconds between 0 and 86400`),
    )
    .addColumn('submitted_at', MILLIS)
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint('practice_answers_pk', ['user_id', 'issue_id', 'question_id'])
    .execute()
  await db.schema.createIndex('practice_answers_issue_idx').on('practice_answers').column('issue_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('practice_answers').execute()
}
