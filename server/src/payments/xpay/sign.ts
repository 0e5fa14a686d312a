import crypto from 'node:crypto'

/**
 * 小程序虚拟支付 signatures (docs/wechat.md, "Virtual payment"): hex HMAC-SHA256.
 * paySig signs "requestVirtualPayment&" + signData with the AppKey; signature signs signData
 * with the reader's current session_key; server APIs sign "<uri>&<body>" with the AppKey.
 */

export interface SignDataFields {
  offerId: string
  buyQuantity: number
  env: 0 | 1
  currencyType: 'CNY'
  productId: string
  goodsPrice: number
  outTradeNo: string
  attach: string
}

/** The exact string the server signs and the client passes on: key order is part of it. */
export function buildSignData(fields: SignDataFields): string {
  return JSON.stringify({
    offerId: fields.offerId,
    buyQuantity: fields.buyQuantity,
    env: fields.env,
    currencyType: fields.currencyType,
    productId: fields.productId,
    goodsPrice: fields.goodsPrice,
    outTradeNo: fields.outTradeNo,
    attach: fields.attach,
  })
}

export function hmacHex(key: string, message: string): string {
  return crypto.createHmac('sha256', key).update(message).digest('hex')
}

export function paySig(appKey: string, signData: string): string {
  return hmacHex(appKey, `requestVirtualPayment&${signData}`)
}

export function userSignature(sessionKey: string, signData: string): string {
  return hmacHex(sessionKey, signData)
}

export function apiPaySig(appKey: string, uri: string, body: string): string {
  return hmacHex(appKey, `${uri}&${body}`)
}
