/** Codes the client produces itself; the server's codes (ISSUE_NOT_FOUND …) pass through unchanged. */
export const ClientErrorCode = {
  NETWORK_ERROR: 'NETWORK_ERROR',
  TIMEOUT: 'TIMEOUT',
  BAD_RESPONSE: 'BAD_RESPONSE',
} as const

/** Every failure of an API call, normalised to {code, message} (+ HTTP status, 0 when none came back). */
export class ApiError extends Error {
  readonly code: string
  readonly status: number

  constructor(code: string, message: string, status = 0) {
    super(message)
    // Keeps `instanceof` working when classes are down-levelled to ES5.
    Object.setPrototypeOf(this, ApiError.prototype)
    this.name = 'ApiError'
    this.code = code
    this.status = status
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

/** Messages a reader sees; the server's own message is used when it sent one. */
export const fallbackMessages: Record<string, string> = {
  [ClientErrorCode.NETWORK_ERROR]: '网络连接失败，请检查网络后重试',
  [ClientErrorCode.TIMEOUT]: '请求超时，请稍后重试',
  [ClientErrorCode.BAD_RESPONSE]: '服务暂时不可用，请稍后重试',
}

/** Turns anything thrown into an ApiError, so pages only ever deal with one shape. */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) return value
  return new ApiError(ClientErrorCode.NETWORK_ERROR, fallbackMessages.NETWORK_ERROR)
}
