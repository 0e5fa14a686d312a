import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'
import { ApiError } from '../errors'
import { changeExpiry } from './membership'
import { shanghaiMidnight } from '../infra/time'

/**
 * Members of the web site keep what they paid for: the operator imports them (phone, name,
 * VIP expiry), and a reader who binds a member's phone in the mini-program is linked to that
 * member once, carrying the VIP over. Every link and every refusal is recorded.
 */

/** Phones are stored as digits with the country code: 8613800138000. */
export function normalizePhone(countryCode: string, national: string): string {
  return `${countryCode}${national}`
}

const CN_MOBILE = /^(?:\+?86[- ]?)?(1[3-9]\d{9})$/

export function parseImportPhone(value: string): string | null {
  const match = CN_MOBILE.exec(value.replace(/\s+/g, ''))
  return match ? normalizePhone('86', match[1]) : null
}

export interface MemberRow {
  line: number
  phone: string
  name: string
  vipExpiresAt: number | null
}

const HEADER = ['phone', 'name', 'vip_expires_at']
const MAX_ROWS = 200000

/** Parses and checks every row; returns the rows or the problems as "line: what to fix". */
export function parseMembersCsv(text: string): { rows: MemberRow[]; problems: string[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const problems: string[] = []
  const rows: MemberRow[] = []
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim().toLowerCase())
  if (header.join(',') !== HEADER.join(',')) {
    return { rows, problems: [`1: the first line must be the header "${HEADER.join(',')}"`] }
  }
  if (lines.length - 1 > MAX_ROWS) return { rows, problems: [`1: more than ${MAX_ROWS} rows: split the file`] }
  const seen = new Map<string, number>()
  lines.slice(1).forEach((raw, index) => {
    const line = index + 2
    if (!raw.trim()) return
    const cells = raw.split(',').map((cell) => cell.trim())
    if (cells.length !== 3) {
      problems.push(`${line}: expected 3 values (phone,name,vip_expires_at), found ${cells.length}`)
      return
    }
    const [phoneText, name, expiry] = cells
    const phone = parseImportPhone(phoneText)
    if (!phone) problems.push(`${line}: "${phoneText}" is not a mainland mobile number such as 13800138000`)
    if (!name || [...name].length > 64) problems.push(`${line}: the name must have 1 to 64 characters`)
    let vipExpiresAt: number | null = null
    if (expiry) {
      vipExpiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expiry) ? shanghaiMidnight(expiry) + 86400000 - 1 : Date.parse(expiry)
      if (!/^\d{4}-\d{2}-\d{2}/.test(expiry) || Number.isNaN(vipExpiresAt)) {
        problems.push(`${line}: vip_expires_at "${expiry}" must be a date YYYY-MM-DD (or empty for no VIP)`)
        vipExpiresAt = null
      }
    }
    if (phone) {
      const earlier = seen.get(phone)
      if (earlier) problems.push(`${line}: phone ${phoneText} is already on line ${earlier}`)
      seen.set(phone, line)
    }
    if (phone && name) rows.push({ line, phone, name, vipExpiresAt })
  })
  return { rows, problems }
}

/** Upserts members by phone in one transaction; linked members keep what they carried over. */
export async function importMembers(db: Kysely<Database>, rows: MemberRow[], now: number) {
  return db.transaction().execute(async (trx) => {
    let created = 0
    let updated = 0
    for (const row of rows) {
      const existing = await trx
        .selectFrom('members')
        .select(['id', 'name', 'vip_expires_at'])
        .where('phone', '=', row.phone)
        .executeTakeFirst()
      if (!existing) {
        await trx
          .insertInto('members')
          .values({ phone: row.phone, name: row.name, vip_expires_at: row.vipExpiresAt, imported_at: now })
          .execute()
        created += 1
      } else if (existing.name !== row.name || existing.vip_expires_at !== row.vipExpiresAt) {
        await trx
          .updateTable('members')
          .set({ name: row.name, vip_expires_at: row.vipExpiresAt })
          .where('id', '=', existing.id)
          .execute()
        updated += 1
      }
    }
    return { created, updated, unchanged: rows.length - created - updated }
  })
}

async function record(
  trx: Transaction<Database>,
  entry: {
    memberId: number | null
    userId: number | null
    phone: string
    action: 'linked' | 'refused' | 'unlinked'
    detail: string
  },
  now: number,
) {
  await trx
    .insertInto('member_links')
    .values({
      member_id: entry.memberId,
      user_id: entry.userId,
      phone: entry.phone,
      action: entry.action,
      detail: entry.detail,
      created_at: now,
    })
    .execute()
}

/**
 * Binds a verified phone to a reader. Refuses a phone that another WeChat identity holds;
 * links an imported member once and carries their VIP over. Returns whether a member was linked.
 */
