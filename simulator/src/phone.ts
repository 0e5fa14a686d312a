import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from './clock'
import { newPhoneCode } from './ids'
import type { SimConfig, SimState } from './state'
import { AccessTokenQuery } from './tokens'
import { wechatError } from './errcodes'

export interface PhoneGrant {
  openid: string
  /** Digits without the country code, e.g. 13800138000 */
  purePhoneNumber: string
  /** Digits, e.g. 86 */
  countryCode: string
  /** The appid written into the watermark; a test may set another one to exercise the server's check */
  watermarkAppid: string
}

interface PhoneCode extends PhoneGrant {
  issuedAt: number
  used: boolean
}

export interface PhoneInfo {
  phoneNumber: string
  purePhoneNumber: string
  countryCode: string
  watermark: { timestamp: number; appid: string }
}

export type PhoneRedeemed = { phoneInfo: PhoneInfo } | { errcode: number }

const SWEEP_AT = 1000

/** getPhoneNumber codes: single use, valid phoneCodeTtlS seconds (5 minutes) */
export class PhoneCodeStore {
  private readonly codes = new Map<string, PhoneCode>()

  constructor(
    private readonly config: SimConfig,
    private readonly clock: Clock,
  ) {}

  /** What the getPhoneNumber button gives the page after the user allows it */
  issue(grant: PhoneGrant): string {
    if (this.codes.size >= SWEEP_AT) this.sweep()
    const code = newPhoneCode()
    this.codes.set(code, { ...grant, issuedAt: this.clock.now(), used: false })
    return code
  }

  /** `POST /wxa/business/getuserphonenumber` once the access_token is checked */
  redeem(code: string, openid: string | undefined): PhoneRedeemed {
    const entry = this.codes.get(code)
    if (!entry || this.expired(entry)) return { errcode: 40029 }
    if (entry.used) return { errcode: 40163 }
    // Passing openid makes WeChat check that the code belongs to that user.
    if (openid !== undefined && openid !== entry.openid) return { errcode: 40003 }
    entry.used = true
    const { purePhoneNumber, countryCode } = entry
    return {
      phoneInfo: {
        // WeChat puts the country code into phoneNumber only for numbers outside mainland China.
        phoneNumber: countryCode === '86' ? purePhoneNumber : `+${countryCode} ${purePhoneNumber}`,
        purePhoneNumber,
        countryCode,
        watermark: { timestamp: this.clock.nowS(), appid: entry.watermarkAppid },
      },
    }
  }

  reset(): void {
    this.codes.clear()
  }

  private expired(entry: PhoneCode): boolean {
    return this.clock.now() - entry.issuedAt > this.config.phoneCodeTtlS * 1000
  }

  private sweep(): void {
    for (const [code, entry] of this.codes) if (this.expired(entry)) this.codes.delete(code)
  }
}

const PhoneNumberBody = Type.Object({
  code: Type.Optional(Type.String()),
  openid: Type.Optional(Type.String()),
})

export async function phoneRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  // https://developers.weixin.qq.com/miniprogram/dev/server/API/user-info/phone-number/api_getphonenumber
  api.post(
    '/wxa/business/getuserphonenumber',
    { schema: { querystring: AccessTokenQuery, body: PhoneNumberBody } },
    async (request) => {
      const tokenError = state.tokens.check(request.query.access_token)
      if (tokenError !== 0) return wechatError(state, tokenError)
      const { code, openid } = request.body
      if (!code) return wechatError(state, 40029)
      const result = state.phones.redeem(code, openid)
      if ('errcode' in result) return wechatError(state, result.errcode)
      return { errcode: 0, errmsg: 'ok', phone_info: result.phoneInfo }
    },
  )
}
