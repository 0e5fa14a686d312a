import type { SimState } from './state'

/**
 * WeChat's error answers: HTTP 200 and `{errcode, errmsg}`, where errmsg ends with a request id
 * (`code been used, rid: 6380622c-50076416-224b40b0`). Callers must branch on errcode only.
 */

/** WeChat's errmsg for each errcode the simulator can answer (before the `, rid: …` suffix) */
export const WECHAT_ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system error',
  40001: 'invalid credential, access_token is invalid or not latest',
  40002: 'invalid grant_type',
  40003: 'invalid openid',
  40013: 'invalid appid',
  40029: 'invalid code',
  40037: 'invalid template_id',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  40129: 'invalid scene',
  40163: 'code been used',
  40226: 'code blocked',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  41008: 'missing code',
  41030: 'invalid page',
  42001: 'access_token expired',
  43101: 'user refuse to accept the msg',
  45009: 'reach max api daily quota limit',
  45011: 'api minute-quota reach limit mustslower retry next minute',
  47001: 'data format error',
  47003: 'argument invalid! data.thing1.value invalid',
  61010: 'user access record expired',
  87014: 'risky content',
  // 小程序虚拟支付 (xpay): WeChat documents the codes, not the errmsg texts; these are the simulator's wording.
  268490001: 'invalid openid',
  268490002: 'invalid param',
  268490003: 'pay_sig error',
  268490014: 'refund in progress, retry later with the same parameters',
  268490016: 'left_fee does not match the order, check it with query_order',
  // 发货信息管理, as WeChat writes them:
  // https://developers.weixin.qq.com/miniprogram/dev/server/API/order_shipping/api_uploadshippinginfo
  // (10060001, 10060003 and 10060004 as answered in WeChat's developer community for upload_shipping_info)
  10060001: '支付单不存在',
  10060003: '支付单已使用重新发货机会',
  10060004: '支付单处于不可发货的状态',
  10060031: '该笔支付单不属于 openid 所指定的用户',
  // https://developers.weixin.qq.com/miniprogram/dev/server/API/order_shipping/api_opspecialorder
  268546000: 'type非法。请检查type',
  268546001: 'delay_to非法。请检查delay_to参数',
  268546002: '账户不存在这个待发货单号。请检查单号是否有误',
}

export interface WechatError {
  errcode: number
  errmsg: string
}

/** An error body as WeChat writes it; `errmsg` overrides the table (for codes it lacks) */
export function wechatError(state: SimState, errcode: number, errmsg?: string): WechatError {
  const text = errmsg ?? WECHAT_ERRMSG[errcode] ?? 'system error'
  return { errcode, errmsg: `${text}, rid: ${state.requestId()}` }
}
