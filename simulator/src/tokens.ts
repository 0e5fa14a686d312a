import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from './clock'
import { newAccessToken } from './ids'
import { credentialError } from './login'
import type { SimConfig, SimState } from './state'
import { wechatError } from './errcodes'

/** In normal mode WeChat hands out a new token once the current one has less than this left */
export const RENEW_BEFORE_S = 300

interface AccessToken {
  value: string
  expiresAt: number
  /** Set when a force refresh replaced it: it fails at once with 40001 */
  revoked: boolean
}

export interface StableToken {
  access_token: string
  expires_in: number
}

/** Stable access tokens of the one app the simulator serves */
export class TokenStore {
  private readonly tokens = new Map<string, AccessToken>()
  private current: AccessToken | null = null
  private issuedCount = 0

  constructor(
    private readonly config: SimConfig,
    private readonly clock: Clock,
  ) {}

  /**
   * `POST /cgi-bin/stable_token`. Normal mode returns the current token while more than
   * RENEW_BEFORE_S seconds remain (the previous one keeps working until it expires); force mode
   * always issues a new token and revokes the previous one.
   */
  stable(forceRefresh: boolean): StableToken {
    const now = this.clock.now()
    const current = this.current
    if (!forceRefresh && current && !current.revoked && current.expiresAt - now >= RENEW_BEFORE_S * 1000) {
      return { access_token: current.value, expires_in: Math.floor((current.expiresAt - now) / 1000) }
    }
    if (forceRefresh && current) current.revoked = true
    const token: AccessToken = {
      value: newAccessToken(),
      expiresAt: now + this.config.tokenTtlS * 1000,
      revoked: false,
    }
    this.tokens.set(token.value, token)
    this.current = token
    this.issuedCount += 1
    return { access_token: token.value, expires_in: this.config.tokenTtlS }
  }

  /** 0 when `value` is a usable token, else the errcode WeChat answers: 41001, 40001 or 42001 */
  check(value: string | undefined): number {
    if (!value) return 41001
    const token = this.tokens.get(value)
    if (!token || token.revoked) return 40001
    if (this.clock.now() >= token.expiresAt) return 42001
    return 0
  }

  /** How many distinct tokens were issued since the last reset */
  get issued(): number {
    return this.issuedCount
  }

  reset(): void {
    this.tokens.clear()
    this.current = null
    this.issuedCount = 0
  }
}

const StableTokenBody = Type.Object({
  grant_type: Type.Optional(Type.String()),
  appid: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String()),
  force_refresh: Type.Optional(Type.Boolean()),
})

/** The `access_token` query parameter every token-guarded WeChat API takes */
export const AccessTokenQuery = Type.Object({ access_token: Type.Optional(Type.String()) })

export async function tokenRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
  api.post('/cgi-bin/stable_token', { schema: { body: StableTokenBody } }, async (request) => {
    const { grant_type: grantType, appid, secret, force_refresh: forceRefresh } = request.body
    const credential = credentialError(state.config, appid, secret)
    if (credential !== null) return wechatError(state, credential)
    if (grantType !== 'client_credential') return wechatError(state, 40002)
    return state.tokens.stable(forceRefresh === true)
  })
}
