import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'
import { ApiError } from '../errors'
import { changeExpiry } from './membership'
import { shanghaiMidnight } from '../infra/time'
import { csvLine, parseCsv, UTF8_BOM } from '../infra/csv'

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

export const MEMBER_CSV_HEADER = ['phone', 'name', 'vip_expires_at']
/** The column the console's errors CSV adds; a file that has it can be imported again as it is */
export const MEMBER_CSV_REASON = '原因'
const MAX_ROWS = 200000

/** What is wrong with a row (or the file): a stable code, the CLI's English, the console's Chinese */
export interface MemberCsvProblem {
  code:
    | 'HEADER'
    | 'TOO_MANY_ROWS'
    | 'UNCLOSED_QUOTE'
    | 'COLUMN_COUNT'
    | 'PHONE_INVALID'
    | 'NAME_INVALID'
    | 'EXPIRY_INVALID'
    | 'DUPLICATE_PHONE'
  message: string
  zh: string
}

export interface RefusedMemberRow {
  line: number
  /** The row's cells as written (phone, name, vip_expires_at) */
  cells: string[]
  problems: MemberCsvProblem[]
}

/** Every row of a members file, accepted or refused with why; a file problem refuses them all. */
export interface MembersCsvCheck {
  fileProblem: (MemberCsvProblem & { line: number }) | null
  accepted: MemberRow[]
  refused: RefusedMemberRow[]
}

const problem = (code: MemberCsvProblem['code'], message: string, zh: string): MemberCsvProblem => ({
  code,
  message,
  zh,
})

/**
 * Checks every row of a members file (phone,name,vip_expires_at; a 4th column 原因 is ignored).
 * A row with any problem is refused whole; the others are accepted. A leading apostrophe before
 * = + - @, which exports add against formula injection, is dropped.
 */
