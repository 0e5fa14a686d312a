import cors from '@fastify/cors'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { badRequest, lenientJsonBodies } from './http'
import { openidFor } from './ids'
import type { SimState } from './state'
import { subscribePhoneRoutes } from './subscribe'
import { readFakeWxacode } from './wxacode'
import { XPAY_PLATFORMS } from './xpay'

/**
 * The phone side, under /__phone: what the WeChat client does for a page (`wx.login`, the
 * getPhoneNumber button, the payment sheets of `wx.requestVirtualPayment` and `wx.requestPayment`),
 * for the H5 preview and for tests. Any origin may call it, because the
 * H5 preview calls it from the browser. It answers like a development API (HTTP 400 on a bad
 * request), not like WeChat.
 */

const User = Type.String({ minLength: 1, maxLength: 32, description: 'a test user name; it decides the openid' })

const LoginBody = Type.Object(
  {
    user: User,
    /** Mint the code for another app (a test of the server's 40029 path); the simulator's appid unless given */
    appid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)

const PhoneNumberBody = Type.Object(
  {
    user: User,
    phoneNumber: Type.Optional(Type.String({ pattern: '^[0-9]{5,15}$', default: '13800138000' })),
    countryCode: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', default: '86' })),
    /** Write another appid into the watermark (a test of the server's watermark check) */
    watermarkAppid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
)

const CodeReply = Type.Object({ code: Type.String() })

/** What the user does on the payment sheet */
const Action = Type.Union([Type.Literal('confirm'), Type.Literal('cancel'), Type.Literal('fail')])

/** `wx.requestVirtualPayment({signData, paySig, signature, mode})`, plus the user and what they do */
const XpayPayBody = Type.Object(
  {
    user: User,
    signData: Type.String({ minLength: 1, maxLength: 4096 }),
    paySig: Type.String({ maxLength: 256 }),
    signature: Type.String({ maxLength: 256 }),
    mode: Type.String({ maxLength: 64 }),
    action: Action,
    /** `ios-old` answers INVALID_PLATFORM (iOS < 15 or WeChat < 8.0.68); `ios` pays through Apple */
    platform: Type.Optional(Type.Union(XPAY_PLATFORMS.map((name) => Type.Literal(name)))),
  },
  { additionalProperties: false },
)

/** `wx.requestPayment({timeStamp, nonceStr, package, signType, paySign})`, plus what the user does */
const PayJsapiBody = Type.Object(
  {
    timeStamp: Type.String({ maxLength: 32 }),
    nonceStr: Type.String({ maxLength: 64 }),
    package: Type.String({ maxLength: 128 }),
    signType: Type.String({ maxLength: 16 }),
    paySign: Type.String({ maxLength: 1024 }),
    action: Action,
    /** The paying user; when given, the order's payer.openid must be theirs */
    user: Type.Optional(User),
  },
  { additionalProperties: false },
)

/** Scanning a 小程序码 with the WeChat camera: the image as base64 */
const ScanBody = Type.Object(
  { image: Type.String({ minLength: 1, maxLength: 2000000 }) },
  { additionalProperties: false },
)
const ScanReply = Type.Object({ scene: Type.String(), page: Type.String() })

const PaymentAnswer = Type.Object({ errMsg: Type.String(), errCode: Type.Optional(Type.Integer()) })

const MAINLAND_MOBILE = /^1[0-9]{10}$/

export async function phoneSideRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  await app.register(cors, { origin: '*', methods: ['POST'], maxAge: 600 })
  lenientJsonBodies(app)
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  await app.register(subscribePhoneRoutes, { state })

  api.post('/login', { schema: { body: LoginBody, response: { 200: CodeReply } } }, async (request) => {
    const { user, appid } = request.body
    return { code: state.logins.issue(user, appid ?? state.config.appid) }
  })

  api.post('/phone-number', { schema: { body: PhoneNumberBody, response: { 200: CodeReply } } }, async (request) => {
    const { user, watermarkAppid } = request.body
    const purePhoneNumber = request.body.phoneNumber ?? '13800138000'
    const countryCode = request.body.countryCode ?? '86'
    if (countryCode === '86' && !MAINLAND_MOBILE.test(purePhoneNumber)) {
      throw badRequest('a mainland mobile number has 11 digits and starts with 1')
    }
    const code = state.phones.issue({
      openid: openidFor(state.config.appid, user),
      purePhoneNumber,
      countryCode,
      watermarkAppid: watermarkAppid ?? state.config.appid,
    })
    return { code }
  })

  // The WeChat camera on a 小程序码 of getwxacodeunlimit: the page it opens and its scene.
  api.post('/scan', { schema: { body: ScanBody, response: { 200: ScanReply } } }, async (request) => {
    const code = readFakeWxacode(Buffer.from(request.body.image, 'base64'))
    if (!code) throw badRequest('this image is not a 小程序码 of this simulator')
    return code
  })

  // The virtual-payment sheet: checks what WeChat checks, then answers as the client's callbacks do.
  api.post('/xpay/pay', { schema: { body: XpayPayBody, response: { 200: PaymentAnswer } } }, async (request) => {
    if (!state.xpay) throw badRequest('xpay is not configured: give the simulator xpay options')
    const openid = openidFor(state.config.appid, request.body.user)
    return state.xpay.requestVirtualPayment(request.body, state.logins.session(openid)?.sessionKey)
  })

  // The WeChat Pay cashier of wx.requestPayment.
  api.post('/pay/jsapi', { schema: { body: PayJsapiBody, response: { 200: PaymentAnswer } } }, async (request) => {
    if (!state.pay) throw badRequest('WeChat Pay is not configured: give the simulator pay options')
    return state.pay.requestPayment(request.body)
  })
}
