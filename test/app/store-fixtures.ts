import type { Order } from '@/services/api'
import { SAMPLE_ADDRESS } from '@/services/wechat/index.h5'

export type GoodsStage = NonNullable<Order['goods']>['stage']

/** The address the H5 stand-in offers, as wx.chooseAddress gives it */
export const ADDRESS = { ...SAMPLE_ADDRESS }

/** A goods order of two copies of one book to ADDRESS, as GET /api/orders answers it */
export function goodsOrder(id: number, status: Order['status'], stage: GoodsStage, shipped = false): Order {
  return {
    id,
    outTradeNo: `BC2026120700000${id}`,
    kind: 'goods',
    planId: 'goods',
    planName: '图书商品',
    months: 0,
    amountFen: 7400,
    rail: 'wechatpay',
    status,
    createdAt: '2026-12-07T01:00:00.000Z',
    paidAt: status === 'pending' ? null : '2026-12-07T01:01:00.000Z',
    expiresAt: '2026-12-07T01:15:00.000Z',
    goods: {
      stage,
      lines: [{ productId: 1, title: '2024预定【时政热点6期】', unitPriceFen: 3700, quantity: 2 }],
      address: { ...ADDRESS },
      shipment: shipped
        ? { company: 'SF', companyName: '顺丰速运', trackingNo: 'SF1234567890', shippedAt: 1, receivedAt: null }
        : null,
    },
  }
}
