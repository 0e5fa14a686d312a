import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import { lockUser } from '../db/locks'
import type { Database } from '../db/schema'
import { ApiError } from '../errors'
import type { MeDto } from '../schemas/auth'
import type { AccessTokenCache } from '../wechat/access-token'
import { WeChatError, type WeChatApi } from '../wechat/api'
import type { MediaStorage, ImageType } from '../infra/media-storage'
import type { SecretBox } from '../infra/secret-box'
import { hashToken, newToken, SESSION_TTL_MS } from '../infra/tokens'

/** A WeChat failure as the reader's error: bad codes are the client's, the rest are WeChat's. */
export function wechatFailure(error: unknown, what: string): ApiError {
  if (!(error instanceof WeChatError)) throw error
  switch (error.errcode) {
    case 40029:
    case 40163:
    case 40226:
      return new ApiError(
        401,
        'WECHAT_CODE_INVALID',
        `the WeChat ${what} code is invalid, used or expired: get a new one`,
      )
    case 45011:
      return new ApiError(429, 'WECHAT_RATE_LIMITED', 'WeChat is limiting requests right now: try again in a minute', {
        'retry-after': '60',
      })
    case 40013:
    case 40125:
      return new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'sign-in with WeChat is not set up on this server', {
        'retry-after': '3600',
      })
    default:
      return new ApiError(503, 'WECHAT_BUSY', 'WeChat is busy: try again in a few seconds', { 'retry-after': '2' })
  }
}

export function maskPhone(phone: string | null): string | null {
  if (!phone) return null
  const national = phone.startsWith('86') && phone.length === 13 ? phone.slice(2) : phone
  return national.length >= 7 ? `${national.slice(0, 3)}****${national.slice(-4)}` : '****'
}

export interface AccountDeps {
  db: Kysely<Database>
  wechat: WeChatApi | null
  accessTokens: AccessTokenCache | null
  secretBox: SecretBox | null
  storage: MediaStorage
  mediaBaseUrl: string
}

export class Accounts {
  constructor(private readonly deps: AccountDeps) {}

  private requireWeChat(): { wechat: WeChatApi; accessTokens: AccessTokenCache; secretBox: SecretBox } {
    const { wechat, accessTokens, secretBox } = this.deps
    if (!wechat || !accessTokens || !secretBox) {
      throw new ApiError(503, 'WECHAT_NOT_CONFIGURED', 'sign-in with WeChat is not set up on this server')
    }
    return { wechat, accessTokens, secretBox }
  }

  /** Trades a wx.login code for the reader's account and a new session token. */
  async exchangeCode(code: string): Promise<{ openid: string; unionid?: string; sessionKey: string }> {
    const { wechat } = this.requireWeChat()
    try {
      const answer = await wechat.code2Session(code)
      return { openid: answer.openid, unionid: answer.unionid, sessionKey: answer.session_key }
    } catch (error) {
      throw wechatFailure(error, 'login')
    }
  }

  async signIn(identity: { openid: string; unionid?: string; sessionKey: string }, now: number) {
    const { secretBox } = this.requireWeChat()
    const sealedKey = secretBox.seal(identity.sessionKey)
    const token = newToken()
    const expiresAt = now + SESSION_TTL_MS
    const userId = await this.deps.db.transaction().execute(async (trx) => {
      const update = {
        session_key_enc: sealedKey,
        last_login_at: now,
        ...(identity.unionid ? { unionid: identity.unionid } : {}),
      }
      const user = await trx
        .insertInto('users')
        .values({ openid: identity.openid, created_at: now, name: null, ...update })
        .onConflict((oc) => oc.column('openid').doUpdateSet(update))
        .returning('id')
        .executeTakeFirstOrThrow()
      await trx
        .insertInto('sessions')
        .values({
          token_hash: hashToken(token),
          user_id: user.id,
          created_at: now,
          expires_at: expiresAt,
          revoked_at: null,
          last_used_at: now,
        })
        .execute()
      return user.id
    })
    return { token, expiresAt, userId }
  }

  async revokeSession(tokenHash: string, now: number): Promise<void> {
    await this.deps.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .execute()
  }