export async function bindPhone(
  db: Kysely<Database>,
  userId: number,
  phone: string,
  now: number,
): Promise<{ linkedMember: boolean }> {
  // Two readers binding one phone at the same moment (PostgreSQL) both find it free; the unique
  // index lets one through and fails the other. Run that one again: the holder is visible now,
  // so it is refused with the 409 and recorded exactly as a binding that came second.
  for (let attempt = 1; ; attempt++) {
    try {
      return await bindPhoneOnce(db, userId, phone, now)
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error
    }
  }
}

/** A unique index refused the write: PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_UNIQUE. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE'
}

async function bindPhoneOnce(
  db: Kysely<Database>,
  userId: number,
  phone: string,
  now: number,
): Promise<{ linkedMember: boolean }> {
  const refusal = await db.transaction().execute(async (trx) => {
    const holder = await trx
      .selectFrom('users')
      .select('id')
      .where('phone', '=', phone)
      .where('id', '!=', userId)
      .executeTakeFirst()
    const member = await trx.selectFrom('members').selectAll().where('phone', '=', phone).executeTakeFirst()
    const linkedElsewhere = member?.linked_user_id != null && member.linked_user_id !== userId
    if (holder || linkedElsewhere) {
      const other = holder?.id ?? member?.linked_user_id ?? null
      await record(
        trx,
        { memberId: member?.id ?? null, userId, phone, action: 'refused', detail: `phone is bound to user ${other}` },
        now,
      )
      return true
    }
    await trx.updateTable('users').set({ phone }).where('id', '=', userId).execute()
    if (!member || member.linked_user_id === userId) return { linkedMember: false }

    const linked = await trx
      .updateTable('members')
      .set({ linked_user_id: userId, linked_at: now })
      .where('id', '=', member.id)
      .where('linked_user_id', 'is', null)
      .executeTakeFirst()
    if (Number(linked.numUpdatedRows) !== 1) return { linkedMember: false }
    let detail = 'linked; no VIP to carry over'
    if (member.vip_carried_at !== null) detail = 'linked; the VIP was carried over before, not again'
    else if (member.vip_expires_at !== null && member.vip_expires_at > now) {
      await trx.updateTable('members').set({ vip_carried_at: now }).where('id', '=', member.id).execute()
      const carried = member.vip_expires_at
      const { before, after: expiresAt } = await changeExpiry(trx, userId, now, (current) =>
        Math.max(carried, current ?? 0),
      )
      await trx
        .insertInto('membership_grants')
        .values({
          user_id: userId,
          days: Math.ceil((expiresAt - Math.max(now, before ?? now)) / 86400000),
          reason: `web site member ${member.id} linked by phone`,
          source: 'member_import',
          expires_at_before: before,
          expires_at_after: expiresAt,
          created_at: now,
        })
        .execute()
      detail = `linked; VIP until ${new Date(expiresAt).toISOString()} carried over`
    }
    await record(trx, { memberId: member.id, userId, phone, action: 'linked', detail }, now)
    return { linkedMember: true }
  })
  if (refusal === true) {
    throw new ApiError(
      409,
      'PHONE_LINKED_ELSEWHERE',
      'this phone is already linked to another WeChat account: contact customer service to move it',
    )
  }
  return refusal
}

/** Operator's resolution of a refused binding: frees a phone from whoever holds it. */
export async function unlinkPhone(
  db: Kysely<Database>,
  phone: string,
  reason: string,
  now: number,
): Promise<{ userId: number | null }> {
  return db.transaction().execute(async (trx) => {
    const holder = await trx.selectFrom('users').select('id').where('phone', '=', phone).executeTakeFirst()
    const member = await trx
      .selectFrom('members')
      .select(['id', 'linked_user_id'])
      .where('phone', '=', phone)
      .executeTakeFirst()
    await trx.updateTable('users').set({ phone: null }).where('phone', '=', phone).execute()
    if (member)
      await trx
        .updateTable('members')
        .set({ linked_user_id: null, linked_at: null })
        .where('id', '=', member.id)
        .execute()
    await record(
      trx,
      {
        memberId: member?.id ?? null,
        userId: holder?.id ?? member?.linked_user_id ?? null,
        phone,
        action: 'unlinked',
        detail: reason,
      },
      now,
    )
    return { userId: holder?.id ?? null }
  })
}

/** Members of the web site and their links to readers, for the routes and the admin CLI. */
export class Members {
  constructor(private readonly db: Kysely<Database>) {}

  bindPhone(userId: number, phone: string, now: number): Promise<{ linkedMember: boolean }> {
    return bindPhone(this.db, userId, phone, now)
  }

  import(rows: MemberRow[], now: number) {
    return importMembers(this.db, rows, now)
  }

  unlinkPhone(phone: string, reason: string, now: number): Promise<{ userId: number | null }> {
    return unlinkPhone(this.db, phone, reason, now)
  }

  /** Recorded phone links and refusals, newest first (at most 200), of one phone or all. */
  links(phone: string | null) {
    let query = this.db.selectFrom('member_links').selectAll().orderBy('id', 'desc').limit(200)
    if (phone) query = query.where('phone', '=', phone)
    return query.execute()
  }
}
