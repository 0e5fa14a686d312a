import crypto from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { id, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Video courses (docs/courses.md): courses of lessons, each a video served only through short-lived
 * signed URLs. A course is included in VIP, or sold alone as a virtual good: its orders are rows of
 * `orders` with kind 'course' and the course in `course_id`, naming the reserved plan `course`
 * (orders.plan_id is not null since 003), so the one state machine, ledger and reconciler settle them.
 * Shipments gain delivered_at (已签收, after which WeChat reminds the reader to confirm receipt).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('courses')
    .addColumn('id', 'integer', id(db))
    .addColumn('slug', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('title', 'varchar(100)', (c) => c.notNull())
    .addColumn('subtitle', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('teacher', 'varchar(50)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    /** An https URL or a path of this API: public, never a frame of a paid lesson */
    .addColumn('cover', 'varchar(300)')
    .addColumn('access', 'varchar(8)', (c) => c.notNull().check(sql`access in ('vip','sale')`))
    .addColumn('price_fen', 'integer')
    .addColumn('original_price_fen', 'integer')
    .addColumn('on_shelf', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    // Sold alone means a price; included in VIP means none.
    .addCheckConstraint(
      'courses_price_check',
      sql`(access = 'sale' and price_fen > 0) or (access = 'vip' and price_fen is null)`,
    )
    .execute()

  await db.schema
    .createTable('course_lessons')
    .addColumn('id', 'integer', id(db))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id'))
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position >= 1`))
    .addColumn('title', 'varchar(100)', (c) => c.notNull())
    .addColumn('outline', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('duration_seconds', 'integer', (c) => c.notNull().check(sql`duration_seconds > 0`))
    /** 试看: anyone may watch it */
    .addColumn('preview', 'integer', (c) => c.notNull().defaultTo(0))
    /** The video's name in media storage (or its path under the CDN's base) */
    .addColumn('video', 'varchar(128)', (c) => c.notNull())
    .addColumn('poster', 'varchar(128)')
    .addColumn('subtitles', 'varchar(128)')
    /** The subtitles' cues as JSON [{start, end, text}], read from the WebVTT file when imported; null without subtitles */
    .addColumn('cues', 'text')
    .addUniqueConstraint('course_lessons_position_unique', ['course_id', 'position'])
    .execute()

  /** Who bought a course sold alone: one row per paid order; a refund revokes it */
  await db.schema
    .createTable('course_grants')
    .addColumn('order_id', 'integer', (c) => c.primaryKey().references('orders.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id'))
    .addColumn('granted_at', MILLIS, (c) => c.notNull())
    .addColumn('revoked_at', MILLIS)
    .execute()
  await db.schema.createIndex('course_grants_user_idx').on('course_grants').columns(['user_id', 'course_id']).execute()

  await db.schema
    .createTable('lesson_progress')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('lesson_id', 'integer', (c) => c.notNull().references('course_lessons.id'))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('courses.id'))
    .addColumn('position_seconds', 'integer', (c) => c.notNull())
    .addColumn('completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .addPrimaryKeyConstraint('lesson_progress_pk', ['user_id', 'lesson_id'])
    .execute()
  await db.schema
    .createIndex('lesson_progress_course_idx')
    .on('lesson_progress')
    .columns(['user_id', 'course_id', 'updated_at'])
    .execute()

  /** Keys the server makes itself and every replica shares (the media URL key when none is configured) */
  await db.schema
    .createTable('signing_keys')
    .addColumn('name', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('secret', 'varchar(128)', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db
    .insertInto('signing_keys')
    .values({ name: 'course_media', secret: crypto.randomBytes(32).toString('hex'), created_at: Date.now() })
    .execute()

  // orders.kind gains 'course'. Its check was written with the column (017), and SQLite cannot
  // change a check: the column is copied into a new one with the wider check and renamed.
  await db.schema
    .alterTable('orders')
    .addColumn('order_kind', 'varchar(8)', (c) =>
      c
        .notNull()
        .defaultTo('vip')
        .check(sql`order_kind in ('vip','goods','course')`),
    )
    .execute()
  await sql`update orders set order_kind = kind`.execute(db)
  await db.schema.dropIndex('orders_kind_status_idx').execute()
  await db.schema.alterTable('orders').dropColumn('kind').execute()
  await db.schema.alterTable('orders').renameColumn('order_kind', 'kind').execute()
  await db.schema.createIndex('orders_kind_status_idx').on('orders').columns(['kind', 'status', 'paid_at']).execute()
  await db.schema
    .alterTable('orders')
    .addColumn('course_id', 'integer', (c) => c.references('courses.id'))
    .execute()

  /** 已签收: when the operator said the parcel was delivered, and WeChat was asked to remind the reader (notify_confirm_receive, once) */
  await db.schema.alterTable('shipments').addColumn('delivered_at', MILLIS).execute()

  await db
    .insertInto('plans')
    .values({
      id: 'course',
      name: '视频课程',
      months: 0,
      // Never sold as a plan (inactive): a course's order carries the course's own price.
      price_fen: 1,
      original_price_fen: null,
      benefits_json: '[]',
      active: 0,
      sort_order: 1001,
    })
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  // The ledger is append-only and names them: course orders cannot be undone.
  const sold = await db.selectFrom('orders').select('id').where('kind', '=', 'course').executeTakeFirst()
  if (sold) throw new Error('course orders exist: courses cannot be migrated down')
  await db.schema.alterTable('shipments').dropColumn('delivered_at').execute()
  await db.schema.alterTable('orders').dropColumn('course_id').execute()
  for (const table of ['signing_keys', 'lesson_progress', 'course_grants', 'course_lessons', 'courses'])
    await db.schema.dropTable(table).execute()
  await db.deleteFrom('plans').where('id', '=', 'course').execute()
}
