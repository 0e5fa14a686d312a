import { Type, type Static } from '@sinclair/typebox'
import { json, type WeChatApi } from './api'

/**
 * WeChat's 小程序发货信息管理服务 (order shipping) APIs, through the one WeChatApi client and its
 * base URL (the simulator in development and tests). docs/store.md says when each is called.
 * https://developers.weixin.qq.com/miniprogram/dev/server/API/order_shipping/api_uploadshippinginfo
 */

/** An order as WeChat knows it: by WeChat Pay's transaction_id (2), or by mchid + out_trade_no (1) */
export type OrderKey =
  { order_number_type: 2; transaction_id: string } | { order_number_type: 1; mchid: string; out_trade_no: string }

export interface ShippingUpload {
  order_key: OrderKey
  /** 1: 实体物流配送 by an express company */
  logistics_type: 1
  /** 1: UNIFIED_DELIVERY, one parcel */
  delivery_mode: 1
  shipping_list: Array<{
    tracking_no: string
    express_company: string
    item_desc: string
    /** 顺丰 (SF) wants the receiver's phone, masked: 138****8000 */
    contact?: { receiver_contact: string }
  }>
  /** RFC 3339, +08:00: orders WeChat's view of several uploads */
  upload_time: string
  payer: { openid: string }
}

/**
 * get_order's order_state: 1 待发货, 2 已发货, 3 确认收货, 4 交易完成, 5 已退款, 6 资金待结算.
 * 3, 4 and 6 mean the reader has the parcel (confirmed, or WeChat's period ran out).
 */
export const RECEIVED_STATES: ReadonlySet<number> = new Set([3, 4, 6])
export const SHIPPED_STATES: ReadonlySet<number> = new Set([2, 3, 4, 6])

const Ok = Type.Object({ errcode: Type.Number() })
const GetOrder = Type.Object({
  order: Type.Object({
    transaction_id: Type.Optional(Type.String()),
    merchant_trade_no: Type.Optional(Type.String()),
    openid: Type.Optional(Type.String()),
    order_state: Type.Integer({ minimum: 1, maximum: 9 }),
  }),
})
export type WeChatTradeOrder = Static<typeof GetOrder>['order']
const TradeManaged = Type.Object({ is_trade_managed: Type.Boolean() })

const withToken = (path: string, token: string) => `${path}?access_token=${encodeURIComponent(token)}`

export class ShippingApi {
  constructor(private readonly wechat: WeChatApi) {}

  async upload(token: string, body: ShippingUpload): Promise<void> {
    await this.wechat.call(
      'upload_shipping_info',
      withToken('/wxa/sec/order/upload_shipping_info', token),
      json(body),
      Ok,
    )
  }

  async getOrder(token: string, key: { transactionId: string | null; mchid: string; outTradeNo: string }) {
    const body = key.transactionId
      ? { transaction_id: key.transactionId }
      : { merchant_id: key.mchid, merchant_trade_no: key.outTradeNo }
    return (await this.wechat.call('get_order', withToken('/wxa/sec/order/get_order', token), json(body), GetOrder))
      .order
  }

  async isTradeManaged(token: string, appid: string): Promise<boolean> {
    const answer = await this.wechat.call(
      'is_trade_managed',
      withToken('/wxa/sec/order/is_trade_managed', token),
      json({ appid }),
      TradeManaged,
    )
    return answer.is_trade_managed
  }

  /** 确认收货提醒: the parcel was delivered at `receivedAt` (epoch ms); WeChat reminds the reader to confirm receipt */
  async notifyConfirmReceive(
    token: string,
    key: { transactionId: string | null; mchid: string; outTradeNo: string },
    receivedAt: number,
  ): Promise<void> {
    const order = key.transactionId
      ? { transaction_id: key.transactionId }
      : { merchant_id: key.mchid, merchant_trade_no: key.outTradeNo }
    await this.wechat.call(
      'notify_confirm_receive',
      withToken('/wxa/sec/order/notify_confirm_receive', token),
      json({ ...order, received_time: Math.floor(receivedAt / 1000) }),
      Ok,
    )
  }

  /** 特殊发货报备 as a preorder (type 1) expected to ship at `delayTo` (epoch ms) */
  async reportPreorder(token: string, orderId: string, delayTo: number): Promise<void> {
    await this.wechat.call(
      'opspecialorder',
      withToken('/wxa/sec/order/opspecialorder', token),
      json({ order_id: orderId, type: 1, delay_to: Math.floor(delayTo / 1000) }),
      Ok,
    )
  }
}
