import type { ShippingAddress } from '../api/types'
import type { AddressResult } from './types'

/** What the reader is told when no address came back. */
export const ADDRESS_MESSAGES = {
  cancel: '',
  deny: '未授权使用通讯地址，可在“设置”中开启',
  fail: '获取地址失败，请重试',
} as const

const FIELDS = ['userName', 'telNumber', 'provinceName', 'cityName', 'countyName', 'detailInfo', 'postalCode'] as const

/**
 * wx.chooseAddress's answer (success or fail callback, or the H5 stand-in's) reduced to an address
 * or cancel / deny / fail. Only the seven fields the server takes are kept: it refuses any other.
 */
export function addressResult(answer: unknown): AddressResult {
  const raw = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>
  const errMsg = String(raw.errMsg ?? (answer instanceof Error ? answer.message : ''))
  if (/:ok$/.test(errMsg)) {
    const address = {} as ShippingAddress
    for (const field of FIELDS) address[field] = String(raw[field] ?? '').trim()
    return { outcome: 'ok', address }
  }
  if (/cancel/i.test(errMsg)) return { outcome: 'cancel', errMsg, message: ADDRESS_MESSAGES.cancel }
  if (/deny|permission|privacy/i.test(errMsg)) {
    return { outcome: 'deny', errMsg, message: ADDRESS_MESSAGES.deny }
  }
  return { outcome: 'fail', errMsg: errMsg || 'chooseAddress:fail', message: ADDRESS_MESSAGES.fail }
}