  async revokeAllSessions(userId: number, now: number): Promise<number> {
    const result = await this.deps.db
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  async me(userId: number, now: number): Promise<MeDto> {
    const row = await this.deps.db
      .selectFrom('users')
      .leftJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'users.nickname', 'users.name', 'users.avatar', 'users.phone', 'memberships.expires_at'])
      .where('users.id', '=', userId)
      .executeTakeFirst()
    if (!row) throw new ApiError(401, 'INVALID_TOKEN', 'your account no longer exists: sign in again')
    return {
      id: row.id,
      nickname: row.nickname || row.name || '',
      avatarUrl: row.avatar ? `${this.deps.mediaBaseUrl}/api/media/avatars/${row.avatar}` : null,
      phone: maskPhone(row.phone),
      membership: {
        active: row.expires_at !== null && row.expires_at > now,
        expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
      },
    }
  }

  /** The reader's openid, or a 403 WECHAT_ACCOUNT_REQUIRED saying what needed it. */
  async openidOf(userId: number, what = 'this'): Promise<string> {
    const row = await this.deps.db.selectFrom('users').select('openid').where('id', '=', userId).executeTakeFirst()
    if (!row?.openid) {
      throw new ApiError(403, 'WECHAT_ACCOUNT_REQUIRED', `${what} needs an account signed in with WeChat`)
    }
    return row.openid
  }

  async setNickname(userId: number, nickname: string, checkWithWeChat: boolean): Promise<void> {
    const clean = nickname.normalize('NFC').trim()
    if (!clean || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(clean) || [...clean].length > 20) {
      throw new ApiError(400, 'INVALID_NICKNAME', 'a nickname has 1 to 20 characters and no control characters')
    }
    if (checkWithWeChat && this.deps.wechat) {
      const openid = await this.openidOf(userId)
      const { wechat, accessTokens } = this.requireWeChat()
      let verdict
      try {
        verdict = await accessTokens.withToken((token) => wechat.msgSecCheck(token, openid, clean))
      } catch (error) {
        throw wechatFailure(error, 'content check')
      }
      if (verdict.suggest === 'risky') {
        throw new ApiError(400, 'NICKNAME_REJECTED', 'WeChat did not accept this nickname: choose another one')
      }
    }
    await this.deps.db.updateTable('users').set({ nickname: clean }).where('id', '=', userId).execute()
  }

  /**
   * Stores the new avatar, points the reader at it and removes the one it replaced. Concurrent
   * uploads by one reader take turns on the reader's row, so each replaces (and removes) the one
   * committed before it: exactly one file is left, the one the row names.
   */
  async setAvatar(userId: number, data: Buffer, type: ImageType): Promise<void> {
    const name = `${userId}-${crypto.randomBytes(8).toString('hex')}.${type === 'jpeg' ? 'jpg' : type}`
    await this.deps.storage.put(name, data)
    let replaced: string | null
    try {
      replaced = await this.deps.db.transaction().execute(async (trx) => {
        if (!(await lockUser(trx, userId))) {
          throw new ApiError(401, 'INVALID_TOKEN', 'your account no longer exists: sign in again')
        }
        const row = await trx.selectFrom('users').select('avatar').where('id', '=', userId).executeTakeFirstOrThrow()
        await trx.updateTable('users').set({ avatar: name }).where('id', '=', userId).execute()
        return row.avatar
      })
    } catch (error) {
      await this.deps.storage.remove(name)
      throw error
    }
    if (replaced) await this.deps.storage.remove(replaced)
  }

  /**
   * 注销账号: the reader's personal data goes (profile, phone and its link to a web member,
   * favorites, history, settings, answers, share code, opt-ins, sessions, what is left of the
   * membership) and the WeChat account is let go, so signing in again starts a new account.
   * Orders and the ledger stay, as the law requires of transaction records; they name the user
   * row, which no longer names anyone. Refused while an order is unpaid, unsettled or refunding,
   * since its outcome still concerns the reader.
   */
  async deleteAccount(userId: number): Promise<void> {
    const avatar = await this.deps.db.transaction().execute(async (trx) => {
      if (!(await lockUser(trx, userId))) {
        throw new ApiError(401, 'INVALID_TOKEN', 'your account no longer exists: sign in again')
      }
      const open = await trx
        .selectFrom('orders')
        .select('id')
        .where('user_id', '=', userId)
        .where('status', 'in', ['created', 'pending', 'paid', 'refunding'])
        .executeTakeFirst()
      if (open) {
        throw new ApiError(
          409,
          'ORDER_IN_PROGRESS',
          `order ${open.id} is not finished (unpaid, being fulfilled or refunded): delete the account once it has ended`,
        )
      }
      const row = await trx.selectFrom('users').select('avatar').where('id', '=', userId).executeTakeFirstOrThrow()
      await trx.deleteFrom('subscription_messages').where('user_id', '=', userId).execute()
      await trx.deleteFrom('subscription_optins').where('user_id', '=', userId).execute()
      for (const table of [
        'favorites',
        'reading_progress',
        'reader_settings',
        'practice_answers',
        'share_codes',
      ] as const) {
        await trx.deleteFrom(table).where('user_id', '=', userId).execute()
      }
      await trx.deleteFrom('member_links').where('user_id', '=', userId).execute()
      await trx.updateTable('members').set({ linked_user_id: null }).where('linked_user_id', '=', userId).execute()
      await trx.deleteFrom('memberships').where('user_id', '=', userId).execute()
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute()
      await trx
        .updateTable('users')
        .set({
          openid: null,
          unionid: null,
          session_key_enc: null,
          name: null,
          nickname: '',
          avatar: null,
          phone: null,
        })
        .where('id', '=', userId)
        .execute()
      return row.avatar
    })
    if (avatar) await this.deps.storage.remove(avatar)
  }
}
