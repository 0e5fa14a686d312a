import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AccessTokenCache } from '../../wechat/access-token'
import { WeChatError, UNREACHABLE } from '../../wechat/api'
import { apiPaySig } from './sign'

/** 小程序虚拟支付 server APIs: access_token plus pay_sig over "<uri>&<exact body>". */

const XpayOrder = Type.Object({
  order: Type.Object({
    order_id: Type.String(),
    status: Type.Integer(),
    order_fee: Type.Optional(Type.Integer()),
    paid_fee: Type.Optional(Type.Integer()),
    paid_time: Type.Optional(Type.Integer()),
    wx_order_id: Type.Optional(Type.String()),
    wxpay_order_id: Type.Optional(Type.String()),
    /** Refund orders (queried by their refund_order_id): the fen refunded */
    refund_fee: Type.Optional(Type.Integer()),
    /** Payment orders: the fen not refunded yet */
    left_fee: Type.Optional(Type.Integer()),
  }),
})
export type XpayOrderDto = Static<typeof XpayOrder>['order']

/** WeChat's numbering: 0 init, 1 created, 2 paid awaiting delivery, 3 delivering, 4 delivered, 5 refunded, 6 closed, 7 refund failed, 8 user refund done */
export const XPAY_PAID_STATUSES = new Set([2, 3, 4])
export const XPAY_CLOSED_STATUSES = new Set([0, 6])
/** Refund orders: 5 refunded, 7 failed; anything else is still under way */
export const XPAY_REFUNDED = 5
export const XPAY_REFUND_FAILED = 7

const Answer = Type.Object({ errcode: Type.Number(), errmsg: Type.Optional(Type.String()) })

export interface XpayApiOptions {
  baseUrl: string
  appKey: string
  env: 0 | 1
  timeoutMs: number
  accessTokens: AccessTokenCache
}

export class XpayApi {
  constructor(private readonly options: XpayApiOptions) {}

  /** The order as WeChat knows it, or null when WeChat has none with this id. */
  async queryOrder(openid: string, orderId: string): Promise<XpayOrderDto | null> {
    try {
      const answer = await this.call(
        '/xpay/query_order',
        { openid, env: this.options.env, order_id: orderId },
        XpayOrder,
      )
      return answer.order
    } catch (error) {
      // WeChat documents no not-found code; 268490002 (bad parameter) with "not exist" is how it answers.
      if (error instanceof WeChatError && error.errcode === 268490002 && /not exist/i.test(error.errmsg)) return null
      throw error
    }
  }

  async notifyProvideGoods(orderId: string): Promise<void> {
    await this.call('/xpay/notify_provide_goods', { order_id: orderId, env: this.options.env }, Answer)
  }

  async refundOrder(refund: {
    openid: string
    orderId: string
    refundOrderId: string
    amountFen: number
    /** What is not refunded yet (WeChat checks it against its own account) */
    leftFen: number
    reason: string
  }) {
    await this.call(
      '/xpay/refund_order',
      {
        openid: refund.openid,
        order_id: refund.orderId,
        refund_order_id: refund.refundOrderId,
        left_fee: refund.leftFen,
        refund_fee: refund.amountFen,
        biz_meta: '',
        refund_reason: '1',
        req_from: '2',
        env: this.options.env,
      },
      Answer,
    )
  }

  private call<T extends typeof XpayOrder | typeof Answer>(uri: string, body: object, schema: T): Promise<Static<T>> {
    const text = JSON.stringify(body)
    return this.options.accessTokens.withToken(async (token) => {
      const query = new URLSearchParams({ access_token: token, pay_sig: apiPaySig(this.options.appKey, uri, text) })
      let answer: unknown
      try {
        const response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${uri}?${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: text,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        })
        answer = await response.json()
      } catch {
        throw new WeChatError(UNREACHABLE, 'could not be reached', uri)
      }
      if (Value.Check(Answer, answer) && answer.errcode !== 0)
        throw new WeChatError(answer.errcode, answer.errmsg ?? '', uri)
      if (!Value.Check(schema, answer)) throw new WeChatError(UNREACHABLE, 'answered with an unexpected body', uri)
      return answer as Static<T>
    })
  }
}
