import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { badRequest, lenientJsonBodies } from './http'
import { openidFor, unionidFor } from './ids'
import { FORGERY_MODES, NOTIFICATION_MODES, type NotificationMode, type Rail } from './notify'
import { RESPONSE_MODES } from './pay'
import { pushSignature, randomDigits, randomHex } from './signing'
import type { SimState } from './state'
import { shippingControlRoutes } from './shipping'
import { subscribeControlRoutes } from './subscribe'

/**
 * The control side, under /__control: switches for tests. Not part of WeChat, not reachable from
 * the browser (no CORS), and like the phone side it answers HTTP 400 on a bad request.
 */

const FaultBody = Type.Object(
  {
    path: Type.String({ minLength: 1, description: 'an upstream route path, e.g. /sns/jscode2session' }),
    errcode: Type.Optional(Type.Integer()),
    code: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z_]{1,63}$', description: 'a WeChat Pay v3 error code' })),
    errmsg: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60000 })),
    httpStatus: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })),
  },
  { additionalProperties: false },
)

const RailType = Type.Union([Type.Literal('xpay'), Type.Literal('pay')])

const NotificationBody = Type.Object(
  {
    rail: RailType,
    mode: Type.Union(NOTIFICATION_MODES.map((mode) => Type.Literal(mode))),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
    delayMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 600000 })),
    duplicates: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
    genuine: Type.Optional(Type.Boolean()),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)

const NotificationQuery = Type.Object({
  rail: Type.Optional(RailType),
  event: Type.Optional(Type.String()),
  out_trade_no: Type.Optional(Type.String()),
})

const PayBody = Type.Object(
  {
    rail: RailType,
    out_trade_no: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    signData: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
  },
  { additionalProperties: false },
)

