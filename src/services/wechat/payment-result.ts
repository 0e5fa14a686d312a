import type { Platform } from '../api/types'
import type { PaymentResult } from './types'

/** What the reader is told when a payment sheet did not end in 'ok'. */
export const PAYMENT_MESSAGES = {
  cancel: '已取消支付',
  fail: '支付失败，请重试',
  /** xpay's INVALID_PLATFORM: iOS below 15 or WeChat below 8.0.68 (docs/wechat.md, "Virtual payment"), or a base library without the API */
  unsupported: '当前微信版本暂不支持购买，请升级到最新版微信（iOS需15及以上）',
} as const

interface WechatAnswer {
  errMsg?: unknown
  errCode?: unknown
  errno?: unknown
  message?: unknown
}

/**
 * One payment answer, from wx.requestVirtualPayment or wx.requestPayment (success or fail
 * callback, or the simulator's phone side, which answers the same shape), reduced to
 * ok / cancel / fail. Cancel: errCode -2 or an errMsg with "cancel" (requestPayment:fail cancel).
 */
export function paymentResult(answer: unknown): PaymentResult {
  const raw = (typeof answer === 'object' && answer !== null ? answer : {}) as WechatAnswer
  const errMsg = String(raw.errMsg ?? raw.message ?? (typeof answer === 'string' ? answer : ''))
  const errCode = typeof raw.errCode === 'number' ? raw.errCode : typeof raw.errno === 'number' ? raw.errno : undefined
  const withCode = errCode === undefined ? {} : { errCode }
  if (/:ok$/.test(errMsg)) return { outcome: 'ok', errMsg, ...withCode, message: '' }
  if (errCode === -2 || /cancel/i.test(errMsg)) {
    return { outcome: 'cancel', errMsg, ...withCode, message: PAYMENT_MESSAGES.cancel }
  }
  if (/INVALID_PLATFORM/.test(errMsg)) {
    return { outcome: 'fail', errMsg, ...withCode, message: PAYMENT_MESSAGES.unsupported }
  }
  return { outcome: 'fail', errMsg: errMsg || 'payment:fail', ...withCode, message: PAYMENT_MESSAGES.fail }
}

const DEVICE_PLATFORMS: ReadonlyArray<Platform> = ['ios', 'android', 'devtools', 'windows', 'mac', 'ohos']

/** wx.getDeviceInfo().platform as the server knows it; anything else (or nothing) is 'other'. */
export function normalisePlatform(value: unknown): Platform {
  const name = String(value ?? '').toLowerCase()
  return DEVICE_PLATFORMS.find((platform) => platform === name) ?? 'other'
}
