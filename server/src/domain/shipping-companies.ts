/**
 * WeChat's delivery company codes (运力 id, get_delivery_list) the publisher ships with, named in
 * Chinese for the operator. upload_shipping_info refuses a code it does not know; so do we, first.
 */
export const EXPRESS_COMPANIES: Readonly<Record<string, string>> = {
  SF: '顺丰速运',
  ZTO: '中通快递',
  YTO: '圆通速递',
  STO: '申通快递',
  YD: '韵达速递',
  JTSD: '极兔速递',
  EMS: '中国邮政速递物流',
  YZPY: '邮政快递包裹',
  JD: '京东物流',
  DBL: '德邦快递',
  ZJS: '宅急送',
  BSKY: '百世快运',
  FWX: '丰网速运',
  UC: '优速快递',
  ANE: '安能物流',
  KYSY: '跨越速运',
}

/** 顺丰 wants the receiver's contact with the upload */
export const NEEDS_RECEIVER_CONTACT: ReadonlySet<string> = new Set(['SF'])

export const isExpressCompany = (code: string): boolean => Object.hasOwn(EXPRESS_COMPANIES, code)

/** A phone number as WeChat wants it for 顺丰: the first 3 and last 4 digits, the rest as **** */
export function maskedContact(tel: string): string {
  const digits = tel.replace(/\D/g, '')
  if (digits.length < 8) return '****'
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`
}