const RefundsBody = Type.Object(
  {
    rail: RailType,
    outcome: Type.Union([Type.Literal('SUCCESS'), Type.Literal('ABNORMAL'), Type.Literal('CLOSED')]),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)

const MerchantRefundBody = Type.Object(
  {
    rail: RailType,
    out_trade_no: Type.String({ minLength: 1, maxLength: 64 }),
    /** Fen; what is left of the order unless given */
    amount: Type.Optional(Type.Integer({ minimum: 1 })),
    /** pay: where WeChat Pay notifies the outcome (the merchant's configured refund URL) */
    notify_url: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
)

const ResponsesBody = Type.Object(
  {
    mode: Type.Union(RESPONSE_MODES.map((mode) => Type.Literal(mode))),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
)

/** Why a notification switch cannot apply to a rail as configured, or null */
function switchProblem(state: SimState, rail: Rail, mode: NotificationMode): string | null {
  if (rail === 'xpay') {
    if (!state.xpay) return 'xpay is not configured'
    if (['wrong_mchid', 'unknown_serial', 'signtest', 'platform_cert'].includes(mode)) {
      return `${mode} is a WeChat Pay mode; xpay pushes have no mchid, serial or certificate`
    }
    if (mode === 'tampered_ciphertext' && state.xpay.xpay.encodingAesKey === null) {
      return 'tampered_ciphertext needs 安全模式 (xpay.encodingAesKey): plain pushes are not encrypted'
    }
    return null
  }
  if (!state.pay) return 'WeChat Pay is not configured'
  if (mode === 'platform_cert' && state.pay.pay.platformCert === null) {
    return 'platform_cert needs pay.platformCertSerial and pay.platformCertPrivateKey'
  }
  return null
}

const ClockBody = Type.Object({ advanceMs: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })

const UserParams = Type.Object({ user: Type.String({ minLength: 1, maxLength: 32 }) })
const UserQuery = Type.Object({ appid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) })

export async function controlRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  lenientJsonBodies(app)
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  await app.register(subscribeControlRoutes, { state })
  await app.register(shippingControlRoutes, { state })

  api.post('/faults', { schema: { body: FaultBody } }, async (request) => {
    const fault = request.body
    if (!state.upstreamPaths.has(fault.path)) {
      const known = [...state.upstreamPaths].sort().join(', ')
      throw badRequest(`unknown path; known: ${known}`)
    }
    const v3 = fault.path.startsWith('/v3/')
    if (v3 && fault.errcode !== undefined) throw badRequest('WeChat Pay v3 paths take code, not errcode')
    if (!v3 && fault.code !== undefined) throw badRequest('code is for WeChat Pay v3 paths; WeChat paths take errcode')
    const none = fault.errcode === undefined && fault.code === undefined
    if (none && fault.delayMs === undefined && fault.httpStatus === undefined) {
      throw badRequest('a fault needs errcode (or code), delayMs or httpStatus')
    }
    if (fault.errcode === 0) throw badRequest('errcode 0 is success, not a fault')
    state.faults.add(fault)
    return { ok: true, pending: state.faults.pending() }
  })

  api.post('/reset', async () => {
    state.reset()
    return { ok: true }
  })

  api.get('/stats', async () => {
    const calls: Record<string, number> = {}
    for (const path of [...state.upstreamPaths].sort()) calls[path] = state.calls.get(path) ?? 0
    return { calls, tokensIssued: state.tokens.issued, faults: state.faults.pending() }
  })

  // How the next notifications of a rail are delivered or forged (see docs/wechat-simulator.md).
  api.post('/notifications', { schema: { body: NotificationBody } }, async (request) => {
    const spec = request.body
    const problem = switchProblem(state, spec.rail, spec.mode)
    if (problem) throw badRequest(problem)
    if (spec.genuine && !FORGERY_MODES.has(spec.mode)) throw badRequest('genuine goes with a forgery mode only')
    state.notifier.addSwitch(spec)
    return { ok: true, switches: state.notifier.pendingSwitches() }
  })

  // Every delivery attempt so far, oldest first, to await and inspect notifications.
  api.get('/notifications', { schema: { querystring: NotificationQuery } }, async (request) => {
    const { rail, event, out_trade_no: outTradeNo } = request.query
    const deliveries = state.notifier
      .deliveries()
      .filter(
        (record) =>
          (rail === undefined || record.rail === rail) &&
          (event === undefined || record.event === event) &&
          (outTradeNo === undefined || record.out_trade_no === outTradeNo),
      )
    return { deliveries, pending: state.notifier.pending, switches: state.notifier.pendingSwitches() }
  })

  // Marks an order paid without notifying anyone: the notification is lost, reconciliation must find it.
  api.post('/pay', { schema: { body: PayBody } }, async (request) => {
    const { rail, out_trade_no: outTradeNo, user, signData } = request.body
    if (rail === 'pay') {
      if (!state.pay) throw badRequest('WeChat Pay is not configured')
      if (outTradeNo === undefined) throw badRequest('give out_trade_no')
      const paid = state.pay.payQuietly(outTradeNo)
      if (typeof paid === 'string') throw badRequest(paid)
      return { ok: true, transaction: paid }
    }
    if (!state.xpay) throw badRequest('xpay is not configured')
    const paid = state.xpay.payQuietly({ outTradeNo, user, signData })
    if (typeof paid === 'string') throw badRequest(paid)
    return { ok: true, order: paid }
  })

  // What WeChat knows about the payments: orders, transactions, refunds.
  api.get('/payments', async () => ({
    xpay: state.xpay?.snapshot() ?? null,
    pay: state.pay?.snapshot() ?? null,
  }))

  // How the next refunds end (SUCCESS unless told): REFUND.ABNORMAL / REFUND.CLOSED, or a failed xpay refund.
  api.post('/refunds', { schema: { body: RefundsBody } }, async (request) => {
    const { rail, outcome, count } = request.body
    const store = rail === 'pay' ? state.pay : state.xpay
    if (!store) throw badRequest(`${rail} is not configured`)
    store.addRefundOutcome(outcome, count ?? 1)
    return { ok: true, pending: store.pendingRefundOutcomes() }
  })

  // A refund made outside the server (merchant console, a complaint): a refund number the server never made.
  api.post('/merchant-refund', { schema: { body: MerchantRefundBody } }, async (request) => {
    const { rail, out_trade_no: outTradeNo, amount, notify_url: notifyUrl } = request.body
    if (rail === 'pay') {
      if (!state.pay) throw badRequest('WeChat Pay is not configured')
      const refund = state.pay.refundElsewhere(outTradeNo, amount, notifyUrl)
      if (typeof refund === 'string') throw badRequest(refund)
      return { ok: true, refund }
    }
    if (!state.xpay) throw badRequest('xpay is not configured')
    if (notifyUrl !== undefined) throw badRequest('xpay pushes refunds to the 消息推送 URL: notify_url is for pay')
    const refund = state.xpay.refundElsewhere(outTradeNo, amount)
    if (typeof refund === 'string') throw badRequest(refund)
    return { ok: true, refund }
  })

  // How the next WeChat Pay v3 answers are signed: a forged or missing signature for the server's check.
  api.post('/pay/responses', { schema: { body: ResponsesBody } }, async (request) => {
    if (!state.pay) throw badRequest('WeChat Pay is not configured')
    state.pay.addResponseMode(request.body.mode, request.body.count ?? 1)
    return { ok: true, pending: state.pay.pendingResponseModes() }
  })

  // The URL check WeChat makes when 消息推送 is configured: GET ?signature&timestamp&nonce&echostr.
  api.post('/xpay/verify-url', async () => {
    if (!state.xpay) throw badRequest('xpay is not configured')
    const { pushUrl, pushToken } = state.xpay.xpay
    const timestamp = String(state.clock.nowS())
    const nonce = randomDigits(10)
    const echostr = randomHex(10)
    const query = new URLSearchParams({
      signature: pushSignature(pushToken, timestamp, nonce),
      timestamp,
      nonce,
      echostr,
    })
    const url = `${pushUrl}${pushUrl.includes('?') ? '&' : '?'}${query.toString()}`
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(state.config.notifyTimeoutMs) })
      const body = await response.text()
      return { ok: response.status === 200 && body === echostr, status: response.status, body, echostr, url }
    } catch (error) {
      return { ok: false, status: null, body: error instanceof Error ? error.message : String(error), echostr, url }
    }
  })

  api.post('/clock', { schema: { body: ClockBody } }, async (request) => {
    state.clock.advance(request.body.advanceMs)
    return { now: state.clock.now(), offsetMs: state.clock.offset }
  })

  // What WeChat knows about a test user: the ids, and the session_key of the latest login (or null).
  api.get('/users/:user', { schema: { params: UserParams, querystring: UserQuery } }, async (request) => {
    const { user } = request.params
    const appid = request.query.appid ?? state.config.appid
    const openid = openidFor(appid, user)
    const session = appid === state.config.appid ? state.logins.session(openid) : undefined
    return {
      user,
      appid,
      openid,
      unionid: unionidFor(user),
      sessionKey: session?.sessionKey ?? null,
      loginAt: session?.loginAt ?? null,
    }
  })
}
