import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Config } from '../../config'
import { REPO_ROOT } from '../../paths'

/** Reads WeChat Pay's keys named by the configuration; null when WeChat Pay is not configured. */
export function loadWechatpayKeys(config: Config): {
  merchantKey: crypto.KeyObject
  wechatpayKeys: Map<string, crypto.KeyObject>
} | null {
  if (!config.WECHATPAY_MCHID) return null
  const read = (name: keyof Config, file: string) => {
    try {
      return fs.readFileSync(path.resolve(REPO_ROOT, file), 'utf8')
    } catch {
      throw new Error(`${name}: cannot read ${file}`)
    }
  }
  const missing = (['WECHATPAY_MERCHANT_SERIAL', 'WECHATPAY_MERCHANT_KEY_FILE', 'WECHATPAY_APIV3_KEY'] as const).filter(
    (name) => !config[name],
  )
  if (missing.length > 0) throw new Error(`${missing.join(', ')}: required when WECHATPAY_MCHID is set`)
  const merchantKey = crypto.createPrivateKey(read('WECHATPAY_MERCHANT_KEY_FILE', config.WECHATPAY_MERCHANT_KEY_FILE))
  const wechatpayKeys = new Map<string, crypto.KeyObject>()
  if (config.WECHATPAY_PUBLIC_KEY_ID && config.WECHATPAY_PUBLIC_KEY_FILE) {
    wechatpayKeys.set(
      config.WECHATPAY_PUBLIC_KEY_ID,
      crypto.createPublicKey(read('WECHATPAY_PUBLIC_KEY_FILE', config.WECHATPAY_PUBLIC_KEY_FILE)),
    )
  }
  if (config.WECHATPAY_PLATFORM_CERT_SERIAL && config.WECHATPAY_PLATFORM_CERT_FILE) {
    const pem = read('WECHATPAY_PLATFORM_CERT_FILE', config.WECHATPAY_PLATFORM_CERT_FILE)
    const key = pem.includes('BEGIN CERTIFICATE')
      ? new crypto.X509Certificate(pem).publicKey
      : crypto.createPublicKey(pem)
    wechatpayKeys.set(config.WECHATPAY_PLATFORM_CERT_SERIAL, key)
  }
  if (wechatpayKeys.size === 0) {
    throw new Error(
      'WECHATPAY_PUBLIC_KEY_ID and _FILE, or WECHATPAY_PLATFORM_CERT_SERIAL and _FILE: at least one is required',
    )
  }
  return { merchantKey, wechatpayKeys }
}
