import { useSyncExternalStore } from 'react'
import Taro from '@tarojs/taro'
import {
  ApiError,
  deleteMe,
  getMe,
  isApiError,
  isSessionError,
  login,
  logout,
  toApiError,
  type LoginResult,
  type Me,
} from '../services/api'
import { readToken, setSessionRenewer, trackSignIn, writeToken } from '../services/api/http'
import { getLoginCode } from '../services/wechat'
import { isSinglePageMode, previewMode } from '../utils/launch'

/**
 * The reader's session: signed in silently at launch (wx.login → POST /api/auth/login), the token
 * in storage (where the HTTP client reads it), the `me` here. The HTTP client calls back into
 * `signIn` when the server refuses a token, and every caller shares the one sign-in in flight.
 *
 * - `starting`: launch, before the first answer;
 * - `signing-in`: a sign-in without a known reader (first launch, or the 微信一键登录 button);
 * - `signed-in`: `me` is the reader;
 * - `signed-out`: no session, `error` says why when a sign-in failed (null after 退出登录);
 * - `preview`: Moments single-page mode, or the console's "Preview as": no login at all.
 */
export type SessionStatus = 'starting' | 'signing-in' | 'signed-in' | 'signed-out' | 'preview'

export interface SessionState {
  status: SessionStatus
  me: Me | null
  error: ApiError | null
}

/** Set by 退出登录: no silent sign-in at the next launch or on a refused token until the reader signs in. */
export const SIGNED_OUT_STORAGE_KEY = 'signedOut'
/** A WECHAT_BUSY answer asking for at most this wait is retried once during a sign-in */
const BUSY_RETRY_MAX_S = 3

let state: SessionState = { status: 'starting', me: null, error: null }
const listeners = new Set<() => void>()
let started = false
let inflight: Promise<Me> | null = null

function setState(next: Partial<SessionState>): void {
  state = { ...state, ...next }
  listeners.forEach((listener) => listener())
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

export function getSession(): SessionState {
  return state
}

/** Signed in with a token to send: a purchase can go ahead without signing in first. */
export function hasSession(): boolean {
  return state.status === 'signed-in' && Boolean(readToken())
}

/** The session, re-rendering on every change. */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, getSession, getSession)
}

function signedOutByChoice(): boolean {
  try {
    return Taro.getStorageSync(SIGNED_OUT_STORAGE_KEY) === '1'
  } catch {
    return false
  }
}

function rememberSignedOut(value: boolean): void {
  try {
    if (value) Taro.setStorageSync(SIGNED_OUT_STORAGE_KEY, '1')
    else Taro.removeStorageSync(SIGNED_OUT_STORAGE_KEY)
  } catch {
    // Storage unavailable: the choice lasts until the next launch.
  }
}

const wait = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000))

function loginCode(): Promise<string> {
  return getLoginCode().catch((error: unknown) => {
    throw new ApiError(
      'WECHAT_LOGIN_FAILED',
      '微信登录失败，请稍后重试',
      0,
      error instanceof Error ? error.message : '',
    )
  })
}

async function exchange(): Promise<LoginResult> {
  try {
    return await login(await loginCode())
  } catch (error) {
    // A code lives 5 minutes and is single-use; WeChat's "busy" passes in a moment: one more try each.
    if (isApiError(error) && error.code === 'WECHAT_CODE_INVALID') return login(await loginCode())
    if (isApiError(error) && error.code === 'WECHAT_BUSY' && error.retryAfter <= BUSY_RETRY_MAX_S) {
      await wait(error.retryAfter || 1)
      return login(await loginCode())
    }
    throw error
  }
}

/** A sign-in that succeeded: its token stored, the reader signed in (and no longer signed out by choice). */
function adopt(result: LoginResult): Me {
  inflight = null
  writeToken(result.token)
  rememberSignedOut(false)
  setState({ status: 'signed-in', me: result.me, error: null })
  return result.me
}

/** Makes `run` the sign-in every caller (and the HTTP client's anonymous calls) waits for. */
function share(run: Promise<Me>): Promise<Me> {
  inflight = run
  trackSignIn(run)
  return run
}

