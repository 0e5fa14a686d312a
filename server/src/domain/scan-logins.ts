import crypto from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { ApiError } from '../errors'
import type { Operator, Operators } from './operators'

/** How long a scan ticket (and its 小程序码) can be used */
export const SCAN_TICKET_TTL_MS = 5 * 60000

/** What the console sees when it polls a ticket */
export type ScanStatus = 'waiting' | 'confirmed' | 'refused' | 'expired'

/** 24 random bytes as base64url: 32 characters, all in the charset a 小程序码's scene allows */
export const TICKET_PATTERN = /^[A-Za-z0-9_-]{32}$/

/**
 * Scan sign-in: the console makes a ticket and shows it as a 小程序码; an operator scans it with
 * the mini-program, signed in with their WeChat account, and confirms; the console, polling the
 * ticket, then gets a session once (the ticket is used). Tickets live SCAN_TICKET_TTL_MS.
 */
export class ScanLogins {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly operators: Operators,
  ) {}

  async create(now: number): Promise<{ ticket: string; expiresAt: number }> {
    const ticket = crypto.randomBytes(24).toString('base64url')
    const expiresAt = now + SCAN_TICKET_TTL_MS
    await this.db
      .insertInto('scan_tickets')
      .values({ ticket, status: 'waiting', operator_id: null, created_at: now, expires_at: expiresAt })
      .execute()
    // Old tickets are of no use to anyone: each new one clears those a day past their expiry.
    await this.db
      .deleteFrom('scan_tickets')
      .where('expires_at', '<', now - 86400000)
      .execute()
    return { ticket, expiresAt }
  }

  /** Whether the ticket exists and is still waiting (the 小程序码 of another one is never drawn) */
  async waiting(ticket: string, now: number): Promise<boolean> {
    const row = await this.row(ticket)
    return row !== undefined && row.status === 'waiting' && Number(row.expires_at) > now
  }

  /**
   * The ticket as the console sees it. The first poll that sees it confirmed marks it used and gets
   * the operator; every later poll sees it expired, so one confirmation makes one session.
   */
  async poll(ticket: string, now: number): Promise<{ status: ScanStatus; operator?: Operator }> {
    const row = await this.row(ticket)
    if (!row) throw new ApiError(404, 'TICKET_NOT_FOUND', 'this sign-in code is unknown: make a new one')
    if (row.status === 'refused') return { status: 'refused' }
    if (row.status === 'used' || Number(row.expires_at) <= now) return { status: 'expired' }
    if (row.status === 'waiting') return { status: 'waiting' }
    const claimed = await this.db
      .updateTable('scan_tickets')
      .set({ status: 'used' })
      .where('ticket', '=', ticket)
      .where('status', '=', 'confirmed')
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1 || row.operator_id === null) return { status: 'expired' }
    const operator = await this.operators.byId(row.operator_id)
    return operator ? { status: 'confirmed', operator } : { status: 'refused' }
  }

  /**
   * The reader with this openid confirms the ticket: it becomes confirmed for the operator whose
   * WeChat account that is, or refused (403 NOT_AN_OPERATOR) when it is nobody's. 404 for an
   * unknown ticket, 410 for one expired, used or already answered.
   */
  async confirm(ticket: string, openid: string, now: number): Promise<Operator> {
    const row = await this.row(ticket)
    if (!row)
      throw new ApiError(404, 'TICKET_NOT_FOUND', 'this sign-in code is unknown: make a new one on the computer')
    if (row.status !== 'waiting' || Number(row.expires_at) <= now) {
      throw new ApiError(
        410,
        'TICKET_EXPIRED',
        'this sign-in code has expired or was used: make a new one on the computer',
      )
    }
    const operator = await this.operators.byOpenid(openid)
    const answered = await this.db
      .updateTable('scan_tickets')
      .set(operator ? { status: 'confirmed', operator_id: operator.id } : { status: 'refused' })
      .where('ticket', '=', ticket)
      .where('status', '=', 'waiting')
      .executeTakeFirst()
    if (Number(answered.numUpdatedRows) !== 1) {
      throw new ApiError(
        410,
        'TICKET_EXPIRED',
        'this sign-in code was already answered: make a new one on the computer',
      )
    }
    if (!operator) {
      throw new ApiError(
        403,
        'NOT_AN_OPERATOR',
        '这个微信账号不是北辰遴选后台的操作员 (this WeChat account is not an operator)',
      )
    }
    return operator
  }

  private row(ticket: string) {
    if (!TICKET_PATTERN.test(ticket)) return Promise.resolve(undefined)
    return this.db.selectFrom('scan_tickets').selectAll().where('ticket', '=', ticket).executeTakeFirst()
  }
}
