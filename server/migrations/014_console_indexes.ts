import { sql, type Kysely } from 'kysely'
import { isPostgres } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Indexes for the operator console's lists (bench:console-queries): orders newest first under any
 * filter, an order's notifications, and readers found by the start of a nickname or name, or the last 4 digits of a phone.
 * A prefix LIKE uses an index only on SQLite with NOCASE (its LIKE ignores the case of Latin
 * letters) and on PostgreSQL with text_pattern_ops (whatever the database's collation).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_created_idx').on('orders').columns(['created_at', 'id']).execute()
  // An order's detail lists what WeChat sent about it.
  await db.schema
    .createIndex('payment_notifications_order_idx')
    .on('payment_notifications')
    .column('order_id')
    .execute()
  if (isPostgres(db)) {
    await sql`create index users_nickname_prefix_idx on users (nickname text_pattern_ops)`.execute(db)
    await sql`create index users_name_prefix_idx on users (name text_pattern_ops)`.execute(db)
    await sql`create index users_phone_tail_idx on users ((substr(phone, length(phone) - 3)))`.execute(db)
  } else {
    await sql`create index users_nickname_prefix_idx on users (nickname collate nocase)`.execute(db)
    await sql`create index users_name_prefix_idx on users (name collate nocase)`.execute(db)
    await sql`create index users_phone_tail_idx on users (substr(phone, length(phone) - 3))`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of [
    'users_phone_tail_idx',
    'users_name_prefix_idx',
    'users_nickname_prefix_idx',
    'payment_notifications_order_idx',
    'orders_created_idx',
  ])
    await db.schema.dropIndex(index).execute()
}
