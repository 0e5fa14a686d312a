import type { Kysely } from 'kysely'
import { id, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/** WeChat accounts, profiles, phone binding and the members imported from the web site. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('openid', 'varchar(64)').execute()
  await db.schema.alterTable('users').addColumn('unionid', 'varchar(64)').execute()
  /** AES-256-GCM of the current session_key: iv.tag.ciphertext, base64url */
  await db.schema.alterTable('users').addColumn('session_key_enc', 'varchar(200)').execute()
  await db.schema
    .alterTable('users')
    .addColumn('nickname', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .execute()
  await db.schema.alterTable('users').addColumn('avatar', 'varchar(128)').execute()
  await db.schema.alterTable('users').addColumn('phone', 'varchar(32)').execute()
  await db.schema.alterTable('users').addColumn('last_login_at', MILLIS).execute()
  await db.schema.createIndex('users_openid_unique').on('users').column('openid').unique().execute()
  await db.schema.createIndex('users_phone_unique').on('users').column('phone').unique().execute()

  await db.schema.alterTable('sessions').addColumn('last_used_at', MILLIS).execute()

  await db.schema
    .createTable('members')
    .addColumn('id', 'integer', id(db))
    .addColumn('phone', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('vip_expires_at', MILLIS)
    .addColumn('imported_at', MILLIS, (c) => c.notNull())
    .addColumn('linked_user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('linked_at', MILLIS)
    /** When the VIP was carried over: it is carried once, even if the phone is later moved */
    .addColumn('vip_carried_at', MILLIS)
    .execute()

  await db.schema
    .createTable('member_links')
    .addColumn('id', 'integer', id(db))
    .addColumn('member_id', 'integer', (c) => c.references('members.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('phone', 'varchar(32)', (c) => c.notNull())
    /** linked | refused | unlinked */
    .addColumn('action', 'varchar(16)', (c) => c.notNull())
    .addColumn('detail', 'varchar(300)', (c) => c.notNull())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('member_links_phone_idx').on('member_links').column('phone').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('member_links').execute()
  await db.schema.dropTable('members').execute()
  await db.schema.alterTable('sessions').dropColumn('last_used_at').execute()
  await db.schema.dropIndex('users_phone_unique').execute()
  await db.schema.dropIndex('users_openid_unique').execute()
  for (const column of ['last_login_at', 'phone', 'avatar', 'nickname', 'session_key_enc', 'unionid', 'openid']) {
    await db.schema.alterTable('users').dropColumn(column).execute()
  }
}
