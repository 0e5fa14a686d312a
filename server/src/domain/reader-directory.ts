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

/** What an operator's search text means */
export type ReaderQuery =
  { kind: 'id'; id: number } | { kind: 'phone'; digits: string } | { kind: 'text'; text: string; shareCode: boolean }

/** `#7` an id, 4 to 13 digits the end of a phone, anything else a nickname fragment (or a share code). */
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

  /** At most READER_SEARCH_LIMIT readers matching the text, newest first */
  async search(q: string): Promise<ReaderRow[]> {
    const query = parseReaderQuery(q)
    let builder = this.base()
    if (query.kind === 'id') {
      if (query.id < 1 || query.id > 2147483647) return []
      builder = builder.where('users.id', '=', query.id)
    } else if (query.kind === 'phone') {
      builder = builder.where('users.phone', 'like', `%${query.digits}`)
    } else {
      const pattern = `%${likeLiteral(query.text)}%`
      builder = builder.where((eb) =>
        eb.or([
          sql<boolean>`${sql.ref('users.nickname')} like ${pattern} escape '\\'`,
          sql<boolean>`${sql.ref('users.name')} like ${pattern} escape '\\'`,
          ...(query.shareCode
            ? [
                eb(
                  'users.id',
                  'in',
                  eb.selectFrom('share_codes').select('share_codes.user_id').where('share_codes.code', '=', query.text),
                ),
              ]
            : []),
        ]),
      )
    }
    const rows = await builder.orderBy('users.id', 'desc').limit(READER_SEARCH_LIMIT).execute()
    return rows.map(toReader)
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
