import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema'
import type { MediaStorage } from './media-storage'

const SAFE_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/

/**
 * Uploaded files in the database: every replica serves what any replica stored, with no extra
 * server to run. Avatars are small (≤ 2 MB, usually tens of KB) and written rarely. Files stored
 * in a folder before (`legacy`) are still served from there, and removed from there too.
 */
export class DatabaseMediaStorage implements MediaStorage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
    private readonly legacy: MediaStorage | null = null,
  ) {}

  async put(name: string, data: Buffer): Promise<void> {
    if (!SAFE_NAME.test(name)) throw new Error('unsafe media name')
    await this.db
      .insertInto('media')
      .values({ name, data, created_at: this.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ data, created_at: this.now() }))
      .execute()
  }

  async read(name: string): Promise<Buffer | null> {
    if (!SAFE_NAME.test(name)) return null
    const row = await this.db.selectFrom('media').select('data').where('name', '=', name).executeTakeFirst()
    if (row) return Buffer.from(row.data)
    return this.legacy ? this.legacy.read(name) : null
  }

  async size(name: string): Promise<number | null> {
    if (!SAFE_NAME.test(name)) return null
    const row = await this.db
      .selectFrom('media')
      .select(sql<number | string>`length(data)`.as('size'))
      .where('name', '=', name)
      .executeTakeFirst()
    if (row) return Number(row.size)
    return this.legacy ? this.legacy.size(name) : null
  }

  /** substr on the blob (SQLite) or bytea (PostgreSQL) in the database: only the range is read out */
  async readRange(name: string, start: number, end: number): Promise<Buffer | null> {
    if (!SAFE_NAME.test(name)) return null
    const row = await this.db
      .selectFrom('media')
      .select(sql<Buffer>`substr(data, ${start + 1}, ${end - start + 1})`.as('part'))
      .where('name', '=', name)
      .executeTakeFirst()
    if (row) return Buffer.from(row.part)
    return this.legacy ? this.legacy.readRange(name, start, end) : null
  }

  async remove(name: string): Promise<void> {
    if (!SAFE_NAME.test(name)) return
    await this.db.deleteFrom('media').where('name', '=', name).execute()
    await this.legacy?.remove(name)
  }
}
