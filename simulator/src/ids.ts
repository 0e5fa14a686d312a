import crypto from 'node:crypto'

/**
 * Identifiers in the formats WeChat uses, so the API server's columns, patterns and logs meet
 * realistic values: 28-character openids, 32-character login codes, 24-character base64 session
 * keys, long access tokens (WeChat asks callers to reserve 512 characters).
 */

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function randomAlnum(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALNUM[crypto.randomInt(ALNUM.length)]
  return out
}

function digest(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('base64url')
}

/** The openid of a test user in one mini-program: stable across restarts, different per appid */
export function openidFor(appid: string, user: string): string {
  return `o${digest(`openid|${appid}|${user}`).slice(0, 27)}`
}

/** The unionid of a test user: the same in every app of the Open Platform account */
export function unionidFor(user: string): string {
  return `u${digest(`unionid|${user}`).slice(0, 27)}`
}

/** A wx.login code: 32 letters and digits */
export function newLoginCode(): string {
  return randomAlnum(32)
}

/** A getPhoneNumber code: 64 hex digits */
export function newPhoneCode(): string {
  return crypto.randomBytes(32).toString('hex')
}

/** A session_key: 16 random bytes, base64 (the AES-128 key WeChat encrypts user data with) */
export function newSessionKey(): string {
  return crypto.randomBytes(16).toString('base64')
}

/** An access_token: a short numeric prefix, an underscore, then URL-safe characters (143 in all) */
export function newAccessToken(): string {
  return `90_${crypto.randomBytes(105).toString('base64url')}`
}

/** A request id as WeChat writes it: the time in hex, then two random 8-hex-digit groups */
export function requestId(nowS: number): string {
  const time = (nowS >>> 0).toString(16).padStart(8, '0')
  return `${time}-${crypto.randomBytes(4).toString('hex')}-${crypto.randomBytes(4).toString('hex')}`
}
