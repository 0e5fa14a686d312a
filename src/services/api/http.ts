import Taro from '@tarojs/taro'
import { ApiError, clientError, readerMessage } from './errors'

/** From TARO_APP_API_BASE (.env.<mode> or the shell), see config/index.ts. */
export const API_BASE = (process.env.TARO_APP_API_BASE || 'http://localhost:3000').replace(/\/+$/, '')

export const DEFAULT_TIMEOUT_MS = 10_000

/** Storage key of the bearer token (written by the login flow, a later issue). */
export const TOKEN_STORAGE_KEY = 'token'

export type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, QueryValue>
  data?: Record<string, unknown>
  timeout?: number
}

export function buildQuery(query: Record<string, QueryValue> = {}): string {
  const parts: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

function readToken(): string {
  try {
    const token: unknown = Taro.getStorageSync(TOKEN_STORAGE_KEY)
    return typeof token === 'string' ? token : ''
  } catch {
    return ''
  }
}

function errorFromBody(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null && 'error' in body) {
    const { error } = body as { error?: { code?: unknown; message?: unknown } }
    if (error && typeof error.code === 'string') {
      const detail = typeof error.message === 'string' ? error.message : ''
      return new ApiError(error.code, readerMessage(error.code, status, detail), status, detail)
    }
  }
  const code = `HTTP_${status}`
  return new ApiError(code, readerMessage(code, status), status)
}

interface Settled {
  statusCode: number
  data: unknown
}

/**
 * One request to the API. Resolves with the JSON body of a 2xx answer; rejects with an
 * ApiError: the server's {code, message} for 4xx/5xx, NETWORK_ERROR when no answer came,
 * TIMEOUT after `timeout` ms (measured here, so weapp and H5 behave alike).
 */
export function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', query, data, timeout = DEFAULT_TIMEOUT_MS } = options
  const header: Record<string, string> = { Accept: 'application/json' }
  const token = readToken()
  if (token) header.Authorization = `Bearer ${token}`

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
          const { statusCode, data: body } = res
          if (statusCode >= 200 && statusCode < 300) {
            if (body === null || typeof body !== 'object') {
              reject(clientError('BAD_RESPONSE', statusCode))
            } else {
              resolve(body as T)
            }
          } else {
            reject(errorFromBody(statusCode, body))
          }
        })
      },
      (err: unknown) => {
        const text = String((err as { errMsg?: unknown; message?: unknown })?.errMsg ?? (err as Error)?.message ?? '')
        finish(() => reject(clientError(/time ?out/i.test(text) ? 'TIMEOUT' : 'NETWORK_ERROR')))
      },
    )
  })
}
