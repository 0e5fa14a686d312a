import { Button } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { Platform, RequestPaymentParams, XpayParams } from '../api/types'
import { addressResult } from './address-result'
import { normalisePlatform, PAYMENT_MESSAGES, paymentResult } from './payment-result'
import { subscribeResult } from './subscribe-result'
import type {
  AddressResult,
  AvatarButtonProps,
  DocumentResult,
  OrderConfirmInfo,
  OrderConfirmOutcome,
  PaymentResult,
  PaymentSheetInfo,
  PhoneNumberButtonProps,
  SubscribeResult,
} from './types'

/** The parts of the mini-program's global `wx` that Taro 4 does not wrap (it has no requestVirtualPayment). */
interface WxGlobal {
  requestVirtualPayment?: (
    options: XpayParams & { success: (res: unknown) => void; fail: (err: unknown) => void },
  ) => void
}
declare const wx: WxGlobal | undefined

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
        // errno 1400001: the publisher's quota is used up (docs/wechat.md, "Phone number")
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
        if (!avatarUrl) return
        // The size, so that a file the server would refuse is not uploaded first; unknown if WeChat cannot tell.
        try {
          Taro.getFileSystemManager().getFileInfo({
            filePath: avatarUrl,
            success: ({ size }) => onChoose(avatarUrl, { size }),
            fail: () => onChoose(avatarUrl, {}),
          })
        } catch {
          onChoose(avatarUrl, {})
        }
      }}
    >
      {children}
    </Button>
  )
}

/** wx.getDeviceInfo().platform (base library 2.20.1+), else getSystemInfoSync's; 'other' when neither answers. */
export function getPlatform(): Platform {
  try {
    return normalisePlatform(Taro.getDeviceInfo?.().platform ?? Taro.getSystemInfoSync().platform)
  } catch {
    return 'other'
  }
}

/** getEnterOptionsSync reflects a warm re-entry too; getLaunchOptionsSync covers old clients. */
export function getEnterScene(): number | null {
  try {
    const scene = (Taro.getEnterOptionsSync?.() ?? Taro.getLaunchOptionsSync()).scene
    return Number.isInteger(scene) ? scene : null
  } catch {
    return null
  }
}

/**
 * 小程序虚拟支付 (docs/wechat.md, "Virtual payment"): the same call goes to Apple on iOS and to WeChat Pay elsewhere.
 * Taro 4 does not wrap it, so the global `wx` is called here, and only here. A client too old for it
 * (no API, or INVALID_PLATFORM) gets the upgrade message. WeChat's own sheet shows the order: `_sheet`
 * is for the H5 stand-in.
 */
export function requestVirtualPayment(params: XpayParams, _sheet?: PaymentSheetInfo): Promise<PaymentResult> {
  return new Promise<PaymentResult>((resolve) => {
    const api = typeof wx === 'undefined' ? undefined : wx?.requestVirtualPayment
    if (typeof api !== 'function') {
      resolve({
        outcome: 'fail',
        errMsg: 'requestVirtualPayment:fail not supported',
        message: PAYMENT_MESSAGES.unsupported,
      })
      return
    }
    try {
      api({
        mode: params.mode,
        signData: params.signData,
        paySig: params.paySig,
        signature: params.signature,
        success: (res) => resolve(paymentResult(res)),
        fail: (err) => resolve(paymentResult(err)),
      })
    } catch (error) {
      resolve(paymentResult(error))
    }
  })
}

/** WeChat Pay JSAPI: WeChat's cashier. Its success is not proof of payment: the server's order status is. */
export function requestPayment(params: RequestPaymentParams, _sheet?: PaymentSheetInfo): Promise<PaymentResult> {
  return Taro.requestPayment({
    timeStamp: params.timeStamp,
    nonceStr: params.nonceStr,
    package: params.package,
    signType: params.signType,
    paySign: params.paySign,
  }).then(paymentResult, paymentResult)
}

/** WeChat's address sheet; the privacy popup (components/PrivacyPopup) answers first when WeChat holds the call. */
export function chooseAddress(): Promise<AddressResult> {
  return Taro.chooseAddress().then(addressResult, addressResult)
}

/** The WeChat Pay merchant id the goods are sold under (public, not a secret); without it the component cannot find the order. */
const MERCHANT_ID = process.env.TARO_APP_WECHATPAY_MCHID || ''

/**
 * WeChat's confirm-receipt component. It only opens it: whether the reader confirmed is asked of
 * WeChat by the server afterwards (get_order), never taken from the component's answer.
 */
export function openOrderConfirm(info: OrderConfirmInfo): Promise<OrderConfirmOutcome> {
  // Taro's typings know only the WeChat Pay score views of openBusinessView.
  const open = Taro.openBusinessView as unknown as
    ((options: { businessType: string; extraData: Record<string, string> }) => Promise<unknown>) | undefined
  if (!MERCHANT_ID || typeof open !== 'function') return Promise.resolve('unavailable')
  return open({
    businessType: 'weappOrderConfirm',
    extraData: { merchant_id: MERCHANT_ID, merchant_trade_no: info.outTradeNo },
  }).then(
    () => 'opened' as const,
    () => 'fail' as const,
  )
}

/**
 * wx.downloadFile with the bearer token, then wx.openDocument (with 转发/保存 in its menu). A refusal
 * (401, 403 VIP_REQUIRED …) is downloaded too: its JSON body is read back from the temporary file.
 */
export async function openIssuePdf(url: string, token: string, _fileName: string): Promise<DocumentResult> {
  const { statusCode, tempFilePath } = await Taro.downloadFile({ url, header: { Authorization: `Bearer ${token}` } })
  if (statusCode === 200) {
    await Taro.openDocument({ filePath: tempFilePath, fileType: 'pdf', showMenu: true })
    return { ok: true }
  }
  let body: unknown = null
  try {
    body = JSON.parse(String(Taro.getFileSystemManager().readFileSync(tempFilePath, 'utf8')))
  } catch {
    // No readable body: the status alone decides.
  }
  return { ok: false, statusCode, body }
}

/** 一次性订阅消息: WeChat's sheet (允许 / 取消); each 允许 lets the server send one message with this template. */
export function requestSubscribe(templateId: string): Promise<SubscribeResult> {
  return Taro.requestSubscribeMessage({ tmplIds: [templateId], entityIds: [] }).then(
    (answer) => subscribeResult(answer, templateId),
    (error: unknown) => subscribeResult(error, templateId),
  )
}

/**
 * WeChat fetches a new version in the background but keeps running the old one until a cold
 * start; readers who never close the mini-program would read with old code for days.
 */
export function watchForUpdates(): void {
  if (typeof Taro.getUpdateManager !== 'function') return
  const manager = Taro.getUpdateManager()
  manager.onUpdateReady(() => {
    Taro.showModal({
      title: '发现新版本',
      content: '新版本已经准备好，重启后即可使用',
      confirmText: '重启',
      cancelText: '稍后',
    })
      .then(({ confirm }) => {
        if (confirm) manager.applyUpdate()
      })
      .catch(() => undefined)
  })
}
