import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { SimConfig, SimState } from './state'
import { AccessTokenQuery } from './tokens'
import { wechatError } from './errcodes'

/** A word that makes the check say `risky`, and the label it reports (20001 时政 unless given) */
export interface RiskyWord {
  word: string
  label: number
}

export const DEFAULT_RISKY_WORDS: readonly string[] = ['违禁词', '赌博']
export const DEFAULT_REVIEW_WORDS: readonly string[] = ['待审']

/** The label reported for `review` verdicts: 21000 其他 */
export const REVIEW_LABEL = 21000
/** The label of a clean text: 100 正常 */
export const PASS_LABEL = 100
/** The longest content msg_sec_check takes, in characters */
export const MAX_CONTENT_CHARS = 2500
/** msg_sec_check v2 wants a user who opened the mini-program within this window */
export const RECENT_VISIT_MS = 2 * 60 * 60 * 1000

export type Suggest = 'pass' | 'review' | 'risky'

export interface DetailItem {
  strategy: 'content_model' | 'keyword'
  errcode: 0
  suggest: Suggest
  label: number
  prob?: number
  level?: number
  keyword?: string
}

export interface Verdict {
  result: { suggest: Suggest; label: number }
  detail: DetailItem[]
}

/** Judges texts by the configured word lists: any risky word wins over any review word */
export function judgeText(config: SimConfig, texts: readonly string[]): Verdict {
  const risky = config.riskyWords.filter(({ word }) => texts.some((text) => text.includes(word)))
  const review = config.reviewWords.filter((word) => texts.some((text) => text.includes(word)))
  const keywordHits: DetailItem[] = [
    ...risky.map(({ word, label }): DetailItem => {
      return { strategy: 'keyword', errcode: 0, suggest: 'risky', label, level: 90, keyword: word }
    }),
    ...review.map((word): DetailItem => {
      return { strategy: 'keyword', errcode: 0, suggest: 'review', label: REVIEW_LABEL, level: 60, keyword: word }
    }),
  ]
  const first = risky[0]
  const result: Verdict['result'] = first
    ? { suggest: 'risky', label: first.label }
    : review.length > 0
      ? { suggest: 'review', label: REVIEW_LABEL }
      : { suggest: 'pass', label: PASS_LABEL }
  return {
    result,
    detail: [
      { strategy: 'content_model', errcode: 0, suggest: result.suggest, label: result.label, prob: 90 },
      ...keywordHits,
    ],
  }
}

const MsgSecCheckBody = Type.Object({
  version: Type.Optional(Type.Integer()),
  openid: Type.Optional(Type.String()),
  scene: Type.Optional(Type.Integer()),
  content: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  nickname: Type.Optional(Type.String()),
  signature: Type.Optional(Type.String()),
})

export async function securityRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  // https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
  api.post(
    '/wxa/msg_sec_check',
    { schema: { querystring: AccessTokenQuery, body: MsgSecCheckBody } },
    async (request) => {
      const tokenError = state.tokens.check(request.query.access_token)
      if (tokenError !== 0) return wechatError(state, tokenError)
      const { version, openid, scene, content, title, nickname, signature } = request.body
      if (!content || content.length > MAX_CONTENT_CHARS) return wechatError(state, 47001)
      const texts = [content, title, nickname, signature].filter((text): text is string => text !== undefined)

      // Version 1 (no longer updated by WeChat since 2021-09-01): errcode 87014 on a violation, nothing else.
      if (version !== 2) {
        const verdict = judgeText(state.config, texts)
        return verdict.result.suggest === 'risky' ? wechatError(state, 87014) : { errcode: 0, errmsg: 'ok' }
      }

      if (scene === undefined || scene < 1 || scene > 4) return wechatError(state, 47001)
      if (!openid) return wechatError(state, 40003)
      const session = state.logins.session(openid)
      if (!session) return wechatError(state, 40003)
      if (state.clock.now() - session.loginAt > RECENT_VISIT_MS) return wechatError(state, 61010)

      const verdict = judgeText(state.config, texts)
      return { errcode: 0, errmsg: 'ok', ...verdict, trace_id: state.requestId() }
    },
  )
}
