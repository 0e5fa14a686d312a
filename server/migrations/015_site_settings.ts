import type { Kysely } from 'kysely'
import { MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Settings the operator changes at run time from the console (paywall copy, the preselected plan,
 * contacts): one row per key, its value as JSON; an unset key falls back to its default (or the
 * environment's contact settings). The 公众号 QR image lives in `media` like other uploads.
 * The plans get the publisher's own labels: 一个月 / 半年 / 一年.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('site_settings')
    .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('value_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', MILLIS, (c) => c.notNull())
    .execute()
  // Only the seed's own names: a plan an operator renamed keeps its name.
  await db.updateTable('plans').set({ name: '一个月' }).where('id', '=', 'month').where('name', '=', '1个月').execute()
  await db.updateTable('plans').set({ name: '一年' }).where('id', '=', 'year').where('name', '=', '1年').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.updateTable('plans').set({ name: '1个月' }).where('id', '=', 'month').where('name', '=', '一个月').execute()
  await db.updateTable('plans').set({ name: '1年' }).where('id', '=', 'year').where('name', '=', '一年').execute()
  await db.schema.dropTable('site_settings').execute()
}
