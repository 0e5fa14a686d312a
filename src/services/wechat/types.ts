import type { ReactNode } from 'react'

export interface PhoneNumberButtonProps {
  className?: string
  disabled?: boolean
  children?: ReactNode
  /** The reader allowed it: a one-time code for POST /api/me/phone. Each success is billed to the publisher. */
  onCode: (code: string) => void
  /** The reader declined, or no code came back; `reason` is the platform's errMsg */
  onCancel?: (reason: string) => void
}

export interface AvatarButtonProps {
  className?: string
  disabled?: boolean
  children?: ReactNode
  /** A local temporary path of the chosen image, for Taro.uploadFile */
  onChoose: (filePath: string) => void
}

/**
 * What the app needs from the WeChat client. The mini-program gets it from WeChat itself; the H5
 * preview gets it from the local WeChat simulator's phone side (docs/wechat-simulator.md).
 */
export interface WechatAdapter {
  /** A fresh, single-use login code (wx.login), for POST /api/auth/login */
  getLoginCode: () => Promise<string>
  /** The reader's tap asks WeChat for the phone number; only ever rendered as a button the reader presses */
  PhoneNumberButton: (props: PhoneNumberButtonProps) => ReactNode
  /** The reader's tap picks an avatar (WeChat's avatar sheet; an image file on H5) */
  AvatarButton: (props: AvatarButtonProps) => ReactNode
}
