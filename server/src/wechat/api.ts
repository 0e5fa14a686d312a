import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * WeChat's server APIs, called with fetch and checked with TypeBox (docs/wechat.md: the old
 * SDKs lack stable_token and the phone API). Every call goes to a base URL from
 * configuration: the simulator in development and tests, api.weixin.qq.com in production.
 * Secrets travel only in the request; no URL, body or secret is ever put in an error.
 */

export class WeChatError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly api: string,
  ) {
    super(`WeChat ${api} answered errcode ${errcode}: ${errmsg}`)
    this.name = 'WeChatError'
  }

  /** -1 system busy, or WeChat could not be reached or answered nonsense */
  get busy(): boolean {
    return this.errcode === -1 || this.errcode === UNREACHABLE
  }
}

/** Our own code for "no usable answer": a network error, a timeout or an unexpected body */
export const UNREACHABLE = -999

const ErrorAnswer = Type.Object({ errcode: Type.Number(), errmsg: Type.Optional(Type.String()) })

const Code2Session = Type.Object({
  openid: Type.String({ minLength: 1, maxLength: 64 }),
  session_key: Type.String({ minLength: 1, maxLength: 64 }),
  unionid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
})
export type Code2SessionResult = Static<typeof Code2Session>

const StableToken = Type.Object({
  access_token: Type.String({ minLength: 1, maxLength: 1024 }),
  expires_in: Type.Integer({ minimum: 1 }),
})
export type StableTokenResult = Static<typeof StableToken>

const PhoneNumber = Type.Object({
  phone_info: Type.Object({
    phoneNumber: Type.String(),
    purePhoneNumber: Type.String({ pattern: '^[0-9]{5,20}$' }),
    countryCode: Type.String({ pattern: '^[0-9]{1,4}$' }),
    watermark: Type.Object({ timestamp: Type.Number(), appid: Type.String() }),
  }),
})
export type PhoneNumberResult = Static<typeof PhoneNumber>['phone_info']

const MsgSecCheck = Type.Object({
  result: Type.Object({ suggest: Type.String(), label: Type.Number() }),
})
export type MsgSecCheckResult = Static<typeof MsgSecCheck>['result']

const SendAnswer = Type.Object({ errcode: Type.Number() })

/** A one-time subscribe message: `data` maps each template field (thing1, date3, …) to its value */
export interface SubscribeMessage {
  touser: string
  template_id: string
  page: string
  data: Record<string, { value: string }>
  miniprogram_state: 'developer' | 'trial' | 'formal'
  lang: 'zh_CN'
}

/** What getwxacodeunlimit takes: `scene` (≤ 32 visible characters) reaches the page as options.scene */
export interface WxacodeRequest {
  scene: string
  page: string
  check_path: boolean
  env_version: 'release' | 'trial' | 'develop'
  width?: number
}

export interface WeChatApiOptions {
  baseUrl: string
  appid: string
  secret: string
  timeoutMs: number
}

export class WeChatApi {
  constructor(private readonly options: WeChatApiOptions) {}

  get appid(): string {
    return this.options.appid
  }

  code2Session(code: string): Promise<Code2SessionResult> {
    const query = new URLSearchParams({
      appid: this.options.appid,
      secret: this.options.secret,
      js_code: code,
      grant_type: 'authorization_code',
    })
    return this.call('jscode2session', `/sns/jscode2session?${query}`, { method: 'GET' }, Code2Session)
  }

  stableToken(): Promise<StableTokenResult> {
    return this.call(
      'stable_token',
      '/cgi-bin/stable_token',
      json({
        grant_type: 'client_credential',
        appid: this.options.appid,
        secret: this.options.secret,
        force_refresh: false,
      }),
      StableToken,
    )
  }

  async phoneNumber(accessToken: string, code: string, openid: string): Promise<PhoneNumberResult> {
    const path = `/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(accessToken)}`
    return (await this.call('getuserphonenumber', path, json({ code, openid }), PhoneNumber)).phone_info
  }

  async msgSecCheck(accessToken: string, openid: string, content: string): Promise<MsgSecCheckResult> {
    const path = `/wxa/msg_sec_check?access_token=${encodeURIComponent(accessToken)}`
    return (await this.call('msg_sec_check', path, json({ version: 2, openid, scene: 1, content }), MsgSecCheck)).result
  }

  /** 发送订阅消息: uses up one of the reader's accepts of this template (43101 when none is left) */
  async sendSubscribeMessage(accessToken: string, message: SubscribeMessage): Promise<void> {
    const path = `/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(accessToken)}`
    await this.call('subscribe_send', path, json(message), SendAnswer)
  }

  /**
   * 获取不限制的小程序码 (getwxacodeunlimit): the image bytes of a 小程序码 opening `page` with
   * `scene`. WeChat answers the image on success and a JSON errcode on error (HTTP 200 both).
   */
  async wxacodeUnlimit(accessToken: string, request: WxacodeRequest): Promise<Buffer> {
    const api = 'getwxacodeunlimit'
    const path = `/wxa/getwxacodeunlimit?access_token=${encodeURIComponent(accessToken)}`
    let type: string
    let bytes: Buffer
    try {
      const response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        ...json(request),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      type = response.headers.get('content-type') ?? ''
      bytes = Buffer.from(await response.arrayBuffer())
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not be reached'
      throw new WeChatError(UNREACHABLE, reason, api)
    }
    if (type.startsWith('image/') && bytes.length > 8) return bytes
    let body: unknown
    try {
      body = JSON.parse(bytes.toString('utf8'))
    } catch {
      body = null
    }
    if (Value.Check(ErrorAnswer, body) && body.errcode !== 0)
      throw new WeChatError(body.errcode, body.errmsg ?? '', api)
    throw new WeChatError(UNREACHABLE, 'answered with an unexpected body', api)
  }

  /** One JSON call of a WeChat API under `path`, its answer checked against `schema` (wechat/shipping.ts uses it too) */
  async call<T extends TSchema>(api: string, path: string, init: RequestInit, schema: T): Promise<Static<T>> {
    let body: unknown
    try {
      const response = await fetch(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      body = await response.json()
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not be reached'
      throw new WeChatError(UNREACHABLE, reason, api)
    }
    if (Value.Check(ErrorAnswer, body) && body.errcode !== 0)
      throw new WeChatError(body.errcode, body.errmsg ?? '', api)
    if (!Value.Check(schema, body)) throw new WeChatError(UNREACHABLE, 'answered with an unexpected body', api)
    return body
  }
}

export function json(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}
