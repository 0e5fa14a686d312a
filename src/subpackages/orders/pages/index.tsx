import { useCallback, useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import ServiceContact, { ServiceChat } from '../../../components/ServiceContact'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { usePurchase } from '../../../hooks/usePurchase'
import { cancelOrder, listOrders, toApiError, type ApiError, type Order } from '../../../services/api'
import { getPlatform } from '../../../services/wechat'
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

const copyOrderNo = (outTradeNo: string) =>
  void Taro.setClipboardData({ data: outTradeNo })
    .then(() => toast('订单号已复制'))
    .catch(() => undefined)

interface PendingActions {
  now: number
  busy: boolean
  onPay: (order: Order) => void
  onCancel: (order: Order) => void
}

function OrderItem({ order, pending }: { order: Order; pending: PendingActions }) {
  const left = order.status === 'pending' ? timeLeft(order.expiresAt, pending.now) : null
  return (
    <View className='order'>
      <View className='order-head'>
        <Text className='order-name'>VIP会员·{order.planName}</Text>
        <Text className={`order-status order-status-${order.status}`}>{orderStatusText(order.status)}</Text>
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
  const pending: PendingActions = {
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
