import { useState, type ReactElement } from 'react'
import { createRoot } from 'react-dom/client'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { busyButton, buttonFlag } from '../../utils/button'
import { formatAmount } from '../../utils/format'
import type { Platform, RequestPaymentParams, XpayParams } from '../api/types'
import { addressResult } from './address-result'
import { PAYMENT_MESSAGES, paymentResult } from './payment-result'
import { subscribeResult } from './subscribe-result'
import type {
  AddressResult,
  AvatarButtonProps,
  DocumentResult,
  OrderConfirmOutcome,
  PaymentResult,
  PaymentSheetInfo,
  PhoneNumberButtonProps,
  SubscribeResult,
} from './types'
import './index.h5.scss'

/**
 * The H5 preview: no WeChat client, so the local WeChat simulator's phone side stands in for it
 * (docs/wechat-simulator.md). TARO_APP_WECHAT_SIM_BASE is read here only, so it never reaches the
 * weapp package.
 */
export const SIM_BASE = (process.env.TARO_APP_WECHAT_SIM_BASE || 'http://localhost:3100').replace(/\/+$/, '')

/** localStorage key of this browser's test user; the simulator derives the openid from it. */
export const SIM_USER_KEY = 'wechat-sim-user'
const SIM_TIMEOUT_MS = 10_000
const MAINLAND_MOBILE = /^1\d{10}$/

/** `?wxuser=` before the hash or in the route's query: tests choose their reader by name. */
function requestedUser(): string {
  const { search, hash } = window.location
  for (const query of [search, hash.includes('?') ? hash.slice(hash.indexOf('?')) : '']) {
    const user = new URLSearchParams(query).get('wxuser')?.trim()
    if (user && user.length <= 32) return user
  }
  return ''
}

/** The simulator's user for this browser: stable across visits, so a reload is the same reader. */
export function simulatorUser(): string {
  const requested = requestedUser()
  try {
    if (requested) {
      window.localStorage.setItem(SIM_USER_KEY, requested)
      return requested
    }
    const stored = window.localStorage.getItem(SIM_USER_KEY)
    if (stored) return stored
    const made = `h5-reader-${Math.random().toString(36).slice(2, 10)}`
    window.localStorage.setItem(SIM_USER_KEY, made)
    return made
  } catch {
    return requested || 'h5-reader'
  }
}

