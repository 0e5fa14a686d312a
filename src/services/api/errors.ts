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
  /** Seconds the server asked us to wait (its Retry-After header); 0 when it said nothing */
  readonly retryAfter: number

  constructor(code: string, message: string, status = 0, detail = '', retryAfter = 0) {
    super(message)
    // Keeps `instanceof` working when classes are down-levelled to ES5.
    Object.setPrototypeOf(this, ApiError.prototype)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.detail = detail
    this.retryAfter = retryAfter
  }

  get isNotFound(): boolean {
    return this.status === 404
  }

  /** A VIP benefit asked for without a membership: show the paywall (开通会员), not an error. */
  get isVipRequired(): boolean {
    return this.code === 'VIP_REQUIRED'
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

/** The server's codes that need their own words (its messages are written for developers, in English). */
const codeMessages: Record<string, string> = {
  LOGIN_REQUIRED: '请先登录',
  VIP_REQUIRED: '开通VIP会员后即可使用',
  INVALID_TOKEN: messages.unauthorized,
  WECHAT_CODE_INVALID: '微信授权已失效，请重试',
  WECHAT_LOGIN_FAILED: '微信登录失败，请稍后重试',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  WECHAT_RATE_LIMITED: '微信服务繁忙，请一分钟后再试',
  WECHAT_BUSY: '微信服务繁忙，请稍后重试',
  WECHAT_NOT_CONFIGURED: '微信登录暂未开通，请稍后再试',
  WECHAT_ACCOUNT_REQUIRED: '请使用微信登录后再试',
  NICKNAME_REJECTED: '该昵称未通过微信内容安全检测，请换一个',
  INVALID_NICKNAME: '昵称需为1至20个字符',
  UNSUPPORTED_IMAGE: '仅支持JPG、PNG或WebP格式的图片',
  FILE_TOO_LARGE: '图片不能超过2MB，请换一张',
  PHONE_LINKED_ELSEWHERE: '该手机号已绑定其他微信账号，请联系客服处理',
  PHONE_CODE_REJECTED: '手机号验证未通过，请重试',
  PURCHASE_UNAVAILABLE: '当前设备暂不支持购买',
  PLAN_NOT_FOUND: '该会员方案已下架，请刷新后重新选择',
  LOGIN_REQUIRED_FOR_PAYMENT: '登录状态已更新，请重新支付',
  PAYMENT_BUSY: '支付服务繁忙，请稍后重试',
  REQUEST_KEY_REUSED: '订单状态已变化，请重新支付',
  ORDER_NOT_FOUND: '订单不存在',
  ORDER_NOT_PAYABLE: '该订单已支付、已关闭或已超时，请重新下单',
  ORDER_IN_PROGRESS: '你有订单尚未完成（待支付、处理中或退款中），请在订单结束后再注销',
  TICKET_NOT_FOUND: '二维码无效，请在电脑上刷新二维码后重新扫码',
  TICKET_EXPIRED: '二维码已过期或已使用，请在电脑上刷新二维码后重新扫码',
}

const HAS_CHINESE = /[\u4e00-\u9fff]/

/** What a reader sees for a failure: the server's message when it is written for readers, else ours. */
export function readerMessage(code: string, status: number, serverMessage = ''): string {
  if (code === ClientErrorCode.NETWORK_ERROR) return messages.network
  if (code === ClientErrorCode.TIMEOUT) return messages.timeout
  if (serverMessage && HAS_CHINESE.test(serverMessage)) return serverMessage
  if (Object.prototype.hasOwnProperty.call(codeMessages, code)) return codeMessages[code]
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
