import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import StateView from '../../../components/StateView'
import { routes } from '../../../constants'
import { usePageTheme } from '../../../hooks/usePageTheme'
import './not-found.scss'

/** 页面不存在: where an address that names no page lands, with the way home. */
export default function NotFoundPage() {
  const theme = usePageTheme()
  return (
    <View className={`page-not-found ${theme}`}>
      <StateView
        kind='not-found'
        title='页面不存在'
        description='你访问的页面不存在或已下线，可以回到首页继续阅读'
        actionText='返回首页'
        onAction={() => void Taro.switchTab({ url: routes.home }).catch(() => undefined)}
      />
    </View>
  )
}
