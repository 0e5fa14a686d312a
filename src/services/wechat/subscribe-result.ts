import type { SubscribeResult } from './types'

/** errCode of wx.requestSubscribeMessage when the reader turned off every subscribe message of the mini-program */
const MAIN_SWITCH_OFF = 20004

/** WeChat's answer to wx.requestSubscribeMessage (success or fail callback) for one template, as the page needs it. */
export function subscribeResult(answer: unknown, templateId: string): SubscribeResult {
  const fields = (answer && typeof answer === 'object' ? answer : {}) as Record<string, unknown>
  const errMsg = typeof fields.errMsg === 'string' ? fields.errMsg : 'requestSubscribeMessage:fail'
  const errCode = typeof fields.errCode === 'number' ? fields.errCode : undefined
  const choice = fields[templateId]
  if (errMsg.endsWith(':ok') && (choice === 'accept' || choice === 'reject' || choice === 'ban')) {
    return { outcome: choice, errMsg }
  }
  if (errCode === MAIN_SWITCH_OFF) return { outcome: 'ban', errMsg, errCode }
  return { outcome: 'fail', errMsg, ...(errCode === undefined ? {} : { errCode }) }
}
