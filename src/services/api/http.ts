import Taro from '@tarojs/taro'
import { isSinglePageMode, previewMode } from '../../utils/launch'
import { ApiError, clientError, readerMessage } from './errors'

/** From TARO_APP_API_BASE (.env.<mode> or the shell), see config/index.ts. */
export const API_BASE = (process.env.TARO_APP_API_BASE || 'http://localhost:3000').replace(/\/+$/, '')

export const DEFAULT_TIMEOUT_MS = 10_000
export const UPLOAD_TIMEOUT_MS = 30_000
/** Longest time an anonymous request waits for a sign-in in flight before it goes out without a token */
export const SIGN_IN_WAIT_MS = 5_000

/** Storage key of the bearer token, written by the session store (src/store/session.ts). */
export const TOKEN_STORAGE_KEY = 'token'

export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, QueryValue>
  data?: Record<string, unknown>
  timeout?: number
  /**
   * true (the default): send the reader's token, and when the server answers 401 LOGIN_REQUIRED or
   * INVALID_TOKEN sign in again once and retry once. false: no token and no sign-in (the sign-in call).
   */
  auth?: boolean
  /** false: send the token but never sign in again (sign-out: a refused token is signed out already) */
  renew?: boolean
}

export function buildQuery(query: Record<string, QueryValue> = {}): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

export function readToken(): string {
  try {
    const token: unknown = Taro.getStorageSync(TOKEN_STORAGE_KEY)
    return typeof token === 'string' ? token : ''
  } catch {
    return ''
  }
}

/** Stores the bearer token; an empty string removes it. */
export function writeToken(token: string): void {
  try {
    if (token) Taro.setStorageSync(TOKEN_STORAGE_KEY, token)
    else Taro.removeStorageSync(TOKEN_STORAGE_KEY)
  } catch {
    // Storage full or unavailable: the session lives on in memory until the next launch.
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Sessions: every call that carries a token shares one sign-in when the server refuses it     */
/* ------------------------------------------------------------------------------------------ */

/** The codes with which the server says the bearer token is missing or no longer valid. */
const SESSION_CODES = new Set(['LOGIN_REQUIRED', 'INVALID_TOKEN'])

export function isSessionError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401 && SESSION_CODES.has(error.code)
}

/**
 * Signs the reader in again and resolves with the new token, or rejects (with `refused` when
 * signing in is not wanted, e.g. after the reader signed out). Installed by the session store,
 * which makes concurrent calls share one sign-in.
 */
export type SessionRenewer = (refused: ApiError) => Promise<string>

let renewer: SessionRenewer | null = null
let signingIn: Promise<unknown> | null = null

export function setSessionRenewer(next: SessionRenewer | null): void {
  renewer = next
}

/** Tells the client that a sign-in is in flight: anonymous calls wait for it, so they carry its token. */
export function trackSignIn(promise: Promise<unknown>): void {
  signingIn = promise
  const clear = () => {
    if (signingIn === promise) signingIn = null
  }
  promise.then(clear, clear)
}

/** Resolves when the sign-in in flight settles (at most SIGN_IN_WAIT_MS); null when there is nothing to wait for. */
function signInToAwait(): Promise<void> | null {
  const pending = signingIn
  if (!pending || readToken()) return null
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, SIGN_IN_WAIT_MS)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    pending.then(done, done)
  })
}

/** A fresh token after `stale` was refused: another call's sign-in, or a new one (shared). */
function renew(stale: string, refused: ApiError): Promise<string> {
  const current = readToken()
  if (current && current !== stale) return Promise.resolve(current)
  // The server refused it: never send it again.
  if (stale && current === stale) writeToken('')
  return renewer ? renewer(refused) : Promise.reject(refused)
}

/**
 * Runs `send` with the reader's token. On a 401 session error: one sign-in (shared with every
 * other call that hit one), then one retry with the new token. When signing in fails and a stale
 * token was sent, the one retry goes out without a token, so public content still loads.
 * In Moments single-page mode and in a preview there is no login: no token and no sign-in.
 */
export function withSession<T>(
  auth: boolean,
  renewOnRefusal: boolean,
  send: (token: string) => Promise<T>,
): Promise<T> {
  if (!auth || isSinglePageMode() || previewMode()) return send('')
  const attempt = () => {
    const token = readToken()
    return send(token).catch((error: unknown) => {
      if (!renewOnRefusal || !isSessionError(error)) throw error
      return renew(token, error).then(
        (fresh) => send(fresh),
        (signInError: unknown) => {
          if (!token) throw signInError
          return send('').catch((anonymous: unknown) => {
            throw isSessionError(anonymous) ? signInError : anonymous
          })
        },
      )
    })
  }
  // Without a token, wait for a sign-in in flight: its token may unlock what is asked for.
  const pending = signInToAwait()
  return pending ? pending.then(attempt) : attempt()
}

/* ------------------------------------------------------------------------------------------ */
/* Transport                                                                                  */
/* ------------------------------------------------------------------------------------------ */

function headerValue(header: unknown, name: string): string {
  if (!header || typeof header !== 'object') return ''
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key.toLowerCase() === name) return String(value)
  }
  return ''
}

