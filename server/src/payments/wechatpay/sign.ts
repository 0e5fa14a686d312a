import crypto from 'node:crypto'

/**
 * WeChat Pay API v3 signing and verification with node:crypto (docs/wechat.md, "WeChat Pay API v3").
 */

export function nonce(): string {
  return crypto.randomBytes(16).toString('hex')
}

/** The 5-line string a request is signed over; every line ends in \n. */
export function requestMessage(
  method: string,
  canonicalUrl: string,
  timestamp: string,
  nonceStr: string,
  body: string,
): string {
  return `${method}\n${canonicalUrl}\n${timestamp}\n${nonceStr}\n${body}\n`
}

export function rsaSign(privateKey: crypto.KeyObject, message: string): string {
  return crypto.sign('sha256', Buffer.from(message, 'utf8'), privateKey).toString('base64')
}

export interface Merchant {
  mchid: string
  serial: string
  privateKey: crypto.KeyObject
}

export function authorization(
  merchant: Merchant,
  method: string,
  canonicalUrl: string,
  body: string,
  now: number,
): string {
  const timestamp = String(Math.floor(now / 1000))
  const nonceStr = nonce()
  const signature = rsaSign(merchant.privateKey, requestMessage(method, canonicalUrl, timestamp, nonceStr, body))
  return `WECHATPAY2-SHA256-RSA2048 mchid="${merchant.mchid}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serial}"`
}

/** wx.requestPayment's parameters, paySign over appId, timeStamp, nonceStr and package. */
export function requestPaymentParams(merchant: Merchant, appid: string, prepayId: string, now: number) {
  const timeStamp = String(Math.floor(now / 1000))
  const nonceStr = nonce()
  const pkg = `prepay_id=${prepayId}`
  const paySign = rsaSign(merchant.privateKey, `${appid}\n${timeStamp}\n${nonceStr}\n${pkg}\n`)
  return { timeStamp, nonceStr, package: pkg, signType: 'RSA' as const, paySign }
}

export const MAX_CLOCK_SKEW_S = 300

export type VerifyFailure =
  'missing_headers' | 'signature_probe' | 'unknown_serial' | 'stale_timestamp' | 'bad_signature'

/**
 * Verifies a notification or a response: Wechatpay-Signature over "timestamp\nnonce\nbody\n"
 * with the key Wechatpay-Serial names (微信支付公钥 PUB_KEY_ID_… or a platform certificate),
 * within 300 s of now; signature probes (WECHATPAY/SIGNTEST/) never pass.
 */
export function verifyWechatpaySignature(
  keys: ReadonlyMap<string, crypto.KeyObject>,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  now: number,
): { ok: true } | { ok: false; reason: VerifyFailure } {
  const header = (name: string) => {
    const value = headers[name]
    return Array.isArray(value) ? value[0] : value
  }
  const serial = header('wechatpay-serial')
  const signature = header('wechatpay-signature')
  const timestamp = header('wechatpay-timestamp')
  const nonceStr = header('wechatpay-nonce')
  if (!serial || !signature || !timestamp || !nonceStr) return { ok: false, reason: 'missing_headers' }
  if (signature.startsWith('WECHATPAY/SIGNTEST/')) return { ok: false, reason: 'signature_probe' }
  const key = keys.get(serial)
  if (!key) return { ok: false, reason: 'unknown_serial' }
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
    return { ok: false, reason: 'stale_timestamp' }
  }
  const message = `${timestamp}\n${nonceStr}\n${rawBody}\n`
  let valid = false
  try {
    valid = crypto.verify('sha256', Buffer.from(message, 'utf8'), key, Buffer.from(signature, 'base64'))
  } catch {
    valid = false
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad_signature' }
}

/** AEAD_AES_256_GCM with the APIv3 key; the tag (last 16 bytes) is always checked. Null when it fails. */
export function decryptResource(
  apiV3Key: string,
  resource: { ciphertext: string; nonce: string; associated_data?: string },
): string | null {
  try {
    const data = Buffer.from(resource.ciphertext, 'base64')
    if (data.length < 17) return null
    const decipher = crypto.createDecipheriv(
      'aes-256-gcm',
      Buffer.from(apiV3Key, 'utf8'),
      Buffer.from(resource.nonce, 'utf8'),
    )
    decipher.setAuthTag(data.subarray(data.length - 16))
    decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'))
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}

/** The inverse of decryptResource (for tests and tools: WeChat encrypts what we receive). */
export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string) {
  const nonceStr = crypto.randomBytes(6).toString('hex')
  const cipher = crypto.createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonceStr, 'utf8'))
  cipher.setAAD(Buffer.from(associatedData, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: ciphertext.toString('base64'),
    nonce: nonceStr,
    associated_data: associatedData,
  }
}
