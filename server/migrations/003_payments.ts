import { sql, type Kysely } from 'kysely'
import { id, isPostgres, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** Orders, the notifications that paid them, the append-only money ledger and job leases. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', id(db))
    .addColumn('out_trade_no', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('plan_id', 'varchar(32)', (c) => c.notNull().references('plans.id'))
    .addColumn('months', 'integer', (c) => c.notNull())
    .addColumn('amount_fen', 'integer', (c) => c.notNull().check(sql`amount_fen > 0`))
    .addColumn('rail', 'varchar(16)', (c) => c.notNull().check(sql`rail in ('xpay','wechatpay')`))
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('created','pending','paid','fulfilled','closed','refunding','refunded')`),
    )
    .addColumn('openid', 'varchar(64)', (c) => c.notNull())
    .addColumn('platform', 'varchar(16)', (c) => c.notNull())
    /** Double taps within the same attempt make one order */
    .addColumn('request_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('prepay_id', 'varchar(128)')
    .addColumn('sign_data', 'text')
    .addColumn('transaction_id', 'varchar(64)')
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('expires_at', MILLIS, (c) => c.notNull())
    .addColumn('paid_at', MILLIS)
    .addColumn('fulfilled_at', MILLIS)
    .addColumn('closed_at', MILLIS)
    .addColumn('refunded_at', MILLIS)
    .addColumn('last_queried_at', MILLIS)
    /** The VIP period this order added: shortened by exactly this on refund */
    .addColumn('granted_from', MILLIS)
    .addColumn('granted_until', MILLIS)
    .addColumn('refund_no', 'varchar(64)')
    .addUniqueConstraint('orders_user_request_unique', ['user_id', 'request_key'])
    .execute()
  await db.schema.createIndex('orders_status_created_idx').on('orders').columns(['status', 'created_at']).execute()
  await db.schema.createIndex('orders_user_created_idx').on('orders').columns(['user_id', 'created_at']).execute()

  await db.schema
    .createTable('payment_notifications')
    /** WeChat Pay's notification id, or the rail, event and order for message pushes */
    .addColumn('notification_key', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('order_id', 'integer', (c) => c.references('orders.id'))
    .addColumn('rail', 'varchar(16)', (c) => c.notNull())
    .addColumn('event', 'varchar(64)', (c) => c.notNull())
    .addColumn('received_at', MILLIS, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('ledger')
    .addColumn('id', 'integer', id(db))
    .addColumn('order_id', 'integer', (c) => c.references('orders.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    /** order_created, paid, fulfilled, closed, refund_requested, refunded, vip_granted, vip_revoked */
    .addColumn('event', 'varchar(32)', (c) => c.notNull())
    .addColumn('amount_fen', 'integer', (c) => c.notNull())
    /** notification, query, admin, client, sweep */
    .addColumn('source', 'varchar(16)', (c) => c.notNull())
    .addColumn('detail', 'varchar(300)', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('ledger_order_idx').on('ledger').column('order_id').execute()
  // Exactly one fulfilment and one refund per order, whatever the races.
  await db.schema
    .createIndex('ledger_once_per_order')
    .on('ledger')
    .columns(['order_id', 'event'])
    .unique()
    .where(sql.ref('event'), 'in', ['paid', 'fulfilled', 'refunded'])
    .execute()
  // Append-only: the ledger is written once and never changed.
  if (isPostgres(db)) {
    await sql`create function ledger_append_only() returns trigger language plpgsql as $$ begin raise exception 'the ledger is append-only'; end $$`.execute(
      db,
    )
    await sql`create trigger ledger_no_update before update or delete on ledger for each row execute function ledger_append_only()`.execute(
      db,
    )
  } else {
    await sql`create trigger ledger_no_update before update on ledger begin select raise(abort, 'the ledger is append-only'); end`.execute(
      db,
    )
    await sql`create trigger ledger_no_delete before delete on ledger begin select raise(abort, 'the ledger is append-only'); end`.execute(
      db,
    )
  }

  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('holder', 'varchar(64)', (c) => c.notNull())
    .addColumn('expires_at', MILLIS, (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger if exists ledger_no_update on ledger`.execute(db)
    await sql`drop function if exists ledger_append_only()`.execute(db)
  }
  for (const table of ['job_leases', 'ledger', 'payment_notifications', 'orders'])
    await db.schema.dropTable(table).execute()
}
