import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { SimulatorOptions } from './state'

/**
 * One run's worth of WeChat credentials for tests and benchmarks: the options that make the
 * simulator play WeChat (both payment rails), and the matching settings of the API server.
 * Keys are generated here, written to `dir` (0600), and never committed.
 */
export interface PaymentFixture {
  simulator: Omit<SimulatorOptions, 'retryScale'>
  /** The API server's environment, without WECHAT_API_BASE / WECHATPAY_API_BASE (the simulator's address) */
  server: Record<string, string>
}

export const FIXTURE_APPID = 'wx0000000000000000'

const pem = (key: crypto.KeyObject) =>
  key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString()

export function makePaymentFixture(options: { dir: string; apiBase: string; encrypted?: boolean }): PaymentFixture {
  const merchant = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const cert = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 })
  const files = {
    merchant: path.join(options.dir, 'merchant-key.pem'),
    platform: path.join(options.dir, 'wechatpay-public-key.pem'),
    cert: path.join(options.dir, 'platform-cert-public-key.pem'),
  }
  fs.writeFileSync(files.merchant, pem(merchant.privateKey), { mode: 0o600 })
  fs.writeFileSync(files.platform, pem(platform.publicKey), { mode: 0o600 })
  fs.writeFileSync(files.cert, pem(cert.publicKey), { mode: 0o600 })
  const appSecret = crypto.randomBytes(16).toString('hex')
  const appKey = crypto.randomBytes(16).toString('hex')
  const pushToken = crypto.randomBytes(8).toString('hex')
  const aesKey = crypto
    .randomBytes(40)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 43)
  const apiV3Key = crypto.randomBytes(16).toString('hex')
  const mchid = '1900000109'
  const merchantSerial = crypto.randomBytes(20).toString('hex').toUpperCase()
  const keyId = `PUB_KEY_ID_0119000001092026${crypto.randomBytes(8).toString('hex')}`
  const certSerial = crypto.randomBytes(20).toString('hex').toUpperCase()
  const offerId = '1450000001'
  return {
    simulator: {
      secret: appSecret,
      appid: FIXTURE_APPID,
      xpay: {
        appKey,
        offerId,
        // The VIP plans, and the sample course sold alone (content/courses/, course 2 on a new database)
        products: { month: 990, half_year: 4800, year: 6800, course_2: 2990 },
        pushUrl: `${options.apiBase}/api/wechat/message-push`,
        pushToken,
        ...(options.encrypted ? { encodingAesKey: aesKey } : {}),
      },
      pay: {
        mchid,
        merchantCertSerial: merchantSerial,
        merchantPublicKey: pem(merchant.publicKey),
        platformPrivateKey: pem(platform.privateKey),
        platformKeyId: keyId,
        platformCertSerial: certSerial,
        platformCertPrivateKey: pem(cert.privateKey),
        apiV3Key,
      },
    },
    server: {
      WECHAT_APPID: FIXTURE_APPID,
      WECHAT_APPSECRET: appSecret,
      SESSION_KEY_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
      NICKNAME_SECURITY_CHECK: 'false',
      MSG_PUSH_TOKEN: pushToken,
      MSG_PUSH_AES_KEY: options.encrypted ? aesKey : '',
      XPAY_OFFER_ID: offerId,
      XPAY_APP_KEY: appKey,
      WECHATPAY_MCHID: mchid,
      WECHATPAY_MERCHANT_SERIAL: merchantSerial,
      WECHATPAY_MERCHANT_KEY_FILE: files.merchant,
      WECHATPAY_APIV3_KEY: apiV3Key,
      WECHATPAY_PUBLIC_KEY_ID: keyId,
      WECHATPAY_PUBLIC_KEY_FILE: files.platform,
      WECHATPAY_PLATFORM_CERT_SERIAL: certSerial,
      WECHATPAY_PLATFORM_CERT_FILE: files.cert,
      WECHATPAY_NOTIFY_BASE: options.apiBase,
    },
  }
}
