import { sql, type Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Shipping goods orders (docs/store.md): a shipment per order, written in the transaction that
 * moves the order to 已发货 and uploaded to WeChat's 发货信息管理 by a leased job (an outbox);
 * the reports of preorders shipping more than 15 days after payment (opspecialorder); WeChat's
 * 提醒发货 pushes; whether the mini-program is under 发货信息管理; the amount of the refund under way.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shipments')
    .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
    /** WeChat's delivery company code (domain/shipping-companies.ts) */
    .addColumn('express_company', 'varchar(16)', (c) => c.notNull())
    .addColumn('tracking_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('item_desc', 'varchar(120)', (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending','uploaded','failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** When the job may next try an upload; null once uploaded or failed for good */
    .addColumn('next_attempt_at', MILLIS)
    /** WeChat's last answer: "ok", an errcode and its message, or why it could not be asked */
    .addColumn('wechat_answer', 'varchar(300)')
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('uploaded_at', MILLIS)
    /** 已收货: WeChat says the reader confirmed receipt (or its period ran out) */
    .addColumn('received_at', MILLIS)
    .addColumn('settled_at', MILLIS)
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('shipments_due_idx').on('shipments').columns(['status', 'next_attempt_at']).execute()

  // One report per order: WeChat takes a preorder's expected ship date once.
  await db.schema
    .createTable('special_order_reports')
    .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
    /** The expected ship time reported (delay_to), epoch ms */
    .addColumn('delay_to', MILLIS, (c) => c.notNull())
    .addColumn('status', 'varchar(16)', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending','reported','failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', MILLIS)
    .addColumn('wechat_answer', 'varchar(300)')
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('reported_at', MILLIS)
    .execute()

  await db.schema
    .createTable('shipping_reminders')
    .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('first_at', MILLIS, (c) => c.notNull())
    .addColumn('last_at', MILLIS, (c) => c.notNull())
    .execute()

  // is_trade_managed, as WeChat last answered it (one row per appid)
  await db.schema
    .createTable('trade_management')
    .addColumn('appid', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('managed', 'integer', (c) => c.notNull())
    .addColumn('checked_at', MILLIS, (c) => c.notNull())
    .execute()

  /** The fen asked for by the refund under way (partial refunds of goods); null: all that is left */
  await db.schema.alterTable('orders').addColumn('refund_amount_fen', 'integer').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('refund_amount_fen').execute()
  for (const table of ['trade_management', 'shipping_reminders', 'special_order_reports', 'shipments'])
    await db.schema.dropTable(table).execute()
}
