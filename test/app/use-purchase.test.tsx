import { act, renderHook } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { usePurchase, type UsePurchaseOptions } from '@/hooks/usePurchase'
import type { Order } from '@/services/api'
import { getSession, resetSession, setMe } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me, plans } from './fixtures'
import { resetTaroMock, storage } from './mocks/taro'

/**
 * The purchase flow against a scripted API and the mini-program's own payment calls (the weapp
 * adapter: the global wx.requestVirtualPayment, Taro.requestPayment).
 */
const HALF_YEAR = plans[1]
const XPAY = { mode: 'short_series_goods', signData: '{"goodsPrice":4800}', paySig: 'ps', signature: 'sig' }
const JSAPI = { timeStamp: '1767225600', nonceStr: 'n', package: 'prepay_id=wx1', signType: 'RSA', paySign: 'p' }
const VIP_UNTIL = '2027-06-30T15:59:59.999Z'

function order(status: Order['status'], overrides: Partial<Order> = {}): Order {
  return {
    id: 1,
    outTradeNo: 'VIP20261127000001',
    kind: 'vip',
    planId: 'half_year',
    planName: '半年',
    months: 6,
    amountFen: 4800,
    rail: 'xpay',
    status,
    createdAt: '2026-11-27T10:00:00.000Z',
    paidAt: null,
    expiresAt: '2026-11-27T10:15:00.000Z',
    ...overrides,
  }
}

type WxAnswer = { errMsg: string; errCode?: number }
const wxPay = jest.fn<void, [{ success: (res: WxAnswer) => void; fail: (res: WxAnswer) => void }]>()
const sheetAnswers = (answer: WxAnswer) =>
  wxPay.mockImplementation((options) =>
    answer.errMsg.endsWith(':ok') ? options.success(answer) : options.fail(answer),
  )

let api: FakeApi

/** A signed-in reader (token 'tok'); POST /api/auth/login hands out tok-1, tok-2 … */
function signedIn() {
  storage.set('token', 'tok')
  setMe(me())
  let n = 0
  api.route('POST /api/auth/login', () =>
    answers.ok({ token: `tok-${++n}`, expiresAt: '2030-01-01T00:00:00.000Z', me: me() }),
  )
  api.route('GET /api/me', answers.ok(me({ membership: { active: true, expiresAt: VIP_UNTIL } })))
}

const FAST = { pollIntervalMs: 5, pollTimeoutMs: 60 }

function setup(options: Partial<UsePurchaseOptions> = {}) {
  const onFulfilled = jest.fn()
  const hook = renderHook(() => usePurchase({ platform: 'android', rail: 'xpay', onFulfilled, ...FAST, ...options }))
  return { hook, onFulfilled }
}

/** Runs `fn` and waits until every timer and promise it started has settled. */
const run = (fn: () => Promise<unknown> | unknown) =>
  act(async () => {
    await fn()
  })

const orderCalls = () => api.calls.filter((call) => call.method === 'POST' && call.path === '/api/orders')

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  ;(globalThis as { wx?: unknown }).wx = { requestVirtualPayment: wxPay }
  api = fakeApi()
})

afterAll(() => {
  delete (globalThis as { wx?: unknown }).wx
})