/** POST to the simulator's phone side; resolves with its HTTP status and JSON answer ({} when not JSON). */
function simulatorPost(
  path: string,
  body: Record<string, unknown>,
): Promise<{ status: number; answer: Record<string, unknown> }> {
  const controller = typeof AbortController === 'function' ? new AbortController() : null
  const timer = setTimeout(() => controller?.abort(), SIM_TIMEOUT_MS)
  return fetch(`${SIM_BASE}/__phone${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: controller?.signal,
  })
    .then(async (response) => ({
      status: response.status,
      answer: ((await response.json().catch(() => ({}))) ?? {}) as Record<string, unknown>,
    }))
    .then(
      (result) => {
        clearTimeout(timer)
        return result
      },
      (error: unknown) => {
        clearTimeout(timer)
        throw error
      },
    )
}

/** POST to the simulator's phone side; resolves with the `code` it mints. */
function phoneSide(path: '/login' | '/phone-number', body: Record<string, string>): Promise<string> {
  return simulatorPost(path, body).then(({ status, answer }) => {
    if (status < 200 || status >= 300 || typeof answer.code !== 'string' || !answer.code) {
      throw new Error(`the WeChat simulator answered ${status} to ${path}: ${String(answer.message ?? '')}`)
    }
    return answer.code
  })
}

export function getLoginCode(): Promise<string> {
  return phoneSide('/login', { user: simulatorUser() })
}

interface PhoneSheetProps {
  onCode: (code: string) => void
  onCancel: () => void
}

/** Stands in for WeChat's phone sheet: the tester types the number the simulator should report. */
function PhoneSheet({ onCode, onCancel }: PhoneSheetProps) {
  const [phone, setPhone] = useState('13800138000')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)

  const allow = () => {
    const phoneNumber = phone.trim()
    if (!MAINLAND_MOBILE.test(phoneNumber)) {
      setError('请输入11位手机号')
      return
    }
    setBusy(true)
    setError('')
    phoneSide('/phone-number', { user: simulatorUser(), phoneNumber }).then(onCode, () => {
      setBusy(false)
      setError('模拟器无响应，请确认微信模拟器已启动')
    })
  }

  return (
    <View className='wx-sheet-mask'>
      <View className='wx-sheet' role='dialog' aria-label='手机号快速验证'>
        <Text className='wx-sheet-title'>申请获取并验证你的手机号</Text>
        <Text className='wx-sheet-note'>H5 预览：代替微信的手机号授权面板，号码由本地微信模拟器签发</Text>
        <Input
          className='wx-sheet-input'
          type='number'
          maxlength={11}
          value={phone}
          placeholder='手机号'
          onInput={(event) => setPhone(event.detail.value)}
        />
        {error ? <Text className='wx-sheet-error'>{error}</Text> : null}
        <View className='wx-sheet-actions'>
          <Button className='wx-sheet-button' disabled={buttonFlag(busy)} onClick={onCancel}>
            不允许
          </Button>
          <Button
            className='wx-sheet-button wx-sheet-allow'
            disabled={buttonFlag(busy)}
            {...busyButton(busy)}
            onClick={allow}
          >
            允许
          </Button>
        </View>
      </View>
    </View>
  )
}

export function PhoneNumberButton({ className, disabled, children, onCode, onCancel }: PhoneNumberButtonProps) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button className={className} disabled={buttonFlag(disabled)} onClick={() => setOpen(true)}>
        {children}
      </Button>
      {open ? (
        <PhoneSheet
          onCode={(code) => {
            setOpen(false)
            onCode(code)
          }}
          onCancel={() => {
            setOpen(false)
            onCancel?.('getPhoneNumber:fail user deny')
          }}
        />
      ) : null}
    </>
  )
}

/** An image file from the browser's file picker. */
export function AvatarButton({ className, disabled, children, onChoose }: AvatarButtonProps) {
  const choose = () => {
    Taro.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['album'] }).then(
      ({ tempFiles }) => {
        const file = tempFiles[0]
        // Taro's H5 picker hands over any file the browser let through, with its size and MIME type.
        if (file?.tempFilePath) onChoose(file.tempFilePath, { size: file.size, type: file.fileType })
      },
      () => undefined, // the reader closed the picker
    )
  }
  return (
    <Button className={className} disabled={buttonFlag(disabled)} onClick={choose}>
      {children}
    </Button>
  )
}

/* ------------------------------------------------------------------------------------------ */
/* Payments: a stand-in cashier, paid through the simulator's phone side                       */
/* ------------------------------------------------------------------------------------------ */

/** The browser is its own platform: the server decides what H5 may buy. */
export function getPlatform(): Platform {
  return 'h5'
}

/**
 * A browser has no WeChat launch scene; a page address may play one (`&scene=1007`), so the preview
 * and its tests can open an article as a chat share would.
 */
export function getEnterScene(): number | null {
  const match = /[?&]scene=(\d{4})(?:&|$)/.exec(window.location.href)
  return match ? Number(match[1]) : null
}

/** What the tester does on the sheet, as the simulator's phone side names it. */
export type CashierAction = 'confirm' | 'cancel' | 'fail'

interface CashierProps {
  heading: string
  info: PaymentSheetInfo | null
  pay: (action: CashierAction) => Promise<PaymentResult>
  onDone: (result: PaymentResult) => void
}

/** Stands in for WeChat's cashier: the amount, and what the tester wants the payment to do. */
function CashierSheet({ heading, info, pay, onDone }: CashierProps) {
  const [busy, setBusy] = useState(false)
  const act = (action: CashierAction) => {
    if (busy) return
    setBusy(true)
    void pay(action).then(onDone)
  }
  return (
    <View className='wx-sheet-mask'>
      <View className='wx-sheet wx-cashier' role='dialog' aria-label='微信支付'>
        <Text className='wx-sheet-title'>{heading}</Text>
        {info?.title ? <Text className='wx-cashier-goods'>{info.title}</Text> : null}
        <Text className='wx-cashier-amount'>{info ? formatAmount(info.amountFen) : '—'}</Text>
        <Text className='wx-sheet-note'>H5 预览：代替微信的支付面板，支付结果由本地微信模拟器确认</Text>
        <Button
          className='wx-sheet-button wx-sheet-allow wx-cashier-confirm'
          disabled={buttonFlag(busy)}
          {...busyButton(busy)}
          onClick={() => act('confirm')}
        >
          确认支付
        </Button>
        <View className='wx-sheet-actions wx-cashier-actions'>
          <Button className='wx-sheet-button' disabled={buttonFlag(busy)} onClick={() => act('cancel')}>
            取消
          </Button>
          <Button className='wx-sheet-button' disabled={buttonFlag(busy)} onClick={() => act('fail')}>
            模拟失败
          </Button>
        </View>
      </View>
    </View>
  )
}

let cashierOpen = false

/**
 * Shows a stand-in sheet over the whole app, in its own React root on <body>. `close` removes it
 * after the event that called it has been handled (a root may not unmount itself mid-render), then
 * runs `after`.
 */
function mountSheet(className: string, sheet: (close: (after?: () => void) => void) => ReactElement): void {
  const host = document.createElement('div')
  host.className = className
  document.body.appendChild(host)
  const root = createRoot(host)
  const close = (after?: () => void) => {
    setTimeout(() => {
      root.unmount()
      host.remove()
      after?.()
    }, 0)
  }
  root.render(sheet(close))
}

/** Shows the cashier over the whole app (its own React root on <body>) until the tester acts. */
function openCashier(heading: string, info: PaymentSheetInfo | null, pay: CashierProps['pay']): Promise<PaymentResult> {
  if (cashierOpen || typeof document === 'undefined') {
    return Promise.resolve({
      outcome: 'fail',
      errMsg: 'payment:fail another payment is open',
      message: PAYMENT_MESSAGES.fail,
    })
  }
  cashierOpen = true
  return new Promise<PaymentResult>((resolve) => {
    mountSheet('wx-cashier-host', (close) => {
      const done = (result: PaymentResult) =>
        close(() => {
          cashierOpen = false
          resolve(result)
        })
      return <CashierSheet heading={heading} info={info} pay={pay} onDone={done} />
    })
  })
}

/** The simulator's answer ({errMsg, errCode}) as the client's callback would get it; no answer is a failure. */
function simulatorPayment(path: string, body: Record<string, string>): Promise<PaymentResult> {
  return simulatorPost(path, body).then(
    ({ status, answer }) =>
      status >= 200 && status < 300
        ? paymentResult(answer)
        : paymentResult({
            errMsg: `payment:fail the WeChat simulator answered ${status}: ${String(answer.message ?? '')}`,
          }),
    (error: unknown) =>
      paymentResult({ errMsg: `payment:fail ${error instanceof Error ? error.message : String(error)}` }),
  )
}

/** goodsPrice (fen) of the server's signData, the amount WeChat's sheet shows. */
function signedAmount(signData: string): number | null {
  try {
    const price = (JSON.parse(signData) as { goodsPrice?: unknown }).goodsPrice
    return typeof price === 'number' && price > 0 ? price : null
  } catch {
    return null
  }
}

/** wx.requestVirtualPayment: the stand-in sheet, then POST /__phone/xpay/pay with this browser's test user. */
export function requestVirtualPayment(params: XpayParams, sheet?: PaymentSheetInfo): Promise<PaymentResult> {
  const amountFen = signedAmount(params.signData) ?? sheet?.amountFen
  const info = amountFen ? { amountFen, title: sheet?.title ?? '' } : null
  return openCashier('虚拟支付', info, (action) =>
    simulatorPayment('/xpay/pay', {
      user: simulatorUser(),
      signData: params.signData,
      paySig: params.paySig,
      signature: params.signature,
      mode: params.mode,
      action,
    }),
  )
}

/** wx.requestPayment: the stand-in cashier, then POST /__phone/pay/jsapi with this browser's test user. */
export function requestPayment(params: RequestPaymentParams, sheet?: PaymentSheetInfo): Promise<PaymentResult> {
  return openCashier('微信支付', sheet ?? null, (action) =>
    simulatorPayment('/pay/jsapi', {
      timeStamp: params.timeStamp,
      nonceStr: params.nonceStr,
      package: params.package,
      signType: params.signType,
      paySign: params.paySign,
      action,
      user: simulatorUser(),
    }),
  )
}

/** The browser has no document viewer of WeChat's: fetch with the bearer token, then save the file as a download. */
export async function openIssuePdf(url: string, token: string, fileName: string): Promise<DocumentResult> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit' })
  if (!response.ok) return { ok: false, statusCode: response.status, body: await response.json().catch(() => null) }
  const link = document.createElement('a')
  link.href = URL.createObjectURL(await response.blob())
  link.download = fileName
  document.body.appendChild(link)
  link.click()
  link.remove()
  // The download has started from the object URL; release it once the browser took it.
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000)
  return { ok: true }
}

/* ------------------------------------------------------------------------------------------ */
/* 一次性订阅消息: a stand-in for WeChat's subscribe sheet, reported to the simulator's phone side */
/* ------------------------------------------------------------------------------------------ */

function SubscribeSheet({ onChoose }: { onChoose: (action: 'accept' | 'reject') => void }) {
  return (
    <View className='wx-sheet-mask'>
      <View className='wx-sheet' role='dialog' aria-label='订阅消息'>
        <Text className='wx-sheet-title'>北辰遴选 申请向你发送以下消息</Text>
        <Text className='wx-sheet-note'>
          新一期更新提醒（一次）。H5 预览：代替微信的订阅消息面板，由本地微信模拟器记录
        </Text>
        <View className='wx-sheet-actions'>
          <Button className='wx-sheet-button' onClick={() => onChoose('reject')}>
            取消
          </Button>
          <Button className='wx-sheet-button wx-sheet-allow' onClick={() => onChoose('accept')}>
            允许
          </Button>
        </View>
      </View>
    </View>
  )
}

/** wx.requestSubscribeMessage: the stand-in sheet, then POST /__phone/subscribe with this browser's test user. */
export function requestSubscribe(templateId: string): Promise<SubscribeResult> {
  if (typeof document === 'undefined') return Promise.resolve(subscribeResult({}, templateId))
  return new Promise<SubscribeResult>((resolve) => {
    mountSheet('wx-subscribe-host', (close) => {
      const choose = (action: 'accept' | 'reject') => {
        close()
        simulatorPost('/subscribe', { user: simulatorUser(), tmplIds: [templateId], action }).then(
          ({ answer }) => resolve(subscribeResult(answer, templateId)),
          (error: unknown) =>
            resolve(subscribeResult({ errMsg: `requestSubscribeMessage:fail ${String(error)}` }, templateId)),
        )
      }
      return <SubscribeSheet onChoose={choose} />
    })
  })
}

/* ------------------------------------------------------------------------------------------ */
/* wx.chooseAddress: a stand-in sheet with a sample address                                    */
/* ------------------------------------------------------------------------------------------ */

/** The address the stand-in offers, in wx.chooseAddress's shape */
export const SAMPLE_ADDRESS = {
  userName: '张三',
  telNumber: '13800138000',
  provinceName: '广东省',
  cityName: '广州市',
  countyName: '海珠区',
  detailInfo: '新港中路397号',
  postalCode: '510000',
} as const

type AddressAction = 'use' | 'cancel' | 'deny'

function AddressSheet({ onChoose }: { onChoose: (action: AddressAction) => void }) {
  const a = SAMPLE_ADDRESS
  return (
    <View className='wx-sheet-mask'>
      <View className='wx-sheet' role='dialog' aria-label='选择收货地址'>
        <Text className='wx-sheet-title'>北辰遴选 申请获取你的通讯地址</Text>
        <View className='wx-address'>
          <Text className='wx-address-name'>
            {a.userName} {a.telNumber}
          </Text>
          <Text className='wx-address-detail'>
            {a.provinceName} {a.cityName} {a.countyName} {a.detailInfo} {a.postalCode}
          </Text>
        </View>
        <Text className='wx-sheet-note'>H5 预览：代替微信的收货地址面板</Text>
        <Button className='wx-sheet-button wx-sheet-allow' onClick={() => onChoose('use')}>
          使用该地址
        </Button>
        <View className='wx-sheet-actions'>
          <Button className='wx-sheet-button' onClick={() => onChoose('cancel')}>
            取消
          </Button>
          <Button className='wx-sheet-button' onClick={() => onChoose('deny')}>
            拒绝
          </Button>
        </View>
      </View>
    </View>
  )
}

const ADDRESS_ANSWERS: Record<AddressAction, Record<string, string>> = {
  use: { errMsg: 'chooseAddress:ok', ...SAMPLE_ADDRESS, nationalCode: '440105' },
  cancel: { errMsg: 'chooseAddress:fail cancel' },
  deny: { errMsg: 'chooseAddress:fail auth deny' },
}

/** wx.chooseAddress: the stand-in sheet; it answers as WeChat's success and fail callbacks would. */
export function chooseAddress(): Promise<AddressResult> {
  if (typeof document === 'undefined') return Promise.resolve(addressResult({ errMsg: 'chooseAddress:fail' }))
  return new Promise<AddressResult>((resolve) => {
    mountSheet('wx-address-host', (close) => (
      <AddressSheet onChoose={(action) => close(() => resolve(addressResult(ADDRESS_ANSWERS[action])))} />
    ))
  })
}

/** No confirm-receipt component in a browser: the server asks WeChat (the simulator) directly. */
export function openOrderConfirm(): Promise<OrderConfirmOutcome> {
  return Promise.resolve('unavailable')
}

/** A browser loads the newest build on every visit: nothing to watch. */
export function watchForUpdates(): void {}
