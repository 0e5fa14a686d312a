import { sql, type Kysely } from 'kysely'
import { isPostgres } from './helpers'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was */

/**
 * Full-text search over what every viewer may read: issues.title and issues.free_text
 * (the free part only, never body_json). Chinese has no spaces between words, so both
 * databases index character trigrams: SQLite an FTS5 table with the trigram tokenizer,
 * kept in step with issues by triggers (existing rows indexed here); PostgreSQL pg_trgm
 * GIN indexes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    try {
      await sql`create extension if not exists pg_trgm`.execute(db)
    } catch (error) {
      throw new Error(
        `search needs the PostgreSQL extension pg_trgm and it could not be created (${
          error instanceof Error ? error.message : String(error)
        }): install postgresql-contrib, or have a superuser run "create extension pg_trgm" in this database`,
      )
    }
    await sql`create index issues_title_trgm_idx on issues using gin (title gin_trgm_ops)`.execute(db)
    await sql`create index issues_free_text_trgm_idx on issues using gin (free_text gin_trgm_ops)`.execute(db)
    return
  }
  // A contentless table (the text stays in issues alone) that can delete rows. Each value is
  // indexed with a space after it, so every occurrence of a two-character word is the start
  // of some trigram: the trigram index then finds 山西 too (through fts5vocab, see search.ts).
  await sql`create virtual table issues_fts using fts5(
    title, free_text, content='', contentless_delete=1, tokenize='trigram'
  )`.execute(db)
  await sql`create virtual table issues_fts_vocab using fts5vocab(issues_fts, 'row')`.execute(db)
  await sql`create trigger issues_fts_insert after insert on issues begin
    insert into issues_fts(rowid, title, free_text) values (new.id, new.title || ' ', new.free_text || ' ');
  end`.execute(db)
  await sql`create trigger issues_fts_delete after delete on issues begin
    delete from issues_fts where rowid = old.id;
  end`.execute(db)
  await sql`create trigger issues_fts_update after update of title, free_text on issues begin
    delete from issues_fts where rowid = old.id;
    insert into issues_fts(rowid, title, free_text) values (new.id, new.title || ' ', new.free_text || ' ');
  end`.execute(db)
  await sql`insert into issues_fts(rowid, title, free_text) select id, title || ' ', free_text || ' ' from issues`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop index if exists issues_free_text_trgm_idx`.execute(db)
    await sql`drop index if exists issues_title_trgm_idx`.execute(db)
    return
  }
  for (const trigger of ['issues_fts_update', 'issues_fts_delete', 'issues_fts_insert']) {
    await sql`drop trigger if exists ${sql.raw(trigger)}`.execute(db)
  }
  await sql`drop table if exists issues_fts_vocab`.execute(db)
  await sql`drop table if exists issues_fts`.execute(db)
}
