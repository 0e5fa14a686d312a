import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import { LoadFailed } from '../../../components/StateView'
import { BRAND, routes } from '../../../constants'
import { usePageTheme } from '../../../hooks/usePageTheme'
import type { Product } from '../../../services/api'
import { buttonFlag } from '../../../utils/button'
import ProductHead from '../components/ProductHead'
import QuantityStepper from '../components/QuantityStepper'
import { maxQuantity } from '../product'
import { useProduct } from '../useProduct'
import './detail.scss'

/** What bounds the quantity, for the reader */
function limitNote(product: Product): string {
  if (product.soldOut) return '已售罄'
  const parts = [`库存 ${product.stock} 件`]
  if (product.limitPerReader < 99) parts.push(`每人限购 ${product.limitPerReader} 件`)
  return parts.join(' · ')
}

/** One product: the server counts the view (浏览 N人); quantity within stock and 每人限购, then 立即购买. */
export default function ProductPage() {
  const theme = usePageTheme()
  const { params } = useRouter()
  const id = Number(params.id)
  const { state, reload: load } = useProduct(id)
  const [quantity, setQuantity] = useState(1)

  useShareAppMessage(() => ({
    title: state.status === 'ready' ? state.product.title : `${BRAND}·图书`,
    path: state.status === 'ready' ? routes.product(state.product.id) : routes.store,
  }))

  if (state.status === 'loading') {
    return (
      <View className={`product-page ${theme}`}>
        <View className='product-page-loading'>
          <TextSkeleton lines={6} />
        </View>
      </View>
    )
  }
  if (state.status === 'error') {
    return (
      <View className={`product-page ${theme}`}>
        <LoadFailed error={state.error} title='图书加载失败' onRetry={load} />
      </View>
    )
  }

  const { product } = state
  const max = maxQuantity(product)
  const chosen = Math.min(Math.max(quantity, 1), Math.max(max, 1))
  const buy = () => void Taro.navigateTo({ url: routes.checkout(product.id, chosen) })

  return (
    <View className={`product-page ${theme}`}>
      <View className='product-page-head'>
        <ProductHead product={product} size='page' />
      </View>
      <View className='product-page-buy'>
        <View className='product-page-row'>
          <Text className='product-page-label'>数量</Text>
          <QuantityStepper value={chosen} max={max} onChange={setQuantity} />
        </View>
        <Text className='product-page-note'>{limitNote(product)}</Text>
      </View>
      <View className='product-page-bar'>
        <Button className='btn btn-accent product-page-action' disabled={buttonFlag(max === 0)} onClick={buy}>
          {max === 0 ? '已售罄' : '立即购买'}
        </Button>
      </View>
    </View>
  )
}
