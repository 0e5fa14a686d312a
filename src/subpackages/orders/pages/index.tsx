import { useCallback, useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { useContacts } from '../../../hooks/useContacts'
import { listOrders, toApiError, type ApiError, type Order } from '../../../services/api'
import { signIn, useSession } from '../../../store/session'
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

function OrderItem({ order }: { order: Order }) {
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
      <Text className='order-no' userSelect>
        订单号 {order.outTradeNo}
      </Text>
    </View>
  )
}

/** 我的订单: newest first, pull down to refresh. Times in Beijing time. */
export default function OrdersPage() {
  const { status: session } = useSession()
  const contacts = useContacts()
  const [state, setState] = useState<OrdersState>({ status: 'loading' })
  const alive = useRef(true)
  const signedOut = session === 'signed-out'

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
          <OrderItem key={order.id} order={order} />
        ))}
      </View>
    )
  }

  return (
    <View className='orders'>
      {body}
      {contacts ? (
        <Text className='orders-service'>
          订单如有疑问，请联系客服 {contacts.service.phone}（{contacts.service.hours}）
        </Text>
      ) : null}
    </View>
  )
}
