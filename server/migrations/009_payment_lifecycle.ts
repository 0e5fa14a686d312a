import { sql, type Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Reconciliation with back-off and refunds that close their loop: each order carries when the
 * rail should next be asked about it (null: never again) and how often it was asked; refunds
 * made elsewhere add up in refunded_fen; a refund the rail refused leaves its reason.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('next_query_at', MILLIS).execute()
  await db.schema
    .alterTable('orders')
    .addColumn('query_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema
    .alterTable('orders')
    .addColumn('refunded_fen', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('orders').addColumn('refund_failure', 'varchar(300)').execute()
  await db.schema.alterTable('orders').addColumn('refund_requested_at', MILLIS).execute()
  // Orders still open are due at once; the sweep then spaces their queries out.
  await sql`update orders set next_query_at = created_at where status in ('created', 'pending', 'refunding')`.execute(
    db,
  )
  await db.schema.createIndex('orders_next_query_idx').on('orders').columns(['next_query_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_next_query_idx').execute()
  for (const column of ['refund_requested_at', 'refund_failure', 'refunded_fen', 'query_attempts', 'next_query_at'])
    await db.schema.alterTable('orders').dropColumn(column).execute()
}
