import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'

type Executor = Kysely<Database> | Transaction<Database>

const CST_OFFSET_MS = 8 * 60 * 60 * 1000

/**
 * Adds calendar months in Asia/Shanghai, keeping the time of day; a day past the end of
 * the target month becomes its last day (Jan 31 + 1 month = Feb 28 or 29).
 */
export function addMonths(from: number, months: number): number {
  const local = new Date(from + CST_OFFSET_MS)
  const year = local.getUTCFullYear()
  const month = local.getUTCMonth() + months
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const day = Math.min(local.getUTCDate(), lastDay)
  const shifted = Date.UTC(
    year,
    month,
    day,
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds(),
  )
  return shifted - CST_OFFSET_MS
}

/** The reader's current expiry, or null when they never had VIP. */
export async function currentExpiry(db: Executor, userId: number): Promise<number | null> {
  const row = await db.selectFrom('memberships').select('expires_at').where('user_id', '=', userId).executeTakeFirst()
  return row?.expires_at ?? null
}

/** Sets the reader's VIP expiry (the one write of the memberships table). */
export async function setExpiry(db: Executor, userId: number, expiresAt: number, now: number): Promise<void> {
  await db
    .insertInto('memberships')
    .values({ user_id: userId, expires_at: expiresAt, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ expires_at: expiresAt, updated_at: now }))
    .execute()
}

/** Buying while VIP extends from the current expiry; otherwise from now. Returns the period added. */
export async function extendMembership(
  db: Executor,
  userId: number,
  months: number,
  now: number,
): Promise<{ from: number; until: number }> {
  const current = await db
    .selectFrom('memberships')
    .select('expires_at')
    .where('user_id', '=', userId)
    .executeTakeFirst()
  const from = current && current.expires_at > now ? current.expires_at : now
  const until = addMonths(from, months)
  await db
    .insertInto('memberships')
    .values({ user_id: userId, expires_at: until, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ expires_at: until, updated_at: now }))
    .execute()
  return { from, until }
}

/** A refund takes back the period the order added, never below now. Returns the new expiry. */
export async function shortenMembership(db: Executor, userId: number, periodMs: number, now: number): Promise<number> {
  const current = await db
    .selectFrom('memberships')
    .select('expires_at')
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (!current) return now
  const expiresAt = Math.max(now, current.expires_at - periodMs)
  await db
    .updateTable('memberships')
    .set({ expires_at: expiresAt, updated_at: now })
    .where('user_id', '=', userId)
    .execute()
  return expiresAt
}