export function checkMembersCsv(text: string, maxRows = MAX_ROWS): MembersCsvCheck {
  const { records, unclosedQuoteAt } = parseCsv(text)
  const check: MembersCsvCheck = { fileProblem: null, accepted: [], refused: [] }
  const header = (records[0]?.cells ?? []).map((cell) => cell.trim().toLowerCase())
  const withReason = header.length === 4 && header[3] === MEMBER_CSV_REASON
  if (
    records[0]?.line !== 1 ||
    header.slice(0, 3).join(',') !== MEMBER_CSV_HEADER.join(',') ||
    header.length > 3 + Number(withReason)
  ) {
    check.fileProblem = {
      line: 1,
      ...problem(
        'HEADER',
        `the first line must be the header "${MEMBER_CSV_HEADER.join(',')}"`,
        `第一行须为表头 ${MEMBER_CSV_HEADER.join(',')}`,
      ),
    }
    return check
  }
  if (records.length - 1 > maxRows) {
    check.fileProblem = {
      line: 1,
      ...problem('TOO_MANY_ROWS', `more than ${maxRows} rows: split the file`, `超过 ${maxRows} 行，请拆分文件`),
    }
    return check
  }
  if (unclosedQuoteAt !== null) {
    check.fileProblem = {
      line: unclosedQuoteAt,
      ...problem(
        'UNCLOSED_QUOTE',
        'a quote (") opened here is never closed',
        `第 ${unclosedQuoteAt} 行的引号（"）没有闭合`,
      ),
    }
    return check
  }
  const seen = new Map<string, number>()
  for (const { line, cells: raw } of records.slice(1)) {
    const cells = raw.map((cell) => cell.trim().replace(/^'(?=[=+\-@])/, ''))
    const problems: MemberCsvProblem[] = []
    if (cells.length !== 3 && !(withReason && cells.length === 4)) {
      problems.push(
        problem(
          'COLUMN_COUNT',
          `expected 3 values (phone,name,vip_expires_at), found ${cells.length}`,
          `应有 3 列（phone,name,vip_expires_at），实际 ${cells.length} 列`,
        ),
      )
      check.refused.push({ line, cells: cells.slice(0, 3), problems })
      continue
    }
    const [phoneText, name, expiry] = cells
    const phone = parseImportPhone(phoneText)
    if (!phone)
      problems.push(
        problem(
          'PHONE_INVALID',
          `"${phoneText}" is not a mainland mobile number such as 13800138000`,
          `“${phoneText}”不是大陆手机号（如 13800138000）`,
        ),
      )
    if (!name || [...name].length > 64)
      problems.push(problem('NAME_INVALID', 'the name must have 1 to 64 characters', '姓名须为 1 到 64 个字'))
    let vipExpiresAt: number | null = null
    if (expiry) {
      vipExpiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expiry) ? shanghaiMidnight(expiry) + 86400000 - 1 : Date.parse(expiry)
      if (!/^\d{4}-\d{2}-\d{2}/.test(expiry) || Number.isNaN(vipExpiresAt)) {
        problems.push(
          problem(
            'EXPIRY_INVALID',
            `vip_expires_at "${expiry}" must be a date YYYY-MM-DD (or empty for no VIP)`,
            `会员到期日“${expiry}”须为 YYYY-MM-DD 格式的日期（无会员请留空）`,
          ),
        )
      }
    }
    if (phone) {
      const earlier = seen.get(phone)
      if (earlier)
        problems.push(
          problem(
            'DUPLICATE_PHONE',
            `phone ${phoneText} is already on line ${earlier}`,
            `手机号与第 ${earlier} 行重复`,
          ),
        )
      else seen.set(phone, line)
    }
    if (problems.length > 0) check.refused.push({ line, cells: cells.slice(0, 3), problems })
    else if (phone) check.accepted.push({ line, phone, name, vipExpiresAt })
  }
  return check
}

/** Parses and checks every row; returns the rows or the problems as "line: what to fix". */
export function parseMembersCsv(text: string): { rows: MemberRow[]; problems: string[] } {
  const check = checkMembersCsv(text)
  if (check.fileProblem) return { rows: [], problems: [`${check.fileProblem.line}: ${check.fileProblem.message}`] }
  return {
    rows: check.accepted,
    problems: check.refused.flatMap((row) => row.problems.map((p) => `${row.line}: ${p.message}`)),
  }
}

/**
 * The refused rows as a file to fix and import again: the columns of the upload and 原因, with
 * a BOM for Excel. A file problem is one row naming it.
 */
export function membersErrorsCsv(check: MembersCsvCheck): string {
  let text = UTF8_BOM + csvLine([...MEMBER_CSV_HEADER, MEMBER_CSV_REASON])
  if (check.fileProblem) text += csvLine(['', '', '', `第 ${check.fileProblem.line} 行：${check.fileProblem.zh}`])
  for (const row of check.refused) {
    const [phone = '', name = '', expiry = ''] = row.cells
    text += csvLine([phone, name, expiry, row.problems.map((p) => p.zh).join('；')])
  }
  return text
}

export interface MemberImportResult {
  created: number
  updated: number
  unchanged: number
}

/** Thrown to roll a dry run back, carrying what it would have done */
class DryRun extends Error {
  constructor(readonly result: MemberImportResult) {
    super('dry run')
  }
}

/**
 * Upserts members by phone in one transaction; linked members keep what they carried over. A dry
 * run does the same writes and rolls them back, so it counts exactly what an import would do.
 */
export async function importMembers(
  db: Kysely<Database>,
  rows: MemberRow[],
  now: number,
  options: { dryRun?: boolean } = {},
): Promise<MemberImportResult> {
  try {
    return await upsertMembers(db, rows, now, options.dryRun ?? false)
  } catch (error) {
    if (error instanceof DryRun) return error.result
    throw error
  }
}

async function upsertMembers(db: Kysely<Database>, rows: MemberRow[], now: number, dryRun: boolean) {
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
    const result = { created, updated, unchanged: rows.length - created - updated }
    if (dryRun) throw new DryRun(result)
    return result
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

/** A refused binding not resolved since (see Members.conflicts) */
export interface PhoneConflict {
  /** The member_links row of the refusal */
  id: number
  /** Digits with the country code (the route masks it by role) */
  phone: string
  /** The reader who was refused */
  triedBy: number | null
  /** Who holds the phone now: the reader it is bound to, else the reader its member is linked to */
  holderId: number | null
  member: { id: number; name: string } | null
  detail: string
  createdAt: number
}

/** Members of the web site and their links to readers, for the routes and the admin CLI. */
export class Members {
  constructor(private readonly db: Kysely<Database>) {}

  bindPhone(userId: number, phone: string, now: number): Promise<{ linkedMember: boolean }> {
    return bindPhone(this.db, userId, phone, now)
  }

  import(rows: MemberRow[], now: number, options: { dryRun?: boolean } = {}): Promise<MemberImportResult> {
    return importMembers(this.db, rows, now, options)
  }

  unlinkPhone(phone: string, reason: string, now: number): Promise<{ userId: number | null }> {
    return unlinkPhone(this.db, phone, reason, now)
  }

  /**
   * Open phone-link conflicts, newest first (at most 200): refused bindings (a reader bound a phone
   * another reader or a linked member holds) with no link or unlink of that phone since. Each
   * names who tried, who holds the phone now and the web member of that phone, if any.
   */
  async conflicts(): Promise<PhoneConflict[]> {
    const rows = await this.db
      .selectFrom('member_links as refusal')
      .leftJoin('users as holder', 'holder.phone', 'refusal.phone')
      .leftJoin('members', 'members.phone', 'refusal.phone')
      .select([
        'refusal.id',
        'refusal.phone',
        'refusal.user_id',
        'refusal.detail',
        'refusal.created_at',
        'holder.id as holder_id',
        'members.id as member_id',
        'members.name as member_name',
        'members.linked_user_id',
      ])
      .where('refusal.action', '=', 'refused')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('member_links as later')
              .select('later.id')
              .whereRef('later.phone', '=', 'refusal.phone')
              .whereRef('later.id', '>', 'refusal.id')
              .where('later.action', 'in', ['linked', 'unlinked']),
          ),
        ),
      )
      .orderBy('refusal.id', 'desc')
      .limit(200)
      .execute()
    return rows.map((row) => ({
      id: row.id,
      phone: row.phone,
      triedBy: row.user_id,
      holderId: row.holder_id ?? row.linked_user_id,
      member: row.member_id === null ? null : { id: row.member_id, name: row.member_name ?? '' },
      detail: row.detail,
      createdAt: row.created_at,
    }))
  }

  /**
   * Frees the phone a reader has bound (the console's unlinking: unlinkPhone by reader). Answers
   * what was bound before, or 409 NO_PHONE_BOUND when the reader has none.
   */
  async unlinkReader(userId: number, reason: string, now: number): Promise<{ phone: string; memberId: number | null }> {
    const reader = await this.db.selectFrom('users').select('phone').where('id', '=', userId).executeTakeFirst()
    if (!reader) throw new ApiError(404, 'READER_NOT_FOUND', `there is no reader ${userId}`)
    if (!reader.phone)
      throw new ApiError(409, 'NO_PHONE_BOUND', `reader ${userId} has no phone bound: nothing to unlink`)
    const member = await this.db.selectFrom('members').select('id').where('phone', '=', reader.phone).executeTakeFirst()
    await unlinkPhone(this.db, reader.phone, reason, now)
    return { phone: reader.phone, memberId: member?.id ?? null }
  }

  /** Recorded phone links and refusals, newest first (at most 200), of one phone or all. */
  links(phone: string | null) {
    let query = this.db.selectFrom('member_links').selectAll().orderBy('id', 'desc').limit(200)
    if (phone) query = query.where('phone', '=', phone)
    return query.execute()
  }
}
