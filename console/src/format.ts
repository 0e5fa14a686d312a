/** Money, times and labels as the console shows them: ¥ with two decimals, Asia/Shanghai times. */

const TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

export function yuan(fen: unknown): string {
  if (typeof fen !== 'number' || !Number.isFinite(fen)) return '—'
  const sign = fen < 0 ? '-' : ''
  return `${sign}¥${(Math.abs(fen) / 100).toFixed(2)}`
}

/** An ISO string or epoch milliseconds as 2026-12-06 18:45:31 in Beijing time. */
export function time(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—'
  const date = typeof value === 'number' ? new Date(value) : new Date(String(value))
  if (Number.isNaN(date.getTime())) return String(value)
  const parts = Object.fromEntries(TIME.formatToParts(date).map((part) => [part.type, part.value]))
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`
}

/** The first of `keys` that `row` has a value for. */
export function pick(row: Record<string, unknown> | null | undefined, ...keys: string[]): unknown {
  if (!row) return undefined
  for (const key of keys) {
    const value = row[key]
    if (value !== undefined && value !== null && value !== '') return value
  }
  return undefined
}

export function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export const ROLE_LABELS: Record<string, string> = { editor: '编辑', finance: '财务', admin: '管理员' }

export const ORDER_STATUS: Record<string, { label: string; color: string }> = {
  created: { label: '待支付', color: 'default' },
  pending: { label: '支付中', color: 'processing' },
  paid: { label: '已支付', color: 'blue' },
  fulfilled: { label: '已开通', color: 'green' },
  closed: { label: '已关闭', color: 'default' },
  refunding: { label: '退款中', color: 'orange' },
  refunded: { label: '已退款', color: 'red' },
}

export const RAIL_LABELS: Record<string, string> = { xpay: '虚拟支付', wechatpay: '微信支付' }

export const ISSUE_STATUS: Record<string, { label: string; color: string }> = {
  draft: { label: '草稿', color: 'default' },
  scheduled: { label: '定时发布', color: 'blue' },
  published: { label: '已发布', color: 'green' },
  archived: { label: '已下线', color: 'orange' },
  unpublished: { label: '已下线', color: 'orange' },
}

export const LEDGER_EVENTS: Record<string, string> = {
  order_created: '创建订单',
  paid: '支付成功',
  fulfilled: '开通会员',
  closed: '订单关闭',
  refund_requested: '申请退款',
  refunded: '退款成功',
  partially_refunded: '部分退款',
  refund_failed: '退款失败',
  reconcile_gave_up: '对账放弃',
  vip_granted: '赠送会员',
  vip_revoked: '扣减会员',
}

export const LEDGER_SOURCES: Record<string, string> = {
  notification: '支付通知',
  query: '主动查询',
  admin: '后台操作',
  client: '客户端',
  sweep: '对账任务',
}

export const PRODUCT_KINDS: Record<string, string> = { in_stock: '现货', preorder: '预售', subscription: '预定' }

export const SHIPMENT_STATUS: Record<string, { label: string; color: string }> = {
  pending: { label: '待上传', color: 'processing' },
  uploaded: { label: '已上传', color: 'green' },
  failed: { label: '上传失败', color: 'red' },
}

/** Where a goods order stands (GoodsStage), as the reader's 我的订单 says it */
export const GOODS_STAGES: Record<string, string> = {
  awaiting_payment: '待支付',
  awaiting_shipment: '待发货',
  shipped: '已发货',
  received: '已收货',
  completed: '已完成',
  closed: '已关闭',
  refunding: '退款中',
  refunded: '已退款',
}

/** A shipping address on one line: 收货人 电话 省市区 详细地址 邮编 */
export function addressLine(
  address:
    | {
        userName: string
        telNumber: string
        provinceName: string
        cityName: string
        countyName: string
        detailInfo: string
        postalCode: string
      }
    | null
    | undefined,
): string {
  if (!address) return '—'
  const { userName, telNumber, provinceName, cityName, countyName, detailInfo, postalCode } = address
  return `${userName} ${telNumber} ${provinceName}${cityName}${countyName}${detailInfo}${postalCode ? ` ${postalCode}` : ''}`
}
