import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { routes } from '../../constants'
import './index.scss'

const open = (url: string) => () => void Taro.navigateTo({ url }).catch(() => undefined)

/** Beside every 微信一键登录: what signing in agrees to, with both documents a tap away. */
export default function LoginConsent() {
  return (
    <View className='login-consent'>
      <Text>登录即同意</Text>
      <Text className='login-consent-link' onClick={open(routes.agreement)}>
        《用户协议》
      </Text>
      <Text>和</Text>
      <Text className='login-consent-link' onClick={open(routes.privacy)}>
        《隐私政策》
      </Text>
    </View>
  )
}
