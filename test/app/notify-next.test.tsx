import { act, fireEvent, render, screen, within } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import NotifyNext, { NOTIFY_MESSAGES, ONE_ACCEPT_ONE_MESSAGE } from '@/subpackages/article/components/NotifyNext'
import { getSession, resetSession, setMe } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { resetTaroMock, storage } from './mocks/taro'
import { issue, me } from './fixtures'

/** wx.requestSubscribeMessage: the shared Taro mock has none. */
const requestSubscribeMessage = jest.fn()
Object.assign(Taro as unknown as Record<string, jest.Mock>, { requestSubscribeMessage })

const TEMPLATE = 'tmpl-next-issue'
const shanxi = { code: 'shanxi', name: '山西' }
const state = (openOptIns: number, available = true) => ({
  templateId: available ? TEMPLATE : '',
  available,
  openOptIns,
})
const sheetAnswer = (choice: string) =>
  requestSubscribeMessage.mockResolvedValueOnce({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: choice })

let api: FakeApi

function signInAs(token: string) {
  storage.set('token', token)
  act(() => setMe(me()))
}

async function settle() {
  for (let index = 0; index < 10; index++) await act(async () => undefined)
}

async function tap() {
  fireEvent.click(screen.getByRole('button', { name: /通知我下一期|已订阅 ✓/ }))
  await settle()
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  delete (process.env as Record<string, string | undefined>).TARO_ENV
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
  api.route('GET /api/subscriptions', answers.ok(state(0)))
})

describe('通知我下一期', () => {
  it('a signed-in reader allows the message: the opt-in is sent to the server and the note counts it', async () => {
    signInAs('reader-token')
    api.route('POST /api/subscriptions', answers.ok(state(1)))
    sheetAnswer('accept')
    render(<NotifyNext region={shanxi} />)
    await settle()
    expect(screen.getByText('山西有新一期时，通过微信服务通知提醒你')).toBeTruthy()

    await tap()
    expect(requestSubscribeMessage).toHaveBeenCalledWith({ tmplIds: [TEMPLATE], entityIds: [] })
    const posted = api.calls.filter((call) => call.method === 'POST' && call.path === '/api/subscriptions')
    expect(posted).toEqual([
      {
        method: 'POST',
        path: '/api/subscriptions',
        data: { region: 'shanxi', templateId: TEMPLATE },
        token: 'reader-token',
      },
    ])
    expect(Taro.showToast).not.toHaveBeenCalled()
    expect(screen.getByText('已订阅：山西下一期更新时通知你')).toBeTruthy()
    // Subscribed: the button says so, and the page says what one 允许 is worth.
    expect(screen.getByRole('button', { name: '已订阅 ✓ 再订一期' })).toBeTruthy()
    expect(screen.getByText(ONE_ACCEPT_ONE_MESSAGE)).toBeTruthy()
  })

  it('a signed-out reader gets WeChat’s sheet first (it only opens from a tap), then signs in, then opts in', async () => {
    api.route('POST /api/auth/login', answers.ok({ token: 'fresh', expiresAt: '', me: me() }))
    api.route('POST /api/subscriptions', answers.ok(state(2)))
    // Signing in loads the state again; by then the server counts the new opt-in too.
    api.route('GET /api/subscriptions', answers.ok(state(1)), answers.ok(state(2)))
    const order: string[] = []
    requestSubscribeMessage.mockImplementationOnce(() => {
      order.push('sheet')
      return Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'accept' })
    })
    ;(Taro.login as jest.Mock).mockImplementationOnce(() => {
      order.push('login')
      return Promise.resolve({ code: 'wx-code', errMsg: 'login:ok' })
    })
    render(<NotifyNext region={shanxi} />)
    await settle()
    await tap()
    expect(order).toEqual(['sheet', 'login'])
    expect(getSession().status).toBe('signed-in')
    expect(api.calls.find((call) => call.method === 'POST' && call.path === '/api/subscriptions')?.token).toBe('fresh')
    expect(screen.getByText('已订阅：接下来2期更新时都会通知你')).toBeTruthy()
  })

  it('取消, 不再询问 and failures tell the reader what happened and record nothing', async () => {
    signInAs('reader-token')
    render(<NotifyNext region={shanxi} />)
    await settle()

    sheetAnswer('reject')
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.rejected, icon: 'none', duration: 3000 })

    sheetAnswer('ban')
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.banned, icon: 'none', duration: 3000 })
    expect(NOTIFY_MESSAGES.banned).toContain('设置')

    // Every subscribe message of the mini-program turned off in WeChat's settings.
    requestSubscribeMessage.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail', errCode: 20004 })
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.banned, icon: 'none', duration: 3000 })

    requestSubscribeMessage.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail system error' })
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.failed, icon: 'none', duration: 3000 })
    expect(api.count('POST /api/subscriptions')).toBe(0)
  })

  it('a server refusal becomes a message in Chinese', async () => {
    signInAs('reader-token')
    api.route('POST /api/subscriptions', answers.error(409, 'TOO_MANY_OPT_INS'), answers.error(500, 'INTERNAL'))
    render(<NotifyNext region={shanxi} />)
    await settle()
    sheetAnswer('accept')
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.full, icon: 'none', duration: 3000 })
    sheetAnswer('accept')
    await tap()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: NOTIFY_MESSAGES.failed, icon: 'none', duration: 3000 })
  })

  it('is hidden when the server has no template', async () => {
    api.route('GET /api/subscriptions', answers.ok(state(0, false)))
    render(<NotifyNext region={shanxi} />)
    await settle()
    expect(screen.queryByRole('button', { name: '通知我下一期' })).toBeNull()
  })

  it('shows at the end of the article, and not in Moments’ single-page mode', async () => {
    api.route('GET /api/issues/32', answers.ok(issue()))
    ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
    const view = render(<ArticlePage />)
    await settle()
    expect(screen.getByRole('button', { name: '通知我下一期' })).toBeTruthy()
    view.unmount()

    process.env.TARO_ENV = 'weapp'
    ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1154 })
    render(<ArticlePage />)
    await settle()
    expect(screen.queryByRole('button', { name: '通知我下一期' })).toBeNull()
    expect(api.calls.filter((call) => call.path === '/api/subscriptions')).toHaveLength(1)
  })
})

