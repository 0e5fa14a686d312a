import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'
import { ledger } from '../payments/ledger'

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

/**
 * The one write of the memberships table: sets the reader's expiry to `next(current)` as a
 * compare-and-set, reading again when a concurrent transaction changed it first, so two
 * fulfilments (or a fulfilment and a grant) for one reader never lose each other's months.
 */
export async function changeExpiry(
  db: Executor,
  userId: number,
  now: number,
  next: (current: number | null) => number,
): Promise<{ before: number | null; after: number }> {
  for (;;) {
    const before = await currentExpiry(db, userId)
    const after = next(before)
    const written =
      before === null
        ? (
            await db
              .insertInto('memberships')
              .values({ user_id: userId, expires_at: after, updated_at: now })
              .onConflict((oc) => oc.column('user_id').doNothing())
              .executeTakeFirst()
          ).numInsertedOrUpdatedRows
        : (
            await db
              .updateTable('memberships')
              .set({ expires_at: after, updated_at: now })
              .where('user_id', '=', userId)
              .where('expires_at', '=', before)
              .executeTakeFirst()
          ).numUpdatedRows
    if (Number(written ?? 0) === 1) return { before, after }
  }
}

/** Buying while VIP extends from the current expiry; otherwise from now. Returns the period added. */
export async function extendMembership(
  db: Executor,
  userId: number,
  months: number,
  now: number,
): Promise<{ from: number; until: number }> {
  const { before, after } = await changeExpiry(db, userId, now, (current) =>
    addMonths(current !== null && current > now ? current : now, months),
  )
  return { from: before !== null && before > now ? before : now, until: after }
}

/** A refund takes back the period the order added, never below now. Returns the new expiry. */
export async function shortenMembership(db: Executor, userId: number, periodMs: number, now: number): Promise<number> {
  if ((await currentExpiry(db, userId)) === null) return now
  const { after } = await changeExpiry(db, userId, now, (current) => Math.max(now, (current ?? now) - periodMs))
  return after
}

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Extends VIP by `days` (or takes days back, when negative) from the later of now and the current
 * expiry; recorded in the ledger. Returns the new expiry and the one before (null: never VIP).
 */
export async function grantMembership(
  db: Kysely<Database>,
  userId: number,
  days: number,
  reason: string,
  source: string,
  now: number,
): Promise<{ expiresAt: number; before: number | null }> {
  return db.transaction().execute(async (trx) => {
    const { before, after: expiresAt } = await changeExpiry(trx, userId, now, (current) => {
      const base = current !== null && current > now ? current : now
      // Revoking (negative days) never moves the expiry below now.
      return days >= 0 ? base + days * DAY_MS : Math.max(now, base + days * DAY_MS)
    })
    await ledger(
      trx,
      {
        orderId: null,
        userId,
        event: days >= 0 ? 'vip_granted' : 'vip_revoked',
        amountFen: 0,
        source: source === 'admin' ? 'admin' : 'sweep',
        detail: `${days} day(s): ${reason}`,
      },
      now,
    )
    await trx
      .insertInto('membership_grants')
      .values({
        user_id: userId,
        days,
        reason,
        source,
        expires_at_before: before,
        expires_at_after: expiresAt,
        created_at: now,
      })
      .execute()
    return { expiresAt, before }
  })
}