/** The server's error answer ({error: {code, message}}) as an ApiError; HTTP_<status> when it has none. */
export function errorFromBody(status: number, body: unknown, header?: unknown): ApiError {
  const seconds = Number(headerValue(header, 'retry-after'))
  const retryAfter = Number.isFinite(seconds) && seconds > 0 ? seconds : 0
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const { error } = body as { error?: { code?: unknown; message?: unknown } }
    if (error && typeof error.code === 'string') {
      const detail = typeof error.message === 'string' ? error.message : ''
      return new ApiError(error.code, readerMessage(error.code, status, detail), status, detail, retryAfter)
    }
  }
  const code = `HTTP_${status}`
  return new ApiError(code, readerMessage(code, status), status, '', retryAfter)
}

/** A 2xx JSON object resolves (204 resolves with undefined); anything else becomes an ApiError. */
function settle<T>(statusCode: number, body: unknown, header: unknown): T {
  if (statusCode === 204) return undefined as T
  if (statusCode >= 200 && statusCode < 300) {
    if (body === null || typeof body !== 'object') throw clientError('BAD_RESPONSE', statusCode)
    return body as T
  }
  throw errorFromBody(statusCode, body, header)
}

function platformFailure(err: unknown): ApiError {
  const text = String((err as { errMsg?: unknown; message?: unknown })?.errMsg ?? (err as Error)?.message ?? '')
  return clientError(/time ?out/i.test(text) ? 'TIMEOUT' : 'NETWORK_ERROR')
}

/** The reader's token; in a preview the ticket instead, and the server serves its pretend viewer. */
function authHeader(token: string): Record<string, string> {
  const preview = previewMode()
  if (preview) return { 'x-preview-ticket': preview.ticket }
  return token ? { Authorization: `Bearer ${token}` } : {}
}

interface Settled {
  statusCode: number
  data: unknown
  header?: unknown
}

function sendJson<T>(path: string, options: RequestOptions, token: string): Promise<T> {
  const { method = 'GET', query, data, timeout = DEFAULT_TIMEOUT_MS } = options
  const header: Record<string, string> = { Accept: 'application/json', ...authHeader(token) }

  return new Promise<T>((resolve, reject) => {
    let settled = false
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
    }

    const task = Taro.request<unknown>({
      url: `${API_BASE}${path}${buildQuery(query)}`,
      method,
      data,
      header,
      dataType: 'json',
      // The platform's own timer is a backstop; ours decides, see below.
      timeout: timeout + 1_000,
    })

    const timer = setTimeout(() => {
      finish(() => reject(clientError('TIMEOUT')))
      try {
        task.abort?.()
      } catch {
        // Already finished or not abortable: nothing to release.
      }
    }, timeout)

    Promise.resolve(task).then(
      (res: Settled) => {
        finish(() => {
          try {
            resolve(settle<T>(res.statusCode, res.data, res.header))
          } catch (error) {
            reject(error)
          }
        })
      },
      (err: unknown) => finish(() => reject(platformFailure(err))),
    )
  })
}

/**
 * A preview's ticket reads its issue and nothing else (the server refuses the rest too): nothing else
 * goes out, so a preview signs nobody in, buys, counts and records nothing.
 */
function outsidePreview(method: string, path: string): ApiError | null {
  const preview = previewMode()
  if (!preview || (method === 'GET' && path === `/api/issues/${preview.issueId}`)) return null
  return new ApiError('PREVIEW_TICKET_SCOPE', '预览模式下不可用', 403)
}

/**
 * One request to the API. Resolves with the JSON body of a 2xx answer (undefined for 204); rejects
 * with an ApiError: the server's {code, message} for 4xx/5xx, NETWORK_ERROR when no answer came,
 * TIMEOUT after `timeout` ms (measured here, so weapp and H5 behave alike). Carries the reader's
 * token and signs in again once on a refused token (see withSession).
 */
export function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const refused = outsidePreview(options.method ?? 'GET', path)
  if (refused) return Promise.reject(refused)
  return withSession(options.auth !== false, options.renew !== false, (token) => sendJson<T>(path, options, token))
}

export interface UploadOptions {
  /** The multipart field of the file; 'file' unless given */
  name?: string
  timeout?: number
}

/**
 * Uploads a local file (a temporary path from chooseAvatar / chooseImage) as multipart/form-data
 * with Taro.uploadFile, which can only POST. Same answers, errors and sessions as `request`.
 */
export function upload<T>(path: string, filePath: string, options: UploadOptions = {}): Promise<T> {
  const { name = 'file', timeout = UPLOAD_TIMEOUT_MS } = options
  const refused = outsidePreview('POST', path)
  if (refused) return Promise.reject(refused)
  return withSession(true, true, (token) =>
    Taro.uploadFile({
      url: `${API_BASE}${path}`,
      filePath,
      name,
      header: { Accept: 'application/json', ...authHeader(token) },
      timeout,
      // H5 only: the API authenticates with the bearer token, never with cookies.
      withCredentials: false,
    }).then(
      (res) => {
        let body: unknown = res.data
        if (typeof body === 'string') {
          try {
            body = body ? JSON.parse(body) : null
          } catch {
            // Not JSON: settle() names it by status
          }
        }
        return settle<T>(res.statusCode, body, res.header)
      },
      (err: unknown) => {
        throw platformFailure(err)
      },
    ),
  )
}
