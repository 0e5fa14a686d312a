import type { ReactNode } from 'react'
import type { Platform, RequestPaymentParams, ShippingAddress, XpayParams } from '../api/types'

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
  /** A local temporary path of the chosen image, for Taro.uploadFile, with what is known of the file */
  onChoose: (filePath: string, file: ChosenFile) => void
}

/** What the platform tells of a chosen file before it is uploaded; either may be unknown. */
export interface ChosenFile {
  /** Bytes */
  size?: number
  /** MIME type, e.g. image/png */
  type?: string
}

/** How a payment sheet ended, as the page needs it: WeChat's many answers reduced to three. */
export type PaymentOutcome = 'ok' | 'cancel' | 'fail'

export interface PaymentResult {
  outcome: PaymentOutcome
  /** WeChat's own errMsg, e.g. requestVirtualPayment:fail cancel (for logs) */
  errMsg: string
  /** WeChat's errCode / errno when it gave one */
  errCode?: number
  /** What to tell the reader when the outcome is not 'ok' (Chinese) */
  message: string
}

/** What the H5 stand-in cashier shows; the mini-program's own sheets take it from the order. */
export interface PaymentSheetInfo {
  /** The amount in fen, e.g. 4800 */
  amountFen: number
  /** e.g. 北辰遴选VIP会员·半年 */
  title: string
}

/** How wx.chooseAddress ended: the address, or why none came (deny: 拒绝 or the privacy popup refused) */
export type AddressResult =
  { outcome: 'ok'; address: ShippingAddress } | { outcome: 'cancel' | 'deny' | 'fail'; errMsg: string; message: string }

/** What WeChat's confirm-receipt component needs to find the order (merchant_trade_no, with the merchant id) */
export interface OrderConfirmInfo {
  outTradeNo: string
}

/** How weappOrderConfirm ended: 'unavailable' when this client cannot open it (H5, an old base library, no merchant id) */
export type OrderConfirmOutcome = 'opened' | 'unavailable' | 'fail'

/** How fetching a document ended: opened, or the server's answer when it was not a 200. */
export type DocumentResult = { ok: true } | { ok: false; statusCode: number; body: unknown }

/** What the reader chose on the subscribe-message sheet; 'ban': refused and 不再询问 (or all messages off) */
export type SubscribeOutcome = 'accept' | 'reject' | 'ban' | 'fail'

export interface SubscribeResult {
  outcome: SubscribeOutcome
  /** WeChat's own errMsg (for logs) */
  errMsg: string
  errCode?: number
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
  /** The platform the server prices and routes a purchase for: wx.getDeviceInfo().platform, 'h5' in the browser */
  getPlatform: () => Platform
  /** How WeChat opened the mini-program this time (getEnterOptionsSync().scene: 1007 chat, 1008 group, 1154 Moments); null on H5 */
  getEnterScene: () => number | null
  /** 小程序虚拟支付: wx.requestVirtualPayment with the server's signed parameters; never rejects */
  requestVirtualPayment: (params: XpayParams, sheet?: PaymentSheetInfo) => Promise<PaymentResult>
  /** WeChat Pay JSAPI: wx.requestPayment with the server's signed parameters; never rejects */
  requestPayment: (params: RequestPaymentParams, sheet?: PaymentSheetInfo) => Promise<PaymentResult>
  /** wx.chooseAddress: WeChat's address sheet (a stand-in sheet on H5); goes through the privacy flow; never rejects */
  chooseAddress: () => Promise<AddressResult>
  /** 确认收货: WeChat's confirm-receipt component (openBusinessView weappOrderConfirm); the server re-checks with WeChat after it; never rejects */
  openOrderConfirm: (info: OrderConfirmInfo) => Promise<OrderConfirmOutcome>
  /** Downloads the issue's PDF with the bearer token and opens it (wx.openDocument; a download on H5); rejects only when no answer came */
  openIssuePdf: (url: string, token: string, fileName: string) => Promise<DocumentResult>
  /** 一次性订阅消息: wx.requestSubscribeMessage for one template; call it in the tap handler itself; never rejects */
  requestSubscribe: (templateId: string) => Promise<SubscribeResult>
  /** When WeChat has downloaded a new version, asks the reader to restart into it (the browser always loads the newest) */
  watchForUpdates: () => void
}
