import crypto from 'node:crypto'
import { ApiError } from '../errors'
import type { Viewer } from './gating'

/** Who an operator previews an issue as (docs/console.md, "Preview as") */
export type PreviewPersona = 'guest' | 'reader' | 'vip' | 'moments'
export const PREVIEW_PERSONAS: readonly PreviewPersona[] = ['guest', 'reader', 'vip', 'moments']

/** How long a preview ticket reads its issue */
export const PREVIEW_TICKET_TTL_MS = 10 * 60000
/** The request header that carries a ticket; a request with it is the ticket's pretend viewer, nobody else */
export const PREVIEW_HEADER = 'x-preview-ticket'
/** The only route a ticket may read, and only for its own issue */
export const PREVIEW_ROUTE = 'GET /api/issues/:id'

const PERSONA_LETTERS: Record<PreviewPersona, string> = { guest: 'g', reader: 'r', vip: 'v', moments: 'm' }
const LETTER_PERSONAS = new Map(Object.entries(PERSONA_LETTERS).map(([persona, letter]) => [letter, persona]))
const MAC_BYTES = 12
/**
 * `<issue id>.<persona letter><expiry in epoch seconds>.<MAC>`, numbers in base 36, the MAC 12
 * bytes of HMAC-SHA256 as base64url: at most 32 characters of the set a 小程序码's scene allows,
 * so the same ticket is the scene of the code that opens the preview on a phone.
 */
const TICKET_PATTERN = /^([1-9a-z][0-9a-z]{0,6})\.([grvm])([1-9a-z][0-9a-z]{0,8})\.([A-Za-z0-9_-]{16})$/
const MAX_ID = 2147483647

/** What a valid ticket lets its request do */
export interface PreviewGrant {
  issueId: number
  persona: PreviewPersona
  /** Epoch ms */
  expiresAt: number
}

const invalid = () =>
  new ApiError(401, 'PREVIEW_TICKET_INVALID', 'this preview link is not valid: open 预览 again in the console')
const expired = () =>
  new ApiError(401, 'PREVIEW_TICKET_EXPIRED', 'this preview link has expired: press 刷新 in the console for a new one')

/**
 * Short-lived, stateless preview tickets: an HMAC over the issue, the persona and the expiry, with
 * a key of its own derived from the console's session key. Nothing is stored, so a ticket cannot
 * be revoked; it is good for PREVIEW_TICKET_TTL_MS and reads one issue only.
 */
export class PreviewTickets {
  private readonly key: Buffer

  /** `secret`: the console's session key (ADMIN_SESSION_KEY); null in development, then a key of this process */
  constructor(secret: Buffer | null) {
    const material = secret ?? crypto.randomBytes(32)
    this.key = Buffer.from(crypto.hkdfSync('sha256', material, Buffer.alloc(0), 'beichen preview tickets v1', 32))
  }

  issue(issueId: number, persona: PreviewPersona, now: number): { ticket: string; expiresAt: number } {
    const seconds = Math.ceil((now + PREVIEW_TICKET_TTL_MS) / 1000)
    const head = `${issueId.toString(36)}.${PERSONA_LETTERS[persona]}${seconds.toString(36)}`
    return { ticket: `${head}.${this.mac(head)}`, expiresAt: seconds * 1000 }
  }

  /** The grant of a ticket; 401 PREVIEW_TICKET_INVALID when malformed or not ours, PREVIEW_TICKET_EXPIRED when old */
  verify(ticket: unknown, now: number): PreviewGrant {
    if (typeof ticket !== 'string' || ticket.length > 40) throw invalid()
    const match = TICKET_PATTERN.exec(ticket)
    if (!match) throw invalid()
    const [, id36, letter, seconds36, mac] = match
    const head = `${id36}.${letter}${seconds36}`
    const expected = Buffer.from(this.mac(head), 'base64url')
    const given = Buffer.from(mac, 'base64url')
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw invalid()
    const issueId = parseInt(id36, 36)
    const expiresAt = parseInt(seconds36, 36) * 1000
    if (issueId > MAX_ID) throw invalid()
    if (expiresAt <= now) throw expired()
    return { issueId, persona: LETTER_PERSONAS.get(letter) as PreviewPersona, expiresAt }
  }

  private mac(head: string): string {
    return crypto.createHmac('sha256', this.key).update(head).digest().subarray(0, MAC_BYTES).toString('base64url')
  }
}

/**
 * The pretend viewer of a persona, for the one gating code (domain/gating.ts): nobody for a guest
 * and for Moments single-page mode (where WeChat signs nobody in), a reader who never had VIP, or a
 * reader whose VIP outlasts the ticket. User id 0 is no user, and a ticket reaches no route that
 * would look one up or write for one.
 */
export function previewViewer(grant: PreviewGrant): Viewer | null {
  switch (grant.persona) {
    case 'guest':
    case 'moments':
      return null
    case 'reader':
      return { userId: 0, membershipExpiresAt: null }
    case 'vip':
      return { userId: 0, membershipExpiresAt: grant.expiresAt }
  }
}

/**
 * The one rule of what a ticket may read: GET of its own issue. Every other route, and any other
 * issue, is 403 PREVIEW_TICKET_SCOPE. `route` is "METHOD /path/:param" of the matched route.
 */
export function checkPreviewScope(grant: PreviewGrant, route: string, params: unknown): void {
  const id = (params as { id?: unknown } | null)?.id
  if (route === PREVIEW_ROUTE && id === String(grant.issueId)) return
  throw new ApiError(
    403,
    'PREVIEW_TICKET_SCOPE',
    `a preview ticket reads its own issue (#${grant.issueId}) and nothing else: send this request without x-preview-ticket`,
  )
}
