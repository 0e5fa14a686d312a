import { act, render, renderHook } from '@testing-library/react'
import Taro from '@tarojs/taro'
import { usePurchase } from '@/hooks/usePurchase'
import { flushFunnel, funnelSource, resetFunnel, trackFunnel } from '@/services/funnel'
import { setMe } from '@/store/session'
import { useFunnelReport } from '@/subpackages/article/useFunnel'
import VipBuyPage from '@/subpackages/vip/pages/index'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { issue, me, plans } from './fixtures'
import { resetTaroMock, storage, useRouter } from './mocks/taro'

/**
 * The paywall funnel's reporter: events queued and sent in batches under an anonymous key kept in
 * storage, without the reader's token; the article's opened and paywall steps; the plan page's step;
 * and the source an order carries.
 */
let api: FakeApi
const SHARE = 'abcd2345efgh'

const eventCalls = () => api.calls.filter((call) => call.method === 'POST' && call.path === '/api/events')
type Batch = { viewer: string; events: { step: string; issueId: number; share?: string; scene?: number }[] }
const batches = () => eventCalls().map((call) => call.data as Batch)
const settle = () => act(async () => undefined)

beforeEach(() => {
  jest.useFakeTimers()
  jest.clearAllMocks()
  resetTaroMock()
  resetFunnel()
  api = fakeApi()
  api.route('POST /api/events', { status: 202, body: { accepted: 1 } })
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1007 })
})
afterEach(() => {
  jest.useRealTimers()
  delete (process.env as Record<string, string | undefined>).TARO_ENV
})

describe('the funnel reporter', () => {
  it('sends queued events together after a few seconds, without the token, under a key kept in storage', async () => {
    storage.set('token', 'reader-token')
    trackFunnel('opened', { issueId: 7, share: SHARE, scene: 1007 })
    trackFunnel('paywall', { issueId: 7, share: SHARE, scene: 1007 })
    await settle()
    expect(eventCalls()).toHaveLength(0)
    await act(async () => {
      jest.advanceTimersByTime(5000)
    })
    expect(eventCalls()).toHaveLength(1)
    const [batch] = batches()
    expect(batch.events.map((event) => [event.step, event.issueId, event.share, event.scene])).toEqual([
      ['opened', 7, SHARE, 1007],
      ['paywall', 7, SHARE, 1007],
    ])
    expect(batch.viewer).toMatch(/^[\w-]{16,64}$/)
    expect(storage.get('funnel_viewer')).toBe(batch.viewer)
    expect(eventCalls()[0].token).toBe('')

    // The next launch reads the same key back.
    resetFunnel()
    trackFunnel('opened', { issueId: 8 })
    flushFunnel()
    await settle()
    expect(batches()[1].viewer).toBe(batch.viewer)
  })

  it('sends at once when 20 are waiting, and a failed send is dropped, not retried', async () => {
    api.route('POST /api/events', answers.error(429, 'RATE_LIMITED'))
    for (let i = 1; i <= 20; i += 1) trackFunnel('opened', { issueId: i })
    await settle()
    expect(eventCalls()).toHaveLength(1)
    expect(batches()[0].events).toHaveLength(20)
    await act(async () => {
      jest.advanceTimersByTime(60000)
    })
    expect(eventCalls()).toHaveLength(1)
  })
  it("reports nothing in the console's preview", async () => {
    process.env.TARO_ENV = 'weapp'
    ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({
      scene: 1047,
      path: 'subpackages/article/pages/index',
      query: { scene: '1.r1.abcdefghijklmnop' },
    })
    trackFunnel('opened', { issueId: 1 })
    flushFunnel()
    await settle()
    expect(eventCalls()).toHaveLength(0)
    expect(funnelSource()).toBeNull()
  })
})

describe('the article and the plan page', () => {
  it('reports the issue opened and its paywall once, with the share and scene; a readable issue has no paywall step', async () => {
    const locked = issue({ id: 32 })
    const { rerender } = renderHook(({ shown }) => useFunnelReport(shown, SHARE), {
      initialProps: { shown: null as ReturnType<typeof issue> | null },
    })
    rerender({ shown: locked })
    // The same issue loaded again (after a membership change) is not a new open.
    rerender({ shown: { ...locked } })
    flushFunnel()
    await settle()
    expect(batches()[0].events.map((event) => [event.step, event.issueId, event.share, event.scene])).toEqual([
      ['opened', 32, SHARE, 1007],
      ['paywall', 32, SHARE, 1007],
    ])
    expect(funnelSource()).toEqual({ issueId: 32, share: SHARE, scene: 1007 })

    renderHook(() => useFunnelReport(issue({ id: 33, access: { granted: true } as never }), 'not a code!'))
    flushFunnel()
    await settle()
    expect(batches()[1].events).toEqual([{ step: 'opened', issueId: 33, scene: 1007, at: expect.any(Number) }])
  })

  it('the plan page opened from an article reports plan_sheet; opened from nowhere, nothing', async () => {
    api.route(
      'GET /api/plans',
      answers.ok({ items: plans, preselected: 'half_year', purchase: { rail: 'xpay', available: true, notice: '' } }),
    )
    render(<VipBuyPage />)
    flushFunnel()
    await settle()
    expect(eventCalls()).toHaveLength(0)

    trackFunnel('opened', { issueId: 32, share: SHARE })
    render(<VipBuyPage />)
    flushFunnel()
    await settle()
    expect(batches()[0].events.map((event) => event.step)).toEqual(['opened', 'plan_sheet'])

    // Opened from a course's card after reading that article: not that article's plan sheet.
    useRouter.mockReturnValue({ params: { from: 'course' }, path: '' })
    render(<VipBuyPage />)
    flushFunnel()
    await settle()
    expect(batches()).toHaveLength(1)
    useRouter.mockReturnValue({ params: {}, path: '' })
  })

  it('an order carries its source; without one it carries none', async () => {
    storage.set('token', 'tok')
    setMe(me())
    api.route('POST /api/orders', answers.error(503, 'PAYMENT_UNAVAILABLE'))
    const orders = () =>
      api.calls.filter((call) => call.method === 'POST' && call.path === '/api/orders').map((call) => call.data)
    const source = { issueId: 32, share: SHARE, scene: 1008 }
    const withSource = renderHook(() => usePurchase({ platform: 'android', rail: 'wechatpay', source }))
    await act(async () => {
      await withSource.result.current.buy(plans[0])
    })
    const without = renderHook(() => usePurchase({ platform: 'android', rail: 'wechatpay' }))
    await act(async () => {
      await without.result.current.buy(plans[0])
    })
    expect(orders()).toEqual([
      expect.objectContaining({ planId: plans[0].id, source }),
      expect.not.objectContaining({ source: expect.anything() }),
    ])
  })
})
