import crypto from 'node:crypto'

/** Opaque bearer tokens: 32 random bytes, stored only as their SHA-256. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex')
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000
