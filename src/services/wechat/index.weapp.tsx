import { Button } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { AvatarButtonProps, PhoneNumberButtonProps } from './types'

/** The mini-program: WeChat itself. */
export const LOGIN_TIMEOUT_MS = 10_000

export function getLoginCode(): Promise<string> {
  return Taro.login({ timeout: LOGIN_TIMEOUT_MS }).then(({ code }) => {
    if (!code) throw new Error('wx.login returned no code')
    return code
  })
}

/** `open-type="getPhoneNumber"`: WeChat's own sheet; e.detail.code only when the reader allowed it. */
export function PhoneNumberButton({ className, disabled, children, onCode, onCancel }: PhoneNumberButtonProps) {
  return (
    <Button
      className={className}
      disabled={disabled}
      openType='getPhoneNumber'
      onGetPhoneNumber={(event) => {
        const { code, errMsg, errno } = event.detail as { code?: string; errMsg?: string; errno?: number }
        if (code) onCode(code)
        // errno 1400001: the publisher's quota is used up (docs/wechat.md §1.3)
        else onCancel?.([errMsg || 'getPhoneNumber:fail', errno].filter(Boolean).join(' '))
      }}
    >
      {children}
    </Button>
  )
}

/** `open-type="chooseAvatar"`: WeChat's avatar sheet; e.detail.avatarUrl is a temporary local file. */
export function AvatarButton({ className, disabled, children, onChoose }: AvatarButtonProps) {
  return (
    <Button
      className={className}
      disabled={disabled}
      openType='chooseAvatar'
      onChooseAvatar={(event) => {
        const { avatarUrl } = event.detail as { avatarUrl?: string }
        if (avatarUrl) onChoose(avatarUrl)
      }}
    >
      {children}
    </Button>
  )
}
