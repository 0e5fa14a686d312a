import { useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import AddressCard from '../../../components/AddressCard'
import PrivacyPopup from '../../../components/PrivacyPopup'
import { TextSkeleton } from '../../../components/Skeleton'
import { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { PURCHASE_MESSAGES, usePurchase } from '../../../hooks/usePurchase'
import type { Order, ShippingAddress } from '../../../services/api'
import { createGoodsOrder } from '../../../services/api/store'
import { chooseAddress, getPlatform } from '../../../services/wechat'
import { busyButton, buttonFlag } from '../../../utils/button'
import { formatAmount } from '../../../utils/format'
import { kindTag, maxQuantity } from '../product'
import { useProduct } from '../useProduct'
import './checkout.scss'

/**
 * 确认订单: the address (wx.chooseAddress), the server's price, then POST /api/store/orders and
 * WeChat Pay (usePurchase, as memberships are paid). The order's amount is the server's: the app
 * sends the product, the quantity and the address, never a price.
 */
export default function CheckoutPage() {
  const theme = usePageTheme()
  const { params } = useRouter()
  const id = Number(params.id)
  const requested = Number(params.qty) || 1
  const { state, reload: load } = useProduct(id)
  const [address, setAddress] = useState<ShippingAddress | null>(null)
  const [addressNote, setAddressNote] = useState('')
  const [paid, setPaid] = useState<Order | null>(null)
  const alive = useRef(true)
  useEffect(
    () => () => {
      alive.current = false
    },
    [],
  )
  const purchase = usePurchase({
    platform: getPlatform(),
    rail: 'wechatpay',
    noticeShownInline: true,
    onFulfilled: (order) => setPaid(order),
  })

  const pickAddress = () =>
    void chooseAddress().then((result) => {
      if (!alive.current) return
      if (result.outcome === 'ok') {
        setAddress(result.address)
        setAddressNote('')
      } else {
        setAddressNote(result.message)
      }
    })

  const { phase, notice, order: underWay } = purchase.state
  const busy = phase === 'paying' || phase === 'confirming'

  let body
  if (paid) {
    body = (
      <View className='checkout-done' role='status'>
        <Text className='checkout-done-title'>支付成功</Text>
        <Text className='checkout-done-stage'>待发货</Text>
        <Text className='checkout-done-text'>
          实付 {formatAmount(paid.amountFen)}，我们将尽快为你发货，发货后可在“我的订单”查看物流
        </Text>
        {paid.goods?.address ? <AddressCard address={paid.goods.address} /> : null}
        <View className='checkout-done-actions'>
          <Button className='btn btn-ghost' onClick={() => void Taro.redirectTo({ url: routes.store })}>
            继续逛逛
          </Button>
          <Button className='btn btn-primary' onClick={() => void Taro.redirectTo({ url: routes.orders })}>
            查看订单
          </Button>
        </View>
      </View>
    )
  } else if (state.status === 'loading') {
    body = (
      <View className='checkout-loading'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} title='图书加载失败' onRetry={load} />
  } else {
    const { product } = state
    const max = maxQuantity(product)
    const quantity = Math.min(Math.max(1, Math.floor(requested)), Math.max(max, 1))
    const submit = () => {
      if (!address || max === 0) return
      const platform = getPlatform()
      void purchase.buyWith(`goods:${product.id}:${quantity}:${JSON.stringify(address)}`, (requestKey) =>
        createGoodsOrder({ productId: product.id, quantity, address, platform, requestKey }),
      )
    }
    body = (
      <>
        <View className='checkout-section checkout-address' onClick={busy ? undefined : pickAddress}>
          {address ? (
            <>
              <AddressCard address={address} />
              <Text className='checkout-change'>修改</Text>
            </>
          ) : (
            <Text className='checkout-pick'>选择收货地址 ›</Text>
          )}
        </View>
        {addressNote ? <Text className='checkout-note'>{addressNote}</Text> : null}
        <View className='checkout-section'>
          <Text className='checkout-title'>{product.title}</Text>
          <Text className='checkout-kind'>{kindTag(product)}</Text>
          <View className='checkout-row'>
            <Text>单价</Text>
            <Text>{formatAmount(product.priceFen)}</Text>
          </View>
          <View className='checkout-row'>
            <Text>数量</Text>
            <Text>×{quantity}</Text>
          </View>
        </View>
        {notice ? (
          <View className='checkout-error' role='alert'>
            {notice}
          </View>
        ) : null}
        {phase === 'pending' ? (
          <View className='checkout-section' role='status'>
            <Text className='checkout-title'>{PURCHASE_MESSAGES.pending}</Text>
            <Text className='checkout-note'>如已完成支付，订单将在确认后显示为待发货，无需重复购买</Text>
            <Button className='btn btn-primary' onClick={() => void purchase.recheck()}>
              刷新支付结果
            </Button>
          </View>
        ) : null}
        <View className='checkout-bar'>
          <Text className='checkout-total'>
            {/* What the server priced: the order's amount once it exists, the shelf's price until then. */}
            合计 {formatAmount(underWay ? underWay.amountFen : product.priceFen * quantity)}
          </Text>
          <Button
            className='btn btn-accent checkout-submit'
            disabled={buttonFlag(!address || max === 0 || busy || phase === 'pending')}
            {...busyButton(busy)}
            onClick={submit}
          >
            {max === 0 ? '已售罄' : phase === 'confirming' ? PURCHASE_MESSAGES.confirming : '提交订单'}
          </Button>
        </View>
      </>
    )
  }

  return (
    <View className={`checkout ${theme}`}>
      {body}
      <PrivacyPopup />
    </View>
  )
}
