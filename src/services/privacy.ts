import { useSyncExternalStore } from 'react'
import Taro from '@tarojs/taro'

/**
 * WeChat's privacy rules (app.json `__usePrivacyCheck__`, docs/privacy.md): the first time a
 * privacy API or component runs (chooseAvatar, the nickname input, getPhoneNumber), WeChat holds it
 * and fires onNeedPrivacyAuthorization. We show our own popup (components/PrivacyPopup), then
 * resolve the held call: `agree` continues it, `disagree` makes it fail.
 * WeChat only; on H5 nothing here runs.
 */
type Resolve = (option: Taro.onNeedPrivacyAuthorization.ResolveOption) => void

export interface PrivacyRequest {
  /** A privacy API is waiting for the reader's answer */
  pending: boolean
  /** What asked, e.g. 'button.chooseAvatar' */
  referrer: string
}

/** The id of the popup's agree button: WeChat checks that this button was tapped. */
export const PRIVACY_AGREE_BUTTON_ID = 'privacy-agree'

const idle: PrivacyRequest = { pending: false, referrer: '' }
let request: PrivacyRequest = idle
let resolvePending: Resolve | null = null
let exposed = false
let popups = 0
let watching = false
const listeners = new Set<() => void>()

function setRequest(next: PrivacyRequest): void {
  request = next
  listeners.forEach((listener) => listener())
}

function isWeapp(): boolean {
  return process.env.TARO_ENV === 'weapp'
}

/** Once, at launch: from now on WeChat asks us (not its own dialog) when a privacy API needs consent. */
export function watchPrivacyAuthorization(): void {
  if (watching || !isWeapp() || typeof Taro.onNeedPrivacyAuthorization !== 'function') return
  watching = true
  Taro.onNeedPrivacyAuthorization((resolve, eventInfo) => {
    // No page can show the popup: fail the call at once rather than leave it pending forever.
    if (popups === 0) {
      resolve({ event: 'disagree' })
      return
    }
    // A newer request replaces an unanswered one, which then fails.
    resolvePending?.({ event: 'disagree' })
    resolvePending = resolve
    exposed = false
    setRequest({ pending: true, referrer: eventInfo?.referrer ?? '' })
  })
}

/** The popup is on screen: WeChat wants to know (exposureAuthorization), once per request. */
export function reportPrivacyExposure(): void {
  if (!resolvePending || exposed) return
  exposed = true
  resolvePending({ event: 'exposureAuthorization' })
}

/** The reader's answer: `agree` only from the agree button's agreePrivacyAuthorization event. */
export function answerPrivacy(agree: boolean): void {
  const resolve = resolvePending
  resolvePending = null
  setRequest(idle)
  resolve?.(agree ? { event: 'agree', buttonId: PRIVACY_AGREE_BUTTON_ID } : { event: 'disagree' })
}

/** A mounted popup counts itself, so requests are only held while one can be shown. */
export function registerPrivacyPopup(): () => void {
  popups += 1
  return () => {
    popups -= 1
    if (popups === 0 && resolvePending) answerPrivacy(false)
  }
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

const snapshot = () => request

export function usePrivacyRequest(): PrivacyRequest {
  return useSyncExternalStore(subscribe, snapshot, snapshot)
}

/**
 * Asks for consent ahead of a privacy component that cannot ask by itself: without it
 * `<input type="nickname">` silently falls back to a plain text input.
 */
export function requirePrivacyConsent(): void {
  if (!isWeapp() || typeof Taro.requirePrivacyAuthorize !== 'function') return
  try {
    Taro.requirePrivacyAuthorize({ fail: () => undefined })
  } catch {
    // Old base library (< 2.32.3): no privacy check to satisfy.
  }
}

/** Opens the privacy guide: WeChat's own page of it in the mini-program, ours otherwise. */
export function openPrivacyGuide(fallbackUrl: string): void {
  const fallback = () => void Taro.navigateTo({ url: fallbackUrl }).catch(() => undefined)
  if (isWeapp() && typeof Taro.openPrivacyContract === 'function') {
    Taro.openPrivacyContract({ fail: fallback })
  } else {
    fallback()
  }
}

/** Forgets everything; for tests. */
export function resetPrivacy(): void {
  request = idle
  resolvePending = null
  exposed = false
  popups = 0
  watching = false
}
