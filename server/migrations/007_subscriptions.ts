import { sql, type Kysely } from 'kysely'
import { id, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** 通知我下一期: one-time subscribe-message opt-ins per reader and region, and the messages they pay for. */
export async function up(db: Kysely<any>): Promise<void> {
  /** One row per 'accept' of wx.requestSubscribeMessage: WeChat grants one message per accept. */
  await db.schema
    .createTable('subscription_optins')
    .addColumn('id', 'integer', id(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
    .addColumn('template_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull().check(sql`status in ('open','used')`))
    .addColumn('used_for_issue_id', 'integer', (c) => c.references('issues.id').onDelete('set null'))
    .addColumn('used_at', MILLIS)
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('subscription_optins_region_open_idx')
    .on('subscription_optins')
    .columns(['region_id', 'status', 'created_at'])
    .execute()
  await db.schema
    .createIndex('subscription_optins_user_region_idx')
    .on('subscription_optins')
    .columns(['user_id', 'region_id', 'status'])
    .execute()

  /** Published issues the sweep has dealt with; a row is written once, so an issue is announced once. */
  await db.schema
    .createTable('issue_announcements')
    .addColumn('issue_id', 'integer', (c) => c.primaryKey().references('issues.id').onDelete('cascade'))
    .addColumn('announced_at', MILLIS, (c) => c.notNull())
    .execute()
  // Issues that exist before this feature are never announced.
  await sql`insert into issue_announcements (issue_id, announced_at) select id, 0 from issues`.execute(db)

  /** The outbox: one message per used opt-in, sent (and retried) by the sweep. */
  await db.schema
    .createTable('subscription_messages')
    .addColumn('id', 'integer', id(db))
    .addColumn('optin_id', 'integer', (c) =>
      c.notNull().unique().references('subscription_optins.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    .addColumn('template_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('status', 'varchar(8)', (c) => c.notNull().check(sql`status in ('pending','sent','failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', MILLIS, (c) => c.notNull())
    .addColumn('errcode', 'integer')
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('sent_at', MILLIS)
    .execute()
  await db.schema
    .createIndex('subscription_messages_due_idx')
    .on('subscription_messages')
    .columns(['status', 'next_attempt_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['subscription_messages', 'issue_announcements', 'subscription_optins'])
    await db.schema.dropTable(table).execute()
}
