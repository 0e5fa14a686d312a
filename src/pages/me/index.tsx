import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { BRAND, routes, SERVICE_PHONE } from '../../constants'
import './index.scss'

/** Placeholder until WeChat login lands: membership entry and the service line. */
export default function MePage() {
  const callService = () => {
    Taro.makePhoneCall({ phoneNumber: SERVICE_PHONE.replace(/-/g, '') }).catch(() => undefined)
  }

  return (
    <View className='me'>
      <View className='me-head'>
        <View className='me-avatar'>
          <Text>北</Text>
        </View>
        <View className='me-who'>
          <Text className='me-name'>未登录</Text>
          <Text className='me-hint'>微信一键登录即将上线</Text>
        </View>
      </View>

      <View className='me-menu'>
        <View className='me-item' hoverClass='me-item-hover' onClick={() => Taro.switchTab({ url: routes.vip })}>
          <Text className='me-item-label'>VIP会员</Text>
          <Text className='me-item-value'>查看会员方案</Text>
          <Text className='me-item-arrow'>›</Text>
        </View>
        <View className='me-item' hoverClass='me-item-hover' onClick={callService}>
          <Text className='me-item-label'>客服电话</Text>
          <Text className='me-item-value me-phone'>{SERVICE_PHONE}</Text>
          <Text className='me-item-arrow'>›</Text>
        </View>
      </View>

      <View className='me-about'>
        <Text className='me-about-brand'>{BRAND}</Text>
        <Text className='me-about-motto'>漫漫遴选路，北辰永相随</Text>
      </View>
    </View>
  )
}
