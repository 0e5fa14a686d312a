import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { notFound } from '../errors'
import { SHARE_CODE_PATTERN } from '../schemas/sharing'
import { grantMembership } from './membership'

export const READER_SEARCH_LIMIT = 50

/** A reader as the operator console lists one; the phone is raw here (the route masks it by role). */
export interface ReaderRow {
  id: number
  /** The WeChat nickname, or the name of an operator-made user */
  nickname: string
  /** Digits with the country code, e.g. 8613800138000; null when none is bound */
  phone: string | null
  /** null when the reader never had VIP */
  vipExpiresAt: number | null
  createdAt: number
  lastLoginAt: number | null
}

/** Which readers an export holds */
export interface ReaderExportFilter {
  /** active: VIP at `now`; expired: had VIP; never: never had VIP */
  vip?: 'active' | 'expired' | 'never'
  /** Registered at or after (epoch ms) */
  createdFrom?: number
  /** Registered before (epoch ms) */
  createdUntil?: number
  now: number
}

/** What an operator's search text means */
export type ReaderQuery =
  { kind: 'id'; id: number } | { kind: 'phone'; digits: string } | { kind: 'text'; text: string; shareCode: boolean }

/** `#7` an id, 4 to 13 digits the end of a phone, anything else the start of a nickname or name (or a share code). */
export function parseReaderQuery(q: string): ReaderQuery {
  const text = q.trim()
  const id = /^#(\d{1,10})$/.exec(text)
  if (id) return { kind: 'id', id: Number(id[1]) }
  if (/^\d{4,13}$/.test(text)) return { kind: 'phone', digits: text }
  return { kind: 'text', text, shareCode: new RegExp(SHARE_CODE_PATTERN).test(text) }
}

/** LIKE's wildcards taken literally (with ESCAPE '\') */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}

/** Readers for the operator console: search, one reader, and VIP grants (the same as the CLI's grant-vip). */
export class ReaderDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  private base() {
    return this.db
      .selectFrom('users')
      .leftJoin('memberships', 'memberships.user_id', 'users.id')
      .select([
        'users.id',
        'users.nickname',
        'users.name',
        'users.phone',
        'users.created_at',
        'users.last_login_at',
        'memberships.expires_at',
      ])
  }

  /**
   * At most READER_SEARCH_LIMIT readers matching the text, newest first. The ids come first, from
   * the indexes alone (migration 014), so a text that matches thousands reads only the rows shown.
   */
  async search(q: string): Promise<ReaderRow[]> {
    const query = parseReaderQuery(q)
    let ids = this.db.selectFrom('users').select('users.id')
    if (query.kind === 'id') {
      if (query.id < 1 || query.id > 2147483647) return []
      ids = ids.where('users.id', '=', query.id)
    } else if (query.kind === 'phone') {
      // The last 4 digits find the candidates on an index; LIKE checks any digits before them.
      const phone = sql.ref('users.phone')
      ids = ids.where(sql`substr(${phone}, length(${phone}) - 3)`, '=', query.digits.slice(-4))
      if (query.digits.length > 4) ids = ids.where('users.phone', 'like', `%${query.digits}`)
    } else {
      // The start of a nickname or name; LIKE's wildcards are literal.
      const pattern = `${likeLiteral(query.text)}%`
      ids = ids.where((eb) =>
        eb.or([
          sql<boolean>`${sql.ref('users.nickname')} like ${pattern} escape '\\'`,
          sql<boolean>`${sql.ref('users.name')} like ${pattern} escape '\\'`,
          // `=` a scalar subquery (codes are unique), not `in`: PostgreSQL then ORs the id's index
          // with the nickname's instead of scanning every reader.
          ...(query.shareCode
            ? [
                eb(
                  'users.id',
                  '=',
                  eb.selectFrom('share_codes').select('share_codes.user_id').where('share_codes.code', '=', query.text),
                ),
              ]
            : []),
        ]),
      )
    }
    const rows = await this.base()
      .where('users.id', 'in', ids.orderBy('users.id', 'desc').limit(READER_SEARCH_LIMIT))
      .orderBy('users.id', 'desc')
      .execute()
    return rows.map(toReader)
  }

  /**
   * Readers for an export, newest first, in batches of `batch` (keyset paging on the id, so each
   * batch is one indexed query and nothing is held but the batch), at most `max` in all.
   */
  async *exportBatches(filter: ReaderExportFilter, max: number, batch = 1000): AsyncGenerator<ReaderRow[]> {
    let below: number | null = null
    for (let left = max; left > 0;) {
      let builder = this.base()
      if (filter.vip === 'active') builder = builder.where('memberships.expires_at', '>', filter.now)
      else if (filter.vip === 'expired') builder = builder.where('memberships.expires_at', '<=', filter.now)
      else if (filter.vip === 'never') builder = builder.where('memberships.expires_at', 'is', null)
      if (filter.createdFrom !== undefined) builder = builder.where('users.created_at', '>=', filter.createdFrom)
      if (filter.createdUntil !== undefined) builder = builder.where('users.created_at', '<', filter.createdUntil)
      if (below !== null) builder = builder.where('users.id', '<', below)
      const rows = await builder.orderBy('users.id', 'desc').limit(Math.min(batch, left)).execute()
      if (rows.length === 0) return
      yield rows.map(toReader)
      left -= rows.length
      below = rows[rows.length - 1].id
    }
  }

  /** One reader, or a 404 READER_NOT_FOUND */
  async reader(id: number): Promise<ReaderRow & { shareCode: string | null }> {
    const row = await this.base()
      .leftJoin('share_codes', 'share_codes.user_id', 'users.id')
      .select('share_codes.code')
      .where('users.id', '=', id)
      .executeTakeFirst()
    if (!row) throw notFound('READER_NOT_FOUND', `there is no reader ${id}`)
    return { ...toReader(row), shareCode: row.code }
  }

  /**
   * Extends VIP by `days`, or takes days back when negative (never below now), as the CLI's
   * grant-vip / revoke-vip do; recorded in the ledger and membership_grants. The caller announces
   * the membership change so cached viewers are dropped.
   */
  async grantVip(
    id: number,
    days: number,
    reason: string,
    now: number,
  ): Promise<{ before: number | null; after: number }> {
    await this.reader(id)
    const { before, expiresAt } = await grantMembership(this.db, id, days, reason, 'admin', now)
    return { before, after: expiresAt }
  }
}

function toReader(row: {
  id: number
  nickname: string
  name: string | null
  phone: string | null
  created_at: number
  last_login_at: number | null
  expires_at: number | null
}): ReaderRow {
  return {
    id: row.id,
    nickname: row.nickname || row.name || '',
    phone: row.phone,
    vipExpiresAt: row.expires_at,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  }
}
