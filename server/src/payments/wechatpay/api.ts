import type crypto from 'node:crypto'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { authorization, verifyWechatpaySignature, type Merchant } from './sign'

/** WeChat Pay API v3 for JSAPI orders: every request signed, every answer's signature verified. */

export class WechatpayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly api: string,
  ) {
    super(`WeChat Pay ${api} answered ${status} ${code}`)
    this.name = 'WechatpayError'
  }
}

export const Transaction = Type.Object({
  appid: Type.String(),
  mchid: Type.String(),
  out_trade_no: Type.String(),
  transaction_id: Type.Optional(Type.String()),
  trade_state: Type.String(),
  success_time: Type.Optional(Type.String()),
  /** Empty ({}) until the order is paid */
  payer: Type.Optional(Type.Object({ openid: Type.Optional(Type.String()) })),
  amount: Type.Optional(Type.Object({ total: Type.Optional(Type.Integer()), currency: Type.Optional(Type.String()) })),
})
export type TransactionDto = Static<typeof Transaction>

const Prepay = Type.Object({ prepay_id: Type.String({ minLength: 1, maxLength: 128 }) })
const Refund = Type.Object({
  out_refund_no: Type.String(),
  out_trade_no: Type.Optional(Type.String()),
  /** SUCCESS, CLOSED, PROCESSING or ABNORMAL */
  status: Type.String(),
  amount: Type.Optional(Type.Object({ refund: Type.Optional(Type.Integer()), total: Type.Optional(Type.Integer()) })),
})
export type RefundDto = Static<typeof Refund>

export interface WechatpayOptions {
  baseUrl: string
  appid: string
  merchant: Merchant
  /** Serial (PUB_KEY_ID_… or platform certificate serial) → WeChat Pay's public key */
  wechatpayKeys: ReadonlyMap<string, crypto.KeyObject>
  timeoutMs: number
  now: () => number
}

export class WechatpayApi {
  constructor(private readonly options: WechatpayOptions) {}

  async jsapi(order: {
    description: string
    outTradeNo: string
    amountFen: number
    openid: string
    notifyUrl: string
    timeExpire: string
  }) {
    const body = {
      appid: this.options.appid,
      mchid: this.options.merchant.mchid,
      description: order.description,
      out_trade_no: order.outTradeNo,
      time_expire: order.timeExpire,
      notify_url: order.notifyUrl,
      amount: { total: order.amountFen, currency: 'CNY' },
      payer: { openid: order.openid },
    }
    return (await this.call('jsapi', 'POST', '/v3/pay/transactions/jsapi', body, Prepay)).prepay_id
  }

  /** The transaction, or null when WeChat Pay has no such order. */
  async query(outTradeNo: string): Promise<TransactionDto | null> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.options.merchant.mchid)}`
    try {
      return await this.call('query', 'GET', path, undefined, Transaction)
    } catch (error) {
      if (error instanceof WechatpayError && error.code === 'ORDER_NOT_EXIST') return null
      throw error
    }
  }

  async close(outTradeNo: string): Promise<void> {
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`
    await this.call('close', 'POST', path, { mchid: this.options.merchant.mchid }, null)
  }

  async refund(refund: {
    outTradeNo: string
    outRefundNo: string
    amountFen: number
    totalFen: number
    reason: string
    notifyUrl: string
  }) {
    return this.call(
      'refund',
      'POST',
      '/v3/refund/domestic/refunds',
      {
        out_trade_no: refund.outTradeNo,
        out_refund_no: refund.outRefundNo,
        reason: refund.reason,
        notify_url: refund.notifyUrl,
        amount: { refund: refund.amountFen, total: refund.totalFen, currency: 'CNY' },
      },
      Refund,
    )
  }

  /** The refund, or null when WeChat Pay has none with this number. */
  async queryRefund(outRefundNo: string): Promise<RefundDto | null> {
    const path = `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`
    try {
      return await this.call('refund-query', 'GET', path, undefined, Refund)
    } catch (error) {
      if (error instanceof WechatpayError && (error.code === 'RESOURCE_NOT_EXISTS' || error.code === 'NOT_FOUND'))
        return null
      throw error
    }
  }

  private async call<T extends typeof Prepay | typeof Refund | typeof Transaction>(
    api: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: T | null,
  ): Promise<Static<T>> {
    const text = body === undefined ? '' : JSON.stringify(body)
    let response: Response
    let answer: string
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          authorization: authorization(this.options.merchant, method, path, text, this.options.now()),
        },
        ...(method === 'POST' ? { body: text } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      answer = await response.text()
    } catch {
      throw new WechatpayError(0, 'UNREACHABLE', api)
    }
    if (!response.ok) {
      let code = `HTTP_${response.status}`
      try {
        code = (JSON.parse(answer) as { code?: string }).code ?? code
      } catch {
        /* not JSON */
      }
      throw new WechatpayError(response.status, code, api)
    }
    // A 2xx answer without a valid signature is forged (WeChat Pay's own rule).
    const headers = Object.fromEntries(response.headers.entries())
    const verified = verifyWechatpaySignature(this.options.wechatpayKeys, headers, answer, this.options.now())
    if (!verified.ok)
      throw new WechatpayError(response.status, `UNVERIFIED_RESPONSE_${verified.reason.toUpperCase()}`, api)
    if (schema === null) return undefined as unknown as Static<T>
    let parsed: unknown
    try {
      parsed = JSON.parse(answer)
    } catch {
      throw new WechatpayError(response.status, 'UNEXPECTED_BODY', api)
    }
    if (!Value.Check(schema, parsed)) throw new WechatpayError(response.status, 'UNEXPECTED_BODY', api)
    return parsed as Static<T>
  }
}
