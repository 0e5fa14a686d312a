import { useState } from 'react'
import { Button, Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import type { AvatarButtonProps, PhoneNumberButtonProps } from './types'
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

/** POST to the simulator's phone side; resolves with the `code` it mints. */
function phoneSide(path: '/login' | '/phone-number', body: Record<string, string>): Promise<string> {
  const controller = typeof AbortController === 'function' ? new AbortController() : null
  const timer = setTimeout(() => controller?.abort(), SIM_TIMEOUT_MS)
  return fetch(`${SIM_BASE}/__phone${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: controller?.signal,
  })
    .then(async (response) => {
      const answer = (await response.json().catch(() => ({}))) as { code?: unknown; message?: unknown }
      if (!response.ok || typeof answer.code !== 'string' || !answer.code) {
        throw new Error(`the WeChat simulator answered ${response.status} to ${path}: ${String(answer.message ?? '')}`)
      }
      return answer.code
    })
    .then(
      (code) => {
        clearTimeout(timer)
        return code
      },
      (error: unknown) => {
        clearTimeout(timer)
        throw error
      },
    )
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
          <Button className='wx-sheet-button' disabled={busy || undefined} onClick={onCancel}>
            不允许
          </Button>
          <Button
            className='wx-sheet-button wx-sheet-allow'
            disabled={busy || undefined}
            loading={busy || undefined}
            onClick={allow}
          >
            允许
          </Button>
        </View>
      </View>
    </View>
  )
}

// Taro's H5 button renders disabled={false} as disabled="false", which CSS's [disabled] matches:
// the flags are passed only when set.
export function PhoneNumberButton({ className, disabled, children, onCode, onCancel }: PhoneNumberButtonProps) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button className={className} disabled={disabled || undefined} onClick={() => setOpen(true)}>
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
        const path = tempFiles[0]?.tempFilePath
        if (path) onChoose(path)
      },
      () => undefined, // the reader closed the picker
    )
  }
  return (
    <Button className={className} disabled={disabled || undefined} onClick={choose}>
      {children}
    </Button>
  )
}
