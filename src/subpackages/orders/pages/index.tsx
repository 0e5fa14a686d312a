import { useCallback, useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import AddressCard from '../../../components/AddressCard'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import ServiceContact, { ServiceChat } from '../../../components/ServiceContact'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { orderTitle, usePurchase } from '../../../hooks/usePurchase'
import { cancelOrder, listOrders, toApiError, type ApiError, type GoodsStage, type Order } from '../../../services/api'
import { confirmReceipt, requestRefund } from '../../../services/api/store'
import { getPlatform, openOrderConfirm } from '../../../services/wechat'
import { signIn, useSession } from '../../../store/session'
import { buttonFlag } from '../../../utils/button'
import { formatAmount, shanghaiDateTime } from '../../../utils/format'
import './index.scss'

type OrdersState = { status: 'loading' } | { status: 'ready'; orders: Order[] } | { status: 'error'; error: ApiError }

/** The server's order statuses as the reader reads them */
const STATUS_TEXT: Record<string, string> = {
  created: '待支付',
  pending: '待支付',
  paid: '已支付',
  fulfilled: '已开通',
  closed: '已关闭',
  refunding: '退款中',
  refunded: '已退款',
}

export function orderStatusText(status: string): string {
  return STATUS_TEXT[status] ?? '处理中'
}

/** A VIP or course order's status: a fulfilled course is 已购买 (a membership is 已开通) */
function statusOf(order: Order): string {
  return order.kind === 'course' && order.status === 'fulfilled' ? '已购买' : orderStatusText(order.status)
}

/** What the order bought: the books × quantity, 课程·<title>, or VIP会员·<plan> */
export function orderName(order: Order): string {
  if (order.kind === 'goods' && order.goods)
    return order.goods.lines.map((line) => `${line.title} ×${line.quantity}`).join('，') || order.planName
  if (order.kind === 'course') return orderTitle(order)
  return `VIP会员·${order.planName}`
}

/** A goods order's stage as the reader reads it (docs/store.md, States) */
const STAGE_TEXT: Record<GoodsStage, string> = {
  awaiting_payment: '待付款',
  awaiting_shipment: '待发货',
  shipped: '已发货',
  received: '已收货',
  completed: '已完成',
  closed: '已关闭',
  refunding: '退款中',
  refunded: '已退款',
}

export function goodsStageText(stage: GoodsStage): string {
  return STAGE_TEXT[stage] ?? '处理中'
}

/** A pending order's time left before the server closes it, as 14:59; null once it is up */
export function timeLeft(expiresAt: string, now: number): string | null {
  const seconds = Math.floor((Date.parse(expiresAt) - now) / 1000)
  if (!(seconds > 0)) return null
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`
}

/** The current time, every second while `ticking` */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!ticking) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [ticking])
  return now
}

const toast = (title: string) => void Taro.showToast({ title, icon: 'none', duration: 2500 }).catch(() => undefined)

const copy = (data: string, done: string) =>
  void Taro.setClipboardData({ data })
    .then(() => toast(done))
    .catch(() => undefined)

const copyOrderNo = (outTradeNo: string) => copy(outTradeNo, '订单号已复制')

interface PendingActions {
  now: number
  busy: boolean
  onPay: (order: Order) => void
  onCancel: (order: Order) => void
  /** 确认收货 of a shipped goods order; `confirming` is the order under way */
  onConfirmReceipt: (order: Order) => void
  confirming: number | null
  /** 申请退款 of a goods order not shipped yet */
  onRefund: (order: Order) => void
}

/** A goods order's parcel: what it holds, where it goes, and once shipped, how */
function GoodsDetail({ order, pending }: { order: Order; pending: PendingActions }) {
  const goods = order.goods
  if (!goods) return null
  const { address, shipment, stage } = goods
  return (
    <View className='order-goods'>
      {address ? (
        <View className='order-address'>
          <AddressCard address={address} />
        </View>
      ) : null}
      {shipment ? (
        <View className='order-shipment'>
          <Text className='order-tracking' userSelect>
            {shipment.companyName} {shipment.trackingNo}
          </Text>
          <Text className='order-copy' onClick={() => copy(shipment.trackingNo, '单号已复制')}>
            复制单号
          </Text>
        </View>
      ) : null}
      {stage === 'shipped' ? (
        <View className='order-pending'>
          <Text className='order-left'>收到图书后请确认收货</Text>
          <Button
            className='btn btn-accent order-action'
            disabled={buttonFlag(pending.confirming !== null)}
            onClick={() => pending.onConfirmReceipt(order)}
          >
            确认收货
          </Button>
        </View>
      ) : null}
      {stage === 'awaiting_shipment' ? (
        <View className='order-pending'>
          <Text className='order-left'>发货前可申请全额退款</Text>
          <ServiceChat className='order-ask' topic={`退款咨询 ${order.outTradeNo}`}>
            联系客服
          </ServiceChat>
          <Button className='btn btn-ghost order-action' onClick={() => pending.onRefund(order)}>
            申请退款
          </Button>
        </View>
      ) : null}
    </View>
  )
}

function OrderItem({ order, pending }: { order: Order; pending: PendingActions }) {
  const left = order.status === 'pending' ? timeLeft(order.expiresAt, pending.now) : null
  const goods = order.kind === 'goods' ? order.goods : undefined
  const statusClass = goods ? `order-stage-${goods.stage}` : `order-status-${order.status}`
  return (
    <View className={goods ? 'order order-of-goods' : 'order'}>
      <View className='order-head'>
        <Text className='order-name'>{orderName(order)}</Text>
        <Text className={`order-status ${statusClass}`}>{goods ? goodsStageText(goods.stage) : statusOf(order)}</Text>
      </View>
      <View className='order-line'>
        <Text className='order-time'>{shanghaiDateTime(order.createdAt)}</Text>
        <Text className='order-amount'>{formatAmount(order.amountFen)}</Text>
      </View>
      <View className='order-no-line'>
        <Text className='order-no' userSelect>
          订单号 {order.outTradeNo}
        </Text>
        <Text className='order-copy' onClick={() => copyOrderNo(order.outTradeNo)}>
          复制
        </Text>
        <ServiceChat className='order-ask' topic={`订单咨询 ${order.outTradeNo}`}>
          咨询
        </ServiceChat>
      </View>
      {left ? (
        <View className='order-pending'>
          <Text className='order-left'>{left} 后自动关闭</Text>
          <Button
            className='btn btn-ghost order-action'
            disabled={buttonFlag(pending.busy)}
            onClick={() => pending.onCancel(order)}
          >
            取消订单
          </Button>
          <Button
            className='btn btn-accent order-action'
            disabled={buttonFlag(pending.busy)}
            onClick={() => pending.onPay(order)}
          >
            继续支付
          </Button>
        </View>
      ) : null}
      {goods ? <GoodsDetail order={order} pending={pending} /> : null}
    </View>
  )
}

/** 我的订单: newest first, pull down to refresh. Times in Beijing time. */
export default function OrdersPage() {
  const theme = usePageTheme()
  const { status: session } = useSession()
  const [state, setState] = useState<OrdersState>({ status: 'loading' })
  const alive = useRef(true)
  const signedOut = session === 'signed-out'

  const reload = () => void load(true)
  const purchase = usePurchase({ platform: getPlatform(), rail: 'xpay', onFulfilled: reload })
  const payable = state.status === 'ready' && state.orders.some((order) => order.status === 'pending')
  const now = useNow(payable)
  const [confirming, setConfirming] = useState<number | null>(null)
  /** An order whose confirm-receipt component was opened: asked again when the reader comes back from it */
  const backFromWechat = useRef<number | null>(null)
  const received = () => {
    backFromWechat.current = null
    toast('已确认收货')
    return load(true)
  }
  // WeChat's component first where it opens (the reader confirms there); whatever it answered, the
  // server asks WeChat whether the order is received, and only that counts.
  const confirmReceiptOf = (order: Order) => {
    setConfirming(order.id)
    openOrderConfirm({ outTradeNo: order.outTradeNo })
      .then((outcome) => {
        if (outcome === 'opened') backFromWechat.current = order.id
        return confirmReceipt(order.id)
      })
      .then(received, (error: unknown) => toast(toApiError(error).message))
      .finally(() => alive.current && setConfirming(null))
  }
  useDidShow(() => {
    const id = backFromWechat.current
    if (id !== null) confirmReceipt(id).then(received, () => undefined)
  })
  const pending: PendingActions = {
    confirming,
    onRefund: (order) =>
      void Taro.showModal({
        title: '申请退款',
        content: '订单尚未发货，将全额退回微信支付，退款到账后订单关闭。确定申请吗？',
        confirmText: '申请退款',
        cancelText: '再想想',
      })
        .then(async ({ confirm }) => {
          if (!confirm) return
          await requestRefund(order.id)
          toast('已申请退款，款项将原路退回')
          await load(true)
        })
        .catch((error: unknown) => toast(toApiError(error).message)),
    onConfirmReceipt: (order) => void confirmReceiptOf(order),
    now,
    busy: purchase.state.phase === 'paying' || purchase.state.phase === 'confirming',
    onPay: (order) => void purchase.resume(order).then(reload),
    onCancel: (order) =>
      void Taro.showModal({
        title: '取消订单',
        content: '确定取消这笔订单吗？',
        confirmText: '取消订单',
        cancelText: '再想想',
      })
        .then(({ confirm }) => (confirm ? cancelOrder(order.id).then(reload) : undefined))
        .catch((error: unknown) => toast(toApiError(error).message)),
  }

  const load = useCallback((quiet: boolean) => {
    if (!quiet) setState({ status: 'loading' })
    return listOrders().then(
      ({ items }) => alive.current && setState({ status: 'ready', orders: items }),
      (error: unknown) => alive.current && setState({ status: 'error', error: toApiError(error) }),
    )
  }, [])

  useEffect(() => {
    alive.current = true
    if (!signedOut) void load(false)
    return () => {
      alive.current = false
    }
  }, [load, signedOut])

  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    if (signedOut) return done()
    load(true).then(done, done)
  })

  let body
  if (signedOut) {
    body = (
      <StateView
        kind='empty'
        title='登录后查看订单'
        description='使用微信登录后，可查看会员订单记录'
        actionText='微信一键登录'
        onAction={() => void signIn().catch(() => undefined)}
        footer={<LoginConsent />}
      />
    )
  } else if (state.status === 'loading') {
    body = (
      <View className='orders-loading'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} title='订单加载失败' onRetry={() => void load(false)} />
  } else if (state.orders.length === 0) {
    body = (
      <StateView
        kind='empty'
        title='暂无订单'
        description='开通VIP会员后，订单记录将显示在这里'
        actionText='去开通会员'
        onAction={() => void Taro.switchTab({ url: routes.vip }).catch(() => undefined)}
      />
    )
  } else {
    body = (
      <View className='orders-list'>
        {state.orders.map((order) => (
          <OrderItem key={order.id} order={order} pending={pending} />
        ))}
      </View>
    )
  }

  return (
    <View className={`orders ${theme}`}>
      {body}
      {/* Questions about an order arise here: WeChat's customer-service chat (with this page as a
          card) in the mini-program, and the service line, a tap away, everywhere. */}
      <ServiceContact topic='订单咨询' lead='订单如有疑问' />
    </View>
  )
}