describe('H5 stand-in for the subscribe sheet', () => {
  const fetchMock = jest.fn()
  beforeEach(() => {
    window.localStorage.clear()
    window.history.replaceState(null, '', '/?wxuser=alice')
    ;(globalThis as { fetch?: unknown }).fetch = fetchMock
  })

  it('允许 reports accept to the simulator’s phone side and resolves with its answer', async () => {
    const { requestSubscribe } = await import('@/services/wechat/index.h5')
    fetchMock.mockResolvedValueOnce({
      ok: true,
      status: 200,
      json: () => Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'accept' }),
    })
    const answer = requestSubscribe(TEMPLATE)
    const sheet = await screen.findByRole('dialog', { name: '订阅消息' })
    fireEvent.click(within(sheet).getByText('允许'))
    await expect(answer).resolves.toEqual({ outcome: 'accept', errMsg: 'requestSubscribeMessage:ok' })
    const [url, init] = fetchMock.mock.calls[0] as [string, { body: string }]
    expect(url).toBe('http://localhost:3100/__phone/subscribe')
    expect(JSON.parse(init.body)).toEqual({ user: 'alice', tmplIds: [TEMPLATE], action: 'accept' })
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
    expect(screen.queryByRole('dialog', { name: '订阅消息' })).toBeNull()
  })

  it('取消 reports reject; no simulator answer is a failure', async () => {
    const { requestSubscribe } = await import('@/services/wechat/index.h5')
    fetchMock.mockResolvedValueOnce({
      ok: true,
      status: 200,
      json: () => Promise.resolve({ errMsg: 'requestSubscribeMessage:ok', [TEMPLATE]: 'reject' }),
    })
    const rejected = requestSubscribe(TEMPLATE)
    fireEvent.click(within(await screen.findByRole('dialog', { name: '订阅消息' })).getByText('取消'))
    await expect(rejected).resolves.toMatchObject({ outcome: 'reject' })
    expect(JSON.parse((fetchMock.mock.calls[0] as [string, { body: string }])[1].body).action).toBe('reject')

    // The sheet goes away on the next turn of the event loop.
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)))
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const failed = requestSubscribe(TEMPLATE)
    fireEvent.click(within(await screen.findByRole('dialog', { name: '订阅消息' })).getByText('允许'))
    await expect(failed).resolves.toMatchObject({ outcome: 'fail' })
  })
})
