import { sql, type Kysely } from 'kysely'
import { id, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('regions')
    .addColumn('id', 'integer', id(db))
    .addColumn('code', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('columns')
    .addColumn('id', 'integer', id(db))
    .addColumn('slug', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('parent_id', 'integer', (c) => c.references('columns.id'))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .createTable('issues')
    .addColumn('id', 'integer', id(db))
    .addColumn('slug', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('column_id', 'integer', (c) => c.notNull().references('columns.id'))
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('topic', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('published_at', MILLIS, (c) => c.notNull())
    .addColumn('author', 'varchar(100)', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('cover', 'varchar(500)')
    .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('draft','scheduled','published','archived')`),
    )
    .addColumn('access', 'varchar(8)', (c) => c.notNull().check(sql`access in ('free','vip')`))
    .addColumn('body_json', 'text', (c) => c.notNull())
    .addColumn('paywall_at', 'integer')
    .addColumn('vip', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('free_text', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('view_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .addUniqueConstraint('issues_series_number_unique', ['column_id', 'region_id', 'number'])
    .execute()
  await db.schema
    .createIndex('issues_published_idx')
    .on('issues')
    .columns(['status', 'published_at desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('issues_region_published_idx')
    .on('issues')
    .columns(['region_id', 'status', 'published_at desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('issues_column_published_idx')
    .on('issues')
    .columns(['column_id', 'status', 'published_at desc', 'id desc'])
    .execute()

  await db.schema
    .createTable('issue_views')
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
    .addColumn('viewer_key', 'varchar(64)', (c) => c.notNull())
    .addColumn('day', 'varchar(10)', (c) => c.notNull())
    .addPrimaryKeyConstraint('issue_views_pk', ['issue_id', 'viewer_key', 'day'])
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', id(db))
    .addColumn('name', 'varchar(64)', (c) => c.unique())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('expires_at', MILLIS, (c) => c.notNull())
    .addColumn('revoked_at', MILLIS)
    .execute()
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute()

  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', MILLIS, (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('membership_grants')
    .addColumn('id', 'integer', id(db))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('days', 'integer', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('source', 'varchar(32)', (c) => c.notNull())
    .addColumn('expires_at_before', MILLIS)
    .addColumn('expires_at_after', MILLIS, (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('plans')
    .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(32)', (c) => c.notNull())
    .addColumn('months', 'integer', (c) => c.notNull())
    .addColumn('price_fen', 'integer', (c) => c.notNull().check(sql`price_fen > 0`))
    .addColumn('original_price_fen', 'integer')
    .addColumn('benefits_json', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  const benefits = JSON.stringify(['全站栏目畅读', '文档PDF下载'])
  await db
    .insertInto('plans')
    .values([
      {
        id: 'month',
        name: '1个月',
        months: 1,
        price_fen: 990,
        original_price_fen: null,
        benefits_json: benefits,
        active: 1,
        sort_order: 1,
      },
      {
        id: 'half_year',
        name: '半年',
        months: 6,
        price_fen: 4800,
        original_price_fen: 5900,
        benefits_json: benefits,
        active: 1,
        sort_order: 2,
      },
      {
        id: 'year',
        name: '1年',
        months: 12,
        price_fen: 6800,
        original_price_fen: 11800,
        benefits_json: benefits,
        active: 1,
        sort_order: 3,
      },
    ])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'plans',
    'membership_grants',
    'memberships',
    'sessions',
    'users',
    'issue_views',
    'issues',
    'columns',
    'regions',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
