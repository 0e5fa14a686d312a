import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import { addFavorite, recordProgress } from '@/services/api'
import { getSession, resetSession, startSession } from '@/store/session'
import { resetTaroMock } from './mocks/taro'
import { denied, issue } from './fixtures'

/**
 * The console's "Preview as" on the weapp: a 小程序码 whose scene is a preview ticket opens the
 * article page. The page reads the ticket's issue with the ticket instead of the reader's token,
 * signs nobody in, writes nothing and says it is a preview.
 */
const request = Taro.request as jest.Mock
const ARTICLE = 'subpackages/article/pages/index'
// Issue 32 (base 36 "w"), guest / Moments, an expiry and a MAC of the server's shape.
const GUEST_TICKET = 'w.gt5x3k1.AbCdEfGhIjKlMnOp'
const MOMENTS_TICKET = 'w.mt5x3k1.AbCdEfGhIjKlMnOp'

type Options = { url: string; method?: string; header?: Record<string, string> }

async function openFromCode(ticket: string) {
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({
    scene: 1047,
    path: ARTICLE,
    query: { scene: encodeURIComponent(ticket) },
  })
  ;(useRouter as jest.Mock).mockReturnValue({ params: { scene: encodeURIComponent(ticket) }, path: `/${ARTICLE}` })
  startSession()
  const view = render(<ArticlePage />)
  await act(async () => undefined)
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  process.env.TARO_ENV = 'weapp'
  // A signed-in reader's token is in storage: a preview must never send it.
  ;(Taro.getStorageSync as jest.Mock).mockImplementation((key: string) => (key === 'token' ? 'reader-token' : ''))
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}])
  request.mockImplementation(() =>
    Object.assign(Promise.resolve({ statusCode: 200, data: issue({ access: denied('login_required') }) }), {
      abort: jest.fn(),
    }),
  )
})
afterEach(() => {
  delete (process.env as Record<string, string | undefined>).TARO_ENV
})

describe('a preview ticket opens the article', () => {
  it('reads its issue with the ticket, never the token, and signs nobody in', async () => {
    const { container } = await openFromCode(GUEST_TICKET)
    const calls = request.mock.calls.map(([options]: [Options]) => options)
    expect(calls.map((call) => `${call.method ?? 'GET'} ${new URL(call.url).pathname}`)).toEqual(['GET /api/issues/32'])
    expect(calls[0].header).toMatchObject({ 'x-preview-ticket': GUEST_TICKET })
    expect(calls[0].header).not.toHaveProperty('Authorization')
    expect(Taro.login).not.toHaveBeenCalled()
    expect(getSession().status).toBe('preview')
    expect(screen.getByText('预览模式 · 游客')).toBeTruthy()
    // One issue, nowhere else: no neighbours, no way home.
    expect(container.textContent).not.toContain('上一期')
    expect(container.textContent).not.toContain('下一期')
  })

  it('sends nothing else: every other call is refused before it goes out', async () => {
    await openFromCode(GUEST_TICKET)
    request.mockClear()
    await expect(addFavorite(32)).rejects.toMatchObject({ code: 'PREVIEW_TICKET_SCOPE' })
    await expect(recordProgress(32, 's1')).rejects.toMatchObject({ code: 'PREVIEW_TICKET_SCOPE' })
    expect(request).not.toHaveBeenCalled()
  })

  it('shows the paywall as readers see it, but its button buys nothing', async () => {
    await openFromCode(GUEST_TICKET)
    expect(screen.getByText('抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~')).toBeTruthy()
    fireEvent.click(screen.getByText('开通VIP会员'))
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '预览模式，不能开通', icon: 'none' })
  })

  it('previews Moments single-page mode as WeChat shows it', async () => {
    const { container } = await openFromCode(MOMENTS_TICKET)
    expect(screen.getByText('预览模式 · 朋友圈单页')).toBeTruthy()
    expect(container.textContent).toContain('当前为预览内容，请前往小程序使用完整服务')
    expect(container.textContent).toContain('请前往小程序使用完整服务')
    expect(screen.queryByText('开通VIP会员')).toBeNull()
  })

  it('is no preview without a ticket of the right shape', async () => {
    await openFromCode('w.xt5x3k1.AbCdEfGhIjKlMnOp')
    expect(screen.queryByText(/预览模式/)).toBeNull()
  })
})

describe("on H5 (the console's frame)", () => {
  it('reads the ticket from the page address once, and sends it instead of the token', async () => {
    process.env.TARO_ENV = 'h5'
    window.history.replaceState(null, '', `/#/${ARTICLE}?id=32&preview=${GUEST_TICKET}&as=guest`)
    try {
      // A fresh app: the ticket is read when the first call goes out.
      await jest.isolateModulesAsync(async () => {
        const taro = (await import('@tarojs/taro')).default
        const { getIssue } = await import('@/services/api')
        const fresh = taro.request as jest.Mock
        ;(taro.getStorageSync as jest.Mock).mockImplementation((key: string) => (key === 'token' ? 'reader-token' : ''))
        fresh.mockImplementation(() =>
          Object.assign(Promise.resolve({ statusCode: 200, data: issue() }), { abort: jest.fn() }),
        )
        await getIssue(32)
        // Even after the frame moved elsewhere, this visit stays the preview.
        window.history.replaceState(null, '', '/#/pages/index/index')
        await expect(getIssue(33)).rejects.toMatchObject({ code: 'PREVIEW_TICKET_SCOPE' })
        expect(fresh).toHaveBeenCalledTimes(1)
        const [options] = fresh.mock.calls[0] as [Options]
        expect(options.header).toMatchObject({ 'x-preview-ticket': GUEST_TICKET })
        expect(options.header).not.toHaveProperty('Authorization')
      })
    } finally {
      window.history.replaceState(null, '', '/')
    }
  })
})
