import { sql, type Kysely } from 'kysely'
import { id, isPostgres, MILLIS } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * The operator console: operators (password and/or a WeChat account to scan in with), the
 * append-only audit trail of what they did, and the tickets of scan sign-ins.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('operators')
    .addColumn('id', 'integer', id(db))
    .addColumn('name', 'varchar(32)', (c) => c.notNull().unique())
    .addColumn('role', 'varchar(16)', (c) => c.notNull().check(sql`role in ('editor','finance','admin')`))
    /** scrypt$N$r$p$salt$hash (base64url), or null for scan-only operators */
    .addColumn('password_hash', 'varchar(256)')
    /** The WeChat account (of this mini-program) allowed to scan in */
    .addColumn('openid', 'varchar(64)', (c) => c.unique())
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('disabled_at', MILLIS)
    .execute()

  await db.schema
    .createTable('admin_audit')
    .addColumn('id', 'integer', id(db))
    .addColumn('operator_id', 'integer', (c) => c.references('operators.id'))
    /** Kept as written: a renamed or removed operator still reads right */
    .addColumn('operator_name', 'varchar(32)', (c) => c.notNull())
    .addColumn('action', 'varchar(64)', (c) => c.notNull())
    .addColumn('target', 'varchar(128)', (c) => c.notNull())
    .addColumn('reason', 'varchar(300)', (c) => c.notNull())
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('admin_audit_created_idx').on('admin_audit').columns(['created_at', 'id']).execute()
  // Append-only like the ledger: written once, never changed or removed.
  if (isPostgres(db)) {
    await sql`create function admin_audit_append_only() returns trigger language plpgsql as $$ begin raise exception 'the audit trail is append-only'; end $$`.execute(
      db,
    )
    await sql`create trigger admin_audit_no_update before update or delete on admin_audit for each row execute function admin_audit_append_only()`.execute(
      db,
    )
  } else {
    await sql`create trigger admin_audit_no_update before update on admin_audit begin select raise(abort, 'the audit trail is append-only'); end`.execute(
      db,
    )
    await sql`create trigger admin_audit_no_delete before delete on admin_audit begin select raise(abort, 'the audit trail is append-only'); end`.execute(
      db,
    )
  }

  await db.schema
    .createTable('scan_tickets')
    /** Random, at most 32 characters: it travels as the 小程序码's scene */
    .addColumn('ticket', 'varchar(32)', (c) => c.primaryKey())
    .addColumn('status', 'varchar(16)', (c) =>
      c.notNull().check(sql`status in ('waiting','confirmed','refused','used')`),
    )
    .addColumn('operator_id', 'integer', (c) => c.references('operators.id'))
    .addColumn('created_at', MILLIS, (c) => c.notNull())
    .addColumn('expires_at', MILLIS, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('scan_tickets_expires_idx').on('scan_tickets').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop trigger if exists admin_audit_no_update on admin_audit`.execute(db)
    await sql`drop function if exists admin_audit_append_only()`.execute(db)
  }
  for (const table of ['scan_tickets', 'admin_audit', 'operators']) await db.schema.dropTable(table).execute()
}
