import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from './clock'
import { newLoginCode, newSessionKey, openidFor, unionidFor } from './ids'
import type { SimConfig, SimState } from './state'
import { wechatError } from './errcodes'

/** A user's session with the mini-program, as WeChat keeps it after jscode2session */
export interface Session {
  user: string
  openid: string
  unionid: string | null
  /** The current session_key; every login replaces it and the old one stops being valid */
  sessionKey: string
  /** Simulator time (ms) of the last jscode2session for this user */
  loginAt: number
}

interface LoginCode {
  appid: string
  user: string
  issuedAt: number
  used: boolean
}

export type Redeemed = { session: Session } | { errcode: number }

/** Sweep expired codes once this many are held, so a long test run cannot grow the map forever */
const SWEEP_AT = 1000

/** wx.login codes and the sessions they turn into */
export class LoginStore {
  private readonly codes = new Map<string, LoginCode>()
  private readonly sessions = new Map<string, Session>()

  constructor(
    private readonly config: SimConfig,
    private readonly clock: Clock,
  ) {}

  /** What `wx.login` does on the phone: a fresh single-use code for `user` in app `appid` */
  issue(user: string, appid: string = this.config.appid): string {
    if (this.codes.size >= SWEEP_AT) this.sweep()
    const code = newLoginCode()
    this.codes.set(code, { appid, user, issuedAt: this.clock.now(), used: false })
    return code
  }

  /** What jscode2session does once appid and secret are checked */
  redeem(appid: string, code: string): Redeemed {
    const entry = this.codes.get(code)
    if (!entry || entry.appid !== appid || this.expired(entry)) return { errcode: 40029 }
    if (entry.used) return { errcode: 40163 }
    entry.used = true
    const openid = openidFor(appid, entry.user)
    const session: Session = {
      user: entry.user,
      openid,
      unionid: this.config.unionid ? unionidFor(entry.user) : null,
      sessionKey: newSessionKey(),
      loginAt: this.clock.now(),
    }
    this.sessions.set(openid, session)
    return { session }
  }

  session(openid: string): Session | undefined {
    return this.sessions.get(openid)
  }

  reset(): void {
    this.codes.clear()
    this.sessions.clear()
  }

  private expired(entry: LoginCode): boolean {
    return this.clock.now() - entry.issuedAt > this.config.codeTtlS * 1000
  }

  private sweep(): void {
    for (const [code, entry] of this.codes) if (this.expired(entry)) this.codes.delete(code)
  }
}

const Jscode2SessionQuery = Type.Object({
  appid: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String()),
  js_code: Type.Optional(Type.String()),
  grant_type: Type.Optional(Type.String()),
})

/** The first credential error of a call that names an app: missing or wrong appid, then secret */
export function credentialError(config: SimConfig, appid?: string, secret?: string): number | null {
  if (!appid) return 41002
  if (appid !== config.appid) return 40013
  if (!secret) return 41004
  if (secret !== config.secret) return 40125
  return null
}

export async function loginRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
  api.get('/sns/jscode2session', { schema: { querystring: Jscode2SessionQuery } }, async (request) => {
    const { appid, secret, js_code: code, grant_type: grantType } = request.query
    const credential = credentialError(state.config, appid, secret)
    if (credential !== null) return wechatError(state, credential)
    if (!code) return wechatError(state, 41008)
    if (grantType !== 'authorization_code') return wechatError(state, 40002)
    const result = state.logins.redeem(state.config.appid, code)
    if ('errcode' in result) return wechatError(state, result.errcode)
    const { openid, sessionKey, unionid } = result.session
    return unionid === null ? { openid, session_key: sessionKey } : { openid, session_key: sessionKey, unionid }
  })
}