describe('usePurchase', () => {
  it('a double tap makes one order and opens one payment sheet', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/1', answers.ok(order('fulfilled')))
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook } = setup()
    await run(() => Promise.all([hook.result.current.buy(HALF_YEAR), hook.result.current.buy(HALF_YEAR)]))
    expect(orderCalls()).toHaveLength(1)
    expect(wxPay).toHaveBeenCalledTimes(1)
    expect(orderCalls()[0].data).toEqual({
      planId: 'half_year',
      platform: 'android',
      requestKey: expect.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
    })
  })

  it('signs in again just before an xpay order, and pays with what the server signed', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/1', answers.ok(order('fulfilled')))
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    const sequence = api.calls.map((call) => `${call.method} ${call.path} ${call.token}`)
    expect(sequence.slice(0, 2)).toEqual(['POST /api/auth/login ', 'POST /api/orders tok-1'])
    expect(wxPay).toHaveBeenCalledWith(expect.objectContaining(XPAY))
  })

  it('signs in first when there is no session (once: that sign-in is fresh already)', async () => {
    api.route('POST /api/auth/login', answers.ok({ token: 'tok-new', expiresAt: '2030-01-01T00:00:00Z', me: me() }))
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    sheetAnswers({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 })
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(api.count('POST /api/auth/login')).toBe(1)
    expect(orderCalls()[0].token).toBe('tok-new')
  })

  it('a cancelled sheet leaves everything as it was: 已取消支付, no polling, no change to the reader', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    sheetAnswers({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 })
    const { hook, onFulfilled } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state).toEqual({ phase: 'idle', order: null, notice: '已取消支付' })
    expect(api.count('GET /api/orders/1')).toBe(0)
    expect(api.count('GET /api/me')).toBe(0)
    expect(getSession().me?.membership.active).toBe(false)
    expect(onFulfilled).not.toHaveBeenCalled()
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '已取消支付' }))

    // A page that shows the notice itself (开通会员) gets no toast saying it again.
    jest.mocked(Taro.showToast).mockClear()
    const inline = setup({ noticeShownInline: true })
    await run(() => inline.hook.result.current.buy(HALF_YEAR))
    expect(inline.hook.result.current.state.notice).toBe('已取消支付')
    expect(Taro.showToast).not.toHaveBeenCalled()

    // The next tap is a new attempt with a new key.
    await run(() => hook.result.current.buy(HALF_YEAR))
    const [first, second] = orderCalls().map((call) => (call.data as { requestKey: string }).requestKey)
    expect(second).not.toBe(first)
  })

  it('ok → reads the order until the server fulfilled it → reloads me → 开通成功 → onFulfilled', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route(
      'GET /api/orders/1',
      answers.ok(order('pending')),
      answers.ok(order('paid')),
      answers.ok(order('fulfilled')),
    )
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook, onFulfilled } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(api.count('GET /api/orders/1')).toBe(3)
    expect(api.count('GET /api/me')).toBe(1)
    expect(getSession().me?.membership).toEqual({ active: true, expiresAt: VIP_UNTIL })
    expect(onFulfilled).toHaveBeenCalledWith(expect.objectContaining({ id: 1, status: 'fulfilled' }))
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '开通成功', icon: 'success' }))
    expect(hook.result.current.state.phase).toBe('idle')
  })

  it('the sheet saying ok is not proof: while the order is only pending, nothing is granted', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/1', answers.ok(order('pending')))
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook, onFulfilled } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state).toMatchObject({ phase: 'pending', order: { id: 1 } })
    expect(api.count('GET /api/orders/1')).toBeGreaterThan(2)
    expect(api.count('GET /api/me')).toBe(0)
    expect(onFulfilled).not.toHaveBeenCalled()

    // 刷新: asks again, and this time the payment has arrived.
    api.route('GET /api/orders/1', answers.ok(order('fulfilled')))
    await run(() => hook.result.current.recheck())
    expect(onFulfilled).toHaveBeenCalledTimes(1)
    expect(getSession().me?.membership.active).toBe(true)
    expect(hook.result.current.state.phase).toBe('idle')
  })

  it('keeps asking through a network error while confirming', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/1', answers.error(502, 'BAD_GATEWAY'), answers.ok(order('fulfilled')))
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook, onFulfilled } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(onFulfilled).toHaveBeenCalledTimes(1)
  })

  it('a failed sheet: 支付失败，请重试; an old client: the upgrade message', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    sheetAnswers({ errMsg: 'requestVirtualPayment:fail', errCode: -1 })
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state).toEqual({ phase: 'idle', order: null, notice: '支付失败，请重试' })

    sheetAnswers({ errMsg: 'requestVirtualPayment:fail INVALID_PLATFORM', errCode: -1 })
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state.notice).toBe('当前微信版本暂不支持购买，请升级到最新版微信（iOS需15及以上）')
    // Each failed attempt closes its order (the server asks WeChat first): no 待支付 order stays behind.
    expect(api.count('POST /api/orders/1/cancel')).toBe(2)
  })

  it('继续支付: the same order paid again with what the server signs now, then confirmed', async () => {
    signedIn()
    api.route('POST /api/orders/1/pay', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    api.route('GET /api/orders/1', answers.ok(order('fulfilled')))
    sheetAnswers({ errMsg: 'requestVirtualPayment:ok' })
    const { hook, onFulfilled } = setup()
    await run(() => hook.result.current.resume(order('pending')))
    // A fresh wx.login first: xpay's signature is made with the latest session_key.
    expect(api.count('POST /api/auth/login')).toBe(1)
    expect(orderCalls()).toHaveLength(0)
    expect(wxPay).toHaveBeenCalledWith(expect.objectContaining(XPAY))
    expect(onFulfilled).toHaveBeenCalledWith(expect.objectContaining({ id: 1, status: 'fulfilled' }))

    api.route('POST /api/orders/1/pay', answers.error(409, 'ORDER_NOT_PAYABLE'))
    await run(() => hook.result.current.resume(order('pending')))
    expect(hook.result.current.state.notice).toBe('该订单已支付、已关闭或已超时，请重新下单')
  })

  it('on the WeChat Pay rail: no extra sign-in, Taro.requestPayment with the signed parameters', async () => {
    signedIn()
    api.route(
      'POST /api/orders',
      answers.ok({ order: order('pending'), payment: { rail: 'wechatpay', wechatpay: JSAPI } }),
    )
    api.route('GET /api/orders/1', answers.ok(order('fulfilled', { rail: 'wechatpay' })))
    ;(Taro.requestPayment as jest.Mock).mockResolvedValue({ errMsg: 'requestPayment:ok' })
    const { hook, onFulfilled } = setup({ rail: 'wechatpay' })
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(api.count('POST /api/auth/login')).toBe(0)
    expect(Taro.requestPayment).toHaveBeenCalledWith(JSAPI)
    expect(onFulfilled).toHaveBeenCalledTimes(1)
  })

  it('LOGIN_REQUIRED_FOR_PAYMENT: signs in again and asks once more with the same key', async () => {
    signedIn()
    api.route(
      'POST /api/orders',
      answers.error(409, 'LOGIN_REQUIRED_FOR_PAYMENT'),
      answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }),
    )
    sheetAnswers({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 })
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    const keys = orderCalls().map((call) => (call.data as { requestKey: string }).requestKey)
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
    expect(api.count('POST /api/auth/login')).toBe(2)
    expect(wxPay).toHaveBeenCalledTimes(1)
  })

  it('no answer to the order: the next tap sends the same key, so it cannot make a second order', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('pending'), payment: { rail: 'xpay', xpay: XPAY } }))
    sheetAnswers({ errMsg: 'requestVirtualPayment:fail cancel', errCode: -2 })
    // The first POST /api/orders gets no answer at all.
    type Options = { url: string; method?: string; data?: { requestKey?: string } }
    const request = Taro.request as jest.Mock
    const serve = request.getMockImplementation() as (options: Options) => unknown
    let dropped = false
    request.mockImplementation((options: Options) => {
      if (dropped || options.method !== 'POST' || !options.url.endsWith('/api/orders')) return serve(options)
      dropped = true
      return Object.assign(Promise.reject({ errMsg: 'request:fail' }), { abort: jest.fn() })
    })
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state.notice).toBe('网络连接失败，请检查网络后重试')
    await run(() => hook.result.current.buy(HALF_YEAR))
    const keys = request.mock.calls
      .map(([options]: [Options]) => options)
      .filter((options) => options.method === 'POST' && options.url.endsWith('/api/orders'))
      .map((options) => options.data?.requestKey)
    expect(keys).toHaveLength(2)
    expect(keys[1]).toBe(keys[0])
    expect(wxPay).toHaveBeenCalledTimes(1)
  })

  it('an order that can no longer be paid says so', async () => {
    signedIn()
    api.route('POST /api/orders', answers.ok({ order: order('closed'), payment: null }))
    const { hook } = setup()
    await run(() => hook.result.current.buy(HALF_YEAR))
    expect(hook.result.current.state.notice).toBe('订单已失效，请重新购买')
    expect(wxPay).not.toHaveBeenCalled()
  })
})
