import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { hashToken, newToken, SESSION_TTL_MS, TOKEN_PATTERN } from '../infra/tokens'
import type { Viewer } from './gating'

const DAY_MS = 24 * 60 * 60 * 1000

/** Finds or creates a named user and issues a session token for it; returns the token (shown once). */
export async function issueToken(
  db: Kysely<Database>,
  name: string,
  now: number,
): Promise<{ userId: number; token: string }> {
  return db.transaction().execute(async (trx) => {
    let user = await trx.selectFrom('users').select('id').where('name', '=', name).executeTakeFirst()
    if (!user) {
      user = await trx.insertInto('users').values({ name, created_at: now }).returning('id').executeTakeFirstOrThrow()
    }
    const token = newToken()
    await trx
      .insertInto('sessions')
      .values({
        token_hash: hashToken(token),
        user_id: user.id,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
        revoked_at: null,
      })
      .execute()
    return { userId: user.id, token }
  })
}

/** A user as an operator names one: by id, or by the name `admin token` gave it. */
export type UserRef = { id: number } | { name: string }

export async function findUser(
  db: Kysely<Database>,
  ref: UserRef,
): Promise<{ id: number; name: string | null } | undefined> {
  const query = db.selectFrom('users').select(['id', 'name'])
  return 'id' in ref
    ? query.where('id', '=', ref.id).executeTakeFirst()
    : query.where('name', '=', ref.name).executeTakeFirst()
}

export type TokenCheck = { ok: true; viewer: Viewer; tokenHash: string } | { ok: false }

/** The viewer a bearer token stands for, or not ok when it is malformed, unknown, expired or revoked. */
export async function viewerForToken(db: Kysely<Database>, token: string, now: number): Promise<TokenCheck> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false }
  const tokenHash = hashToken(token)
  const row = await db
    .selectFrom('sessions')
    .leftJoin('memberships', 'memberships.user_id', 'sessions.user_id')
    .select([
      'sessions.user_id',
      'sessions.expires_at',
      'sessions.revoked_at',
      'memberships.expires_at as membership_expires_at',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst()
  if (!row || row.revoked_at !== null || row.expires_at <= now) return { ok: false }
  // Sliding expiry: a session in use is extended, written at most once a day.
  if (row.expires_at - now < SESSION_TTL_MS - DAY_MS) {
    await db
      .updateTable('sessions')
      .set({ expires_at: now + SESSION_TTL_MS, last_used_at: now })
      .where('token_hash', '=', tokenHash)
      .execute()
  }
  return {
    ok: true,
    viewer: { userId: row.user_id, membershipExpiresAt: row.membership_expires_at ?? null },
    tokenHash,
  }
}
