import crypto, { type KeyObject } from 'node:crypto'

/**
 * The cryptography of WeChat's payment side, as the simulator produces and checks it. Everything
 * is node:crypto; the tests check it with their own, independent code.
 */

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Random letters and digits, e.g. a nonce_str */
export function randomAlnum(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += ALNUM[crypto.randomInt(ALNUM.length)]
  return out
}

/** Random lowercase hex digits, two per byte */
export function randomHex(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex')
}

/** Random decimal digits (the first one is never 0) */
export function randomDigits(length: number): string {
  let out = String(1 + crypto.randomInt(9))
  for (let i = 1; i < length; i++) out += String(crypto.randomInt(10))
  return out
}

/** Lowercase hex HMAC-SHA256, the xpay signatures: the key is used as UTF-8 text, as WeChat's examples do */
export function hmacSha256Hex(key: string, message: string): string {
  return crypto.createHmac('sha256', key).update(message, 'utf8').digest('hex')
}

/** Compares two strings in constant time (false when their lengths differ) */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && crypto.timingSafeEqual(left, right)
}

/** 消息推送 signature: sha1 of the parts sorted as strings and joined without separator */
export function pushSignature(...parts: string[]): string {
  return crypto
    .createHash('sha1')
    .update([...parts].sort().join(''), 'utf8')
    .digest('hex')
}

/** The 32-byte AES key of 安全模式: base64 of the 43-character EncodingAESKey plus '=' */
export function pushAesKey(encodingAesKey: string): Buffer {
  return Buffer.from(`${encodingAesKey}=`, 'base64')
}

/**
 * 安全模式 encryption of one 消息推送 message: AES-256-CBC with IV = the key's first 16 bytes over
 * 16 random bytes, the message length (4 bytes, big-endian), the message and the appid, padded with
 * PKCS#7 to a multiple of 32 bytes. Returns base64.
 */
export function encryptPush(encodingAesKey: string, appid: string, message: string): string {
  const key = pushAesKey(encodingAesKey)
  const text = Buffer.from(message, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(text.length, 0)
  const plain = Buffer.concat([crypto.randomBytes(16), length, text, Buffer.from(appid, 'utf8')])
  const pad = 32 - (plain.length % 32)
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)])
  const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64')
}

/** base64(RSA-SHA256 PKCS#1 v1.5) of a UTF-8 message: WeChat Pay's WECHATPAY2-SHA256-RSA2048 */
export function rsaSign(privateKey: KeyObject, message: string): string {
  return crypto.sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64')
}

export function rsaVerify(publicKey: KeyObject, message: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false
  try {
    return crypto.verify('sha256', Buffer.from(message, 'utf8'), publicKey, Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
}

/** WeChat Pay's signed message: every line, the last included, ends in \n */
export function signedLines(...lines: string[]): string {
  return lines.map((line) => `${line}\n`).join('')
}

/**
 * AEAD_AES_256_GCM as WeChat Pay encrypts notification resources: key = the APIv3 key (32 ASCII
 * bytes), IV = the 12-character nonce, AAD = associated_data; returns base64(ciphertext || tag).
 */
export function aesGcmEncrypt(apiV3Key: string, nonce: string, associatedData: string, plaintext: string): string {
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'))
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64')
}

/** Flips one bit in the middle of base64 data: a tampered ciphertext that still decodes */
export function flipBit(base64: string): string {
  const bytes = Buffer.from(base64, 'base64')
  bytes[Math.floor(bytes.length / 2)] ^= 0x01
  return bytes.toString('base64')
}

/** RFC 3339 in China time, as WeChat Pay writes times: 2025-05-20T13:29:35+08:00 */
export function chinaTime(ms: number): string {
  return `${new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 19)}+08:00`
}

/** A 40-hex-digit certificate serial number, as WeChat writes them (upper case) */
export function newCertSerial(): string {
  return crypto.randomBytes(20).toString('hex').toUpperCase()
}
