import { useCallback } from 'react'
import { View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useShareAppMessage } from '@tarojs/taro'
import ListEnd from '../../../components/ListEnd'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import WindowedList, { type WindowLayout } from '../../../components/WindowedList'
import { BRAND, routes } from '../../../constants'
import { useItemList } from '../../../hooks/useItemList'
import { usePageTheme } from '../../../hooks/usePageTheme'
import type { Product } from '../../../services/api'
import { listProducts } from '../../../services/api/store'
import ProductHead from '../components/ProductHead'
import './index.scss'

/** The shelf comes in one answer; pages of 10 rows, far ones collapsed, keep a long shelf light */
const SHELF_LAYOUT: WindowLayout = { scope: 'shelf', pageSize: 10, itemHeight: 150 }

/** 图书: the books and magazines on the shelf, in the operator's order. */
export default function StorePage() {
  const theme = usePageTheme()
  const { state, load } = useItemList(listProducts)

  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    load(true).then(done, done)
  })

  useShareAppMessage(() => ({ title: `${BRAND}·图书`, path: routes.store }))

  const open = useCallback((product: Product) => void Taro.navigateTo({ url: routes.product(product.id) }), [])

  let body
  if (state.status === 'loading') {
    body = (
      <View className='shelf-loading'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} title='图书加载失败' onRetry={() => void load(false)} />
  } else if (state.items.length === 0) {
    body = <StateView kind='empty' title='暂无图书' description='新书上架后会显示在这里' />
  } else {
    body = (
      <View className='shelf'>
        <WindowedList
          layout={SHELF_LAYOUT}
          items={state.items}
          renderItem={(product) => <ProductHead key={product.id} product={product} size='row' onOpen={open} />}
        />
        <ListEnd state='end' />
      </View>
    )
  }

  return <View className={`store ${theme}`}>{body}</View>
}