/**
 * Signs in with WeChat; concurrent callers share one sign-in. While the reader is known (a refused
 * token being renewed) the page keeps showing them; on failure the session is signed out.
 */
export function signIn(): Promise<Me> {
  if (inflight) return inflight
  if (!state.me) setState({ status: 'signing-in', error: null })
  const run = exchange().then(adopt, (error: unknown) => {
    inflight = null
    writeToken('')
    const apiError = toApiError(error)
    setState({ status: 'signed-out', me: null, error: apiError })
    throw apiError
  })
  return share(run)
}

/**
 * A new sign-in even while the token is valid: wx.login makes WeChat issue a new session_key, which
 * the server needs fresh to sign a virtual payment (docs/wechat.md, "Virtual payment"), so it runs just before each
 * xpay order. Shares a sign-in already in flight. Unlike `signIn`, a failure keeps the current
 * session (the reader stays signed in; only this purchase fails). Without a session it is `signIn`.
 */
export function refreshLogin(): Promise<Me> {
  if (inflight) return inflight
  if (!state.me || !readToken()) return signIn()
  const run = exchange().then(adopt, (error: unknown) => {
    inflight = null
    throw toApiError(error)
  })
  return share(run)
}

/** The HTTP client's way back in on a refused token: no sign-in after the reader chose to sign out. */
function renewSession(refused: ApiError): Promise<string> {
  if (signedOutByChoice() || isSinglePageMode() || previewMode()) return Promise.reject(refused)
  return signIn().then(() => readToken())
}

/** Reloads the reader (membership may change elsewhere, e.g. on the web site). */
export function refreshMe(): Promise<Me | null> {
  if (!readToken()) return Promise.resolve(null)
  return getMe().then(
    (me) => {
      setState({ status: 'signed-in', me, error: null })
      return me
    },
    (error: unknown) => {
      const apiError = toApiError(error)
      // A refused token was already renewed (or the sign-in failed) by the HTTP client.
      if (!isSessionError(apiError) && !state.me) setState({ status: 'signed-out', error: apiError })
      throw apiError
    },
  )
}

/** After a profile change answered with the new `me`. */
export function setMe(me: Me): void {
  setState({ status: 'signed-in', me, error: null })
}

/**
 * Once, at launch (src/app.ts): the stored token is checked with GET /api/me (a refused one signs in
 * again on the way), or a first launch signs in silently. Nothing in Moments single-page mode or a preview.
 */
export function startSession(): void {
  if (started) return
  started = true
  if (isSinglePageMode() || previewMode()) {
    setState({ status: 'preview', me: null, error: null })
    return
  }
  setSessionRenewer(renewSession)
  if (readToken()) {
    refreshMe().catch(() => undefined)
  } else if (signedOutByChoice()) {
    setState({ status: 'signed-out', me: null, error: null })
  } else {
    signIn().catch(() => undefined)
  }
}

/** 退出登录: ends the session on the server (best effort), forgets the token and stays signed out. */
export function signOut(): Promise<void> {
  const hadToken = Boolean(readToken())
  rememberSignedOut(true)
  const done = () => {
    writeToken('')
    setState({ status: 'signed-out', me: null, error: null })
  }
  if (!hadToken) {
    done()
    return Promise.resolve()
  }
  return logout().then(done, done)
}

/**
 * 注销账号: the server deletes the account, then this device forgets it and stays signed out (a
 * silent sign-in at the next launch would otherwise make a new account at once). Rejects with the
 * server's refusal (ORDER_IN_PROGRESS …), keeping the session.
 */
export function deleteAccount(): Promise<void> {
  return deleteMe().then(() => {
    rememberSignedOut(true)
    writeToken('')
    setState({ status: 'signed-out', me: null, error: null })
  })
}

/** Forgets everything; for tests. */
export function resetSession(): void {
  state = { status: 'starting', me: null, error: null }
  started = false
  inflight = null
  setSessionRenewer(null)
  listeners.forEach((listener) => listener())
}
