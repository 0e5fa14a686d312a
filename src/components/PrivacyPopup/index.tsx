import { useEffect } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { BRAND, routes } from '../../constants'
import {
  PRIVACY_AGREE_BUTTON_ID,
  answerPrivacy,
  openPrivacyGuide,
  registerPrivacyPopup,
  reportPrivacyExposure,
  usePrivacyRequest,
} from '../../services/privacy'
import './index.scss'

/**
 * Our answer to WeChat's onNeedPrivacyAuthorization (services/privacy.ts): shown while a privacy
 * API waits for consent. Put it on every page that uses one (today: 我的, the store's checkout).
 */
export default function PrivacyPopup() {
  const { pending } = usePrivacyRequest()

  useEffect(() => registerPrivacyPopup(), [])
  useEffect(() => {
    if (pending) reportPrivacyExposure()
  }, [pending])

  if (!pending) return null
  return (
    <View className='privacy-mask'>
      <View className='privacy-panel' role='dialog' aria-label='用户隐私保护提示'>
        <Text className='privacy-title'>用户隐私保护提示</Text>
        <View className='privacy-text'>
          <Text>感谢使用{BRAND}！在你设置头像、昵称、绑定手机号或选择收货地址之前，请阅读</Text>
          <Text className='privacy-link' onClick={() => openPrivacyGuide(routes.privacy)}>
            《{BRAND}隐私保护指引》
          </Text>
          <Text>
            。我们只在你主动操作时收集相应信息，用于展示账号资料、同步会员权益和寄送图书。同意后可继续操作；不同意不影响阅读免费内容。
          </Text>
        </View>
        <View className='privacy-actions'>
          <Button className='btn btn-ghost privacy-button' onClick={() => answerPrivacy(false)}>
            不同意
          </Button>
          <Button
            id={PRIVACY_AGREE_BUTTON_ID}
            className='btn btn-primary privacy-button'
            openType='agreePrivacyAuthorization'
            onAgreePrivacyAuthorization={() => answerPrivacy(true)}
          >
            同意并继续
          </Button>
        </View>
      </View>
    </View>
  )
}
