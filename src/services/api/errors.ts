/** Codes the client produces itself; the server's codes (ISSUE_NOT_FOUND …) pass through unchanged. */
export const ClientErrorCode = {
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const

/**
 * Every failure of an API call, normalised to {code, message}. `message` is always fit to
 * show a reader (Chinese); `detail` keeps what the server said, for logs. `status` is the
 * HTTP status, 0 when no answer came back.
 */
export class ApiError extends Error {
  readonly code: string
  readonly status: number
  readonly detail: string

  constructor(code: string, message: string, status = 0, detail = '') {
    super(message)
    // Keeps `instanceof` working when classes are down-levelled to ES5.
    Object.setPrototypeOf(this, ApiError.prototype)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.detail = detail
  }

  get isNotFound(): boolean {
    return this.status === 404
  }

  get isOffline(): boolean {
    return this.code === ClientErrorCode.NETWORK_ERROR || this.code === ClientErrorCode.TIMEOUT
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}

const messages = {
  network: '网络连接失败，请检查网络后重试',
  timeout: '请求超时，请稍后重试',
  unavailable: '服务暂时不可用，请稍后重试',
  notFound: '内容不存在或已下线',
  unauthorized: '登录状态已失效，请重新登录',
  tooMany: '访问过于频繁，请稍后再试',
  failed: '请求失败，请稍后重试',
} as const

const HAS_CHINESE = /[\u4e00-\u9fff]/

/** What a reader sees for a failure: the server's message when it is written for readers, else ours. */
export function readerMessage(code: string, status: number, serverMessage = ''): string {
  if (code === ClientErrorCode.NETWORK_ERROR) return messages.network
  if (code === ClientErrorCode.TIMEOUT) return messages.timeout
  if (serverMessage && HAS_CHINESE.test(serverMessage)) return serverMessage
  if (status === 404) return messages.notFound
  if (status === 401 || status === 403) return messages.unauthorized
  if (status === 429) return messages.tooMany
  if (status >= 500 || code === ClientErrorCode.BAD_RESPONSE) return messages.unavailable
  return messages.failed
}

export function clientError(code: keyof typeof ClientErrorCode, status = 0): ApiError {
  return new ApiError(code, readerMessage(code, status), status)
}

/** Turns anything thrown into an ApiError, so pages only ever deal with one shape. */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) return value
  return new ApiError(ClientErrorCode.NETWORK_ERROR, messages.network, 0, value instanceof Error ? value.message : '')
}
