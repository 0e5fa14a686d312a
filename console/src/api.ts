/**
 * The one way the console talks to the API: same origin, the `beichen_admin` session cookie,
 * `x-csrf-token` on every request that changes something, and errors as {error: {code, message}}.
 * A 401 anywhere but the sign-in calls means the session is gone: the app shows the sign-in page.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

let csrfToken: string | null = null
let onUnauthorized: (() => void) | null = null

export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when a request is refused with 401: the session expired or was ended elsewhere. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler
}

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | undefined | null>
  /** 401 is an answer here (sign-in, the session check), not a lost session */
  expectUnauthorized?: boolean
  signal?: AbortSignal
}

const MESSAGES: Record<number, string> = {
  403: '没有权限执行此操作',
  404: '内容不存在',
  429: '操作太频繁，请稍后再试',
  500: '服务器出错了，请稍后再试',
  502: '服务暂时不可用',
  503: '服务暂时不可用',
}

export function queryString(query: RequestOptions['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const form = options.body instanceof FormData
  // A FormData body sets its own multipart content type, boundary included.
  if (options.body !== undefined && !form) headers['content-type'] = 'application/json'
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(`/api/admin${path}${queryString(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : form ? (options.body as FormData) : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试')
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  let data: unknown = undefined
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error
    const failure = new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message || MESSAGES[response.status] || `请求失败（${response.status}）`,
    )
    if (response.status === 401 && !options.expectUnauthorized) onUnauthorized?.()
    throw failure
  }
  return data as T
}

export const api = {
  get: <T>(path: string, query?: RequestOptions['query'], options: RequestOptions = {}) =>
    request<T>('GET', path, { ...options, query }),
  post: <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
    request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
    request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options: RequestOptions = {}) => request<T>('DELETE', path, options),
}

/** A message for people: the server's own, or a fallback. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error) return error.message
  return '操作失败'
}
