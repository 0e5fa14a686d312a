import type { Config } from '../config'
import type { PaymentRail } from '../db/schema'

/**
 * The settings a rail still lacks on this server, by name, so a command or a request that needs
 * the rail can say what to set instead of pretending. Empty when the rail is configured.
 */
export function missingRailSettings(config: Config, rail: PaymentRail): string[] {
  if (rail === 'xpay') {
    return (
      ['WECHAT_APPSECRET', 'SESSION_KEY_ENCRYPTION_KEY', 'XPAY_OFFER_ID', 'XPAY_APP_KEY', 'MSG_PUSH_TOKEN'] as const
    ).filter((name) => !config[name])
  }
  const missing: string[] = (
    ['WECHATPAY_MCHID', 'WECHATPAY_MERCHANT_SERIAL', 'WECHATPAY_MERCHANT_KEY_FILE', 'WECHATPAY_APIV3_KEY'] as const
  ).filter((name) => !config[name])
  const publicKey = config.WECHATPAY_PUBLIC_KEY_ID && config.WECHATPAY_PUBLIC_KEY_FILE
  const certificate = config.WECHATPAY_PLATFORM_CERT_SERIAL && config.WECHATPAY_PLATFORM_CERT_FILE
  if (!publicKey && !certificate)
    missing.push('WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY_FILE (or WECHATPAY_PLATFORM_CERT_SERIAL and _FILE)')
  return missing
}
