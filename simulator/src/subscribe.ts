import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Clock } from './clock'
import { wechatError } from './errcodes'
import { badRequest } from './http'
import { openidFor } from './ids'
import type { SimState } from './state'
import { AccessTokenQuery } from './tokens'

/**
 * One-time subscribe messages (一次性订阅消息): the phone's wx.requestSubscribeMessage sheet grants
 * one message per 'accept' of a template, and POST /cgi-bin/message/subscribe/send uses one up.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */

/** The template the simulator knows unless told otherwise: 新一期更新提醒 with four fields */
export const SIM_SUBSCRIBE_TEMPLATE_ID = 'SimNextIssue-tmpl-000000000000000000000001'
export const DEFAULT_SUBSCRIBE_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  [SIM_SUBSCRIBE_TEMPLATE_ID]: ['thing1', 'thing2', 'date3', 'thing4'],
}

/** WeChat's limits per field type (the key without its number) */
const FIELD_LIMITS: Readonly<Record<string, number>> = { thing: 20, date: 40, time: 40, number: 32, phrase: 5 }
const MINIPROGRAM_STATES = ['developer', 'trial', 'formal']

export type SubscribeChoice = 'accept' | 'reject' | 'ban'

export interface SentSubscribeMessage {
  touser: string
  template_id: string
  page: string | null
  data: Record<string, { value: string }>
  miniprogram_state: string
  lang: string
  sentAt: number
}

export class SubscribeStore {
  /** openid|template → messages left (each accept adds one) */
  private readonly quota = new Map<string, number>()
  /** openid|template → the reader turned this template off (总是保持以上选择，不再询问 + 拒绝) */
  private readonly banned = new Set<string>()
  private readonly sent: SentSubscribeMessage[] = []

  constructor(
    private readonly clock: Clock,
    readonly templates: Readonly<Record<string, readonly string[]>> = DEFAULT_SUBSCRIBE_TEMPLATES,
  ) {}

  /** What the phone's sheet does: per template, the reader's choice (a banned template answers 'ban' without asking) */
  request(openid: string, templateIds: readonly string[], choice: SubscribeChoice): Record<string, string> {
    const answer: Record<string, string> = {}
    for (const templateId of templateIds) {
      const key = `${openid}|${templateId}`
      if (this.banned.has(key)) {
        answer[templateId] = 'ban'
        continue
      }
      if (choice === 'ban') this.banned.add(key)
      if (choice === 'accept') this.quota.set(key, (this.quota.get(key) ?? 0) + 1)
      answer[templateId] = choice
    }
    return answer
  }

  knows(openid: string): boolean {
    for (const key of [...this.quota.keys(), ...this.banned]) if (key.startsWith(`${openid}|`)) return true
    return false
  }

  /** Uses one accept; false when none is left (WeChat's 43101) */
  consume(openid: string, templateId: string): boolean {
    const key = `${openid}|${templateId}`
    const left = this.quota.get(key) ?? 0
    if (left <= 0 || this.banned.has(key)) return false
    this.quota.set(key, left - 1)
    return true
  }

  record(message: Omit<SentSubscribeMessage, 'sentAt'>): void {
    this.sent.push({ ...message, sentAt: this.clock.now() })
  }

  messages(): readonly SentSubscribeMessage[] {
    return this.sent
  }

  left(openid: string, templateId: string): number {
    return this.quota.get(`${openid}|${templateId}`) ?? 0
  }

  reset(): void {
    this.quota.clear()
    this.banned.clear()
    this.sent.length = 0
  }
}

const SendBody = Type.Object({
  touser: Type.Optional(Type.String()),
  template_id: Type.Optional(Type.String()),
  page: Type.Optional(Type.String()),
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  miniprogram_state: Type.Optional(Type.String()),
  lang: Type.Optional(Type.String()),
})

/** The first problem WeChat reports about a message's data: 47003 argument invalid */
function dataProblem(keys: readonly string[], data: Record<string, unknown>): boolean {
  for (const key of keys) {
    const field = data[key] as { value?: unknown } | undefined
    if (!field || typeof field.value !== 'string' || field.value === '') return true
    const limit = FIELD_LIMITS[key.replace(/[0-9]+$/, '')]
    if (limit !== undefined && [...field.value].length > limit) return true
  }
  return false
}

/** api.weixin.qq.com: POST /cgi-bin/message/subscribe/send */
export async function subscribeRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.post(
    '/cgi-bin/message/subscribe/send',
    { schema: { querystring: AccessTokenQuery, body: SendBody } },
    async (request) => {
      const tokenError = state.tokens.check(request.query.access_token)
      if (tokenError !== 0) return wechatError(state, tokenError)
      const { touser, template_id: templateId, page, data, miniprogram_state: miniprogramState, lang } = request.body
      const store = state.subscribe
      if (!touser || !(state.logins.session(touser) || store.knows(touser))) return wechatError(state, 40003)
      const keys = templateId ? store.templates[templateId] : undefined
      if (!templateId || !keys) return wechatError(state, 40037)
      if (miniprogramState !== undefined && !MINIPROGRAM_STATES.includes(miniprogramState)) {
        return wechatError(state, 47001)
      }
      if (!data || dataProblem(keys, data)) return wechatError(state, 47003)
      if (!store.consume(touser, templateId)) return wechatError(state, 43101)
      store.record({
        touser,
        template_id: templateId,
        page: page ?? null,
        data: data as SentSubscribeMessage['data'],
        miniprogram_state: miniprogramState ?? 'formal',
        lang: lang ?? 'zh_CN',
      })
      return { errcode: 0, errmsg: 'ok' }
    },
  )
}

const RequestBody = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 32 }),
    tmplIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 3 }),
    /** What the reader taps: 允许 (accept), 取消 (reject), or 拒绝 with 不再询问 (ban) */
    action: Type.Union([Type.Literal('accept'), Type.Literal('reject'), Type.Literal('ban')]),
  },
  { additionalProperties: false },
)

/** /__phone/subscribe: the wx.requestSubscribeMessage sheet; answers as its success callback does */
export async function subscribePhoneRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.post('/subscribe', { schema: { body: RequestBody } }, async (request) => {
    const { user, tmplIds, action } = request.body
    const unknown = tmplIds.find((id) => !state.subscribe.templates[id])
    // WeChat's fail callback for a template id that is not the mini-program's
    if (unknown)
      return {
        errMsg: 'requestSubscribeMessage:fail No template data return, verify the template id exist',
        errCode: 20001,
      }
    const answer = state.subscribe.request(openidFor(state.config.appid, user), tmplIds, action)
    return { errMsg: 'requestSubscribeMessage:ok', ...answer }
  })
}

const MessagesQuery = Type.Object({ touser: Type.Optional(Type.String()), user: Type.Optional(Type.String()) })

/** /__control/subscribe-messages: what was sent, and how many accepts a user has left */
export async function subscribeControlRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.get('/subscribe-messages', { schema: { querystring: MessagesQuery } }, async (request) => {
    const { touser, user } = request.query
    if (touser && user) throw badRequest('give touser or user, not both')
    const openid = user ? openidFor(state.config.appid, user) : touser
    const messages = state.subscribe.messages().filter((message) => !openid || message.touser === openid)
    return {
      messages,
      ...(openid
        ? {
            left: Object.fromEntries(
              Object.keys(state.subscribe.templates).map((id) => [id, state.subscribe.left(openid, id)]),
            ),
          }
        : {}),
    }
  })
}
