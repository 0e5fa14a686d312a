import crypto from 'node:crypto'

/**
 * The mini-program's 消息推送 (message push): how WeChat delivers events such as
 * xpay_goods_deliver_notify. Plain mode signs with sha1 over the sorted token, timestamp
 * and nonce; 安全模式 adds msg_signature over the Encrypt field too and AES-256-CBC
 * with the EncodingAESKey (key = base64(EncodingAESKey + "="), IV = its first 16 bytes,
 * PKCS#7 padding to 32-byte blocks; plaintext = 16 random bytes, a 4-byte length, the
 * message, the appid).
 */

export function pushSignature(...parts: string[]): string {
  return crypto
    .createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex')
}

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && crypto.timingSafeEqual(left, right)
}

export function verifyPushSignature(token: string, timestamp: string, nonce: string, signature: string): boolean {
  return safeEqualHex(pushSignature(token, timestamp, nonce), signature.toLowerCase())
}

export function verifyMsgSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
  signature: string,
): boolean {
  return safeEqualHex(pushSignature(token, timestamp, nonce, encrypted), signature.toLowerCase())
}

export function aesKeyFrom(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64')
  if (key.length !== 32) throw new Error('EncodingAESKey must decode to 32 bytes')
  return key
}

const BLOCK = 32

/** Decrypts an Encrypt field; returns the message and the appid it names, or null when it is not well formed. */
export function decryptPush(key: Buffer, encrypted: string): { message: string; appid: string } | null {
  try {
    const decipher = crypto.createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
    decipher.setAutoPadding(false)
    const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()])
    const pad = padded[padded.length - 1]
    if (pad < 1 || pad > BLOCK || padded.length < 20 + pad) return null
    for (let i = padded.length - pad; i < padded.length; i++) if (padded[i] !== pad) return null
    const plain = padded.subarray(0, padded.length - pad)
    const length = plain.readUInt32BE(16)
    if (20 + length > plain.length) return null
    return {
      message: plain.subarray(20, 20 + length).toString('utf8'),
      appid: plain.subarray(20 + length).toString('utf8'),
    }
  } catch {
    return null
  }
}

/** Encrypts a message as WeChat does (used by tests and tools; WeChat itself encrypts what we receive). */
export function encryptPush(key: Buffer, message: string, appid: string): string {
  const body = Buffer.from(message, 'utf8')
  const length = Buffer.alloc(4)
  length.writeUInt32BE(body.length)
  const plain = Buffer.concat([crypto.randomBytes(16), length, body, Buffer.from(appid, 'utf8')])
  const pad = BLOCK - (plain.length % BLOCK)
  const cipher = crypto.createCipheriv('aes-256-cbc', key, key.subarray(0, 16))
  cipher.setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString(
    'base64',
  )
}
