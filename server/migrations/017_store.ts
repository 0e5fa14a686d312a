import { sql, type Kysely } from 'kysely'
import { id, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * The store's books and magazines (docs/store.md). Goods orders are rows of `orders` (kind
 * 'goods'), so the one state machine, ledger and reconciler keep their money exactly once; what
 * they hold is in `order_lines`, where they ship to in `order_addresses`. `orders.plan_id` is not
 * null with a foreign key since 003: goods orders name the reserved plan `goods`, never on sale.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'integer', id(db))
    .addColumn('slug', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('title', 'varchar(100)', (c) => c.notNull())
    /** An https URL or a path under this API's media */
    .addColumn('cover', 'varchar(300)')
    .addColumn('price_fen', 'integer', (c) => c.notNull().check(sql`price_fen > 0`))
    .addColumn('original_price_fen', 'integer')
    .addColumn('kind', 'varchar(16)', (c) => c.notNull().check(sql`kind in ('in_stock','preorder','subscription')`))
    /** Asia/Shanghai date YYYY-MM-DD a preorder is expected to ship */
    .addColumn('ship_date', 'varchar(10)')
    /** How many issues a subscription ships */
    .addColumn('issues_count', 'integer')
    // Never below zero: a reservation that would oversell fails in the database too.
    .addColumn('stock', 'integer', (c) => c.notNull().check(sql`stock >= 0`))
    .addColumn('limit_per_reader', 'integer', (c) => c.notNull().check(sql`limit_per_reader >= 1`))
    .addColumn('on_shelf', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    /** Distinct viewers per day, summed (product_views keeps one row per viewer and day) */
    .addColumn('view_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('products_shelf_idx').on('products').columns(['on_shelf', 'sort_order']).execute()

  await db.schema
    .createTable('product_views')
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    .addColumn('viewer_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addPrimaryKeyConstraint('product_views_pk', ['product_id', 'viewer_key', 'day'])
    .execute()

  await db.schema
    .alterTable('orders')
    .addColumn('kind', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('vip')
        .check(sql`kind in ('vip','goods')`),
    )
    .execute()
  /** Goods orders: 1 while the order's lines hold stock, 0 once it went back to the shelf; null for VIP */
  await db.schema.alterTable('orders').addColumn('stock_held', 'integer').execute()
  await db.schema.createIndex('orders_kind_status_idx').on('orders').columns(['kind', 'status', 'paid_at']).execute()

  await db.schema
    .createTable('order_lines')
    .addColumn('id', 'integer', id(db))
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id'))
    .addColumn('product_id', 'integer', (c) => c.notNull().references('products.id'))
    /** The title and unit price when the order was made: what the reader agreed to pay for */
    .addColumn('title', 'varchar(100)', (c) => c.notNull())
    .addColumn('unit_price_fen', 'integer', (c) => c.notNull().check(sql`unit_price_fen > 0`))
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('refunded_quantity', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`refunded_quantity >= 0 and refunded_quantity <= quantity`),
    )
    .addUniqueConstraint('order_lines_order_product_unique', ['order_id', 'product_id'])
    .execute()
  await db.schema.createIndex('order_lines_product_idx').on('order_lines').column('product_id').execute()

  // The shape of wx.chooseAddress, as it was when the order was made.
  await db.schema
    .createTable('order_addresses')
    .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
    .addColumn('user_name', 'varchar(50)', (c) => c.notNull())
    .addColumn('tel_number', 'varchar(24)', (c) => c.notNull())
    .addColumn('province_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('city_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('county_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('detail_info', 'varchar(200)', (c) => c.notNull())
    .addColumn('postal_code', 'varchar(6)', (c) => c.notNull())
    .execute()

  await db
    .insertInto('plans')
    .values({
      id: 'goods',
      name: '图书商品',
      months: 0,
      // Never sold (inactive); the plans table wants a positive price.
      price_fen: 1,
      original_price_fen: null,
      benefits_json: '[]',
      active: 0,
      sort_order: 1000,
    })
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  // The ledger is append-only and names them: goods orders cannot be undone.
  const goods = await db.selectFrom('orders').select('id').where('kind', '=', 'goods').executeTakeFirst()
  if (goods) throw new Error('goods orders exist: the store cannot be migrated down')
  for (const table of ['order_addresses', 'order_lines', 'product_views', 'products'])
    await db.schema.dropTable(table).execute()
  await db.schema.dropIndex('orders_kind_status_idx').execute()
  await db.schema.alterTable('orders').dropColumn('stock_held').execute()
  await db.schema.alterTable('orders').dropColumn('kind').execute()
  await db.deleteFrom('plans').where('id', '=', 'goods').execute()
}
