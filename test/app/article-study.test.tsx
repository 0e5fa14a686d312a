import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import { onProgressAnnounced } from '@/services/api'
import { PROGRESS_INTERVAL_MS } from '@/subpackages/article/useStudy'
import { resetSession, setMe } from '@/store/session'
import { fire, intersect, intersectionObserver, resetTaroMock } from './mocks/taro'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { issue, me } from './fixtures'

let api: FakeApi
const historyWrites = () => api.calls.filter((call) => call.method === 'PUT' && call.path === '/api/history/32')

async function open() {
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
  const view = render(<ArticlePage />)
  await act(async () => undefined)
  await act(async () => undefined)
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  jest.useRealTimers()
  resetTaroMock()
  resetSession()
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}, {}])
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
  api.route('GET /api/issues/32', answers.ok(issue()))
  api.route('GET /api/favorites/32', answers.ok({ issueId: 32, favorited: false, favoritedAt: null }))
  api.route(
    'PUT /api/favorites/32',
    answers.ok({ issueId: 32, favorited: true, favoritedAt: '2026-01-01T00:00:00.000Z' }),
  )
  api.route('DELETE /api/favorites/32', answers.noContent())
  api.route('GET /api/history/32', answers.noContent())
  api.route('PUT /api/history/32', answers.ok(progress()))
})

describe('article page: 收藏', () => {
  it('a signed-in reader favorites and unfavorites the issue', async () => {
    act(() => setMe(me()))
    await open()
    fireEvent.click(screen.getByText('☆ 收藏'))
    await act(async () => undefined)
    expect(api.count('PUT /api/favorites/32')).toBe(1)
    expect(screen.getByText('★ 已收藏')).toBeTruthy()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '已收藏', icon: 'none' })
    fireEvent.click(screen.getByText('★ 已收藏'))
    await act(async () => undefined)
    expect(api.count('DELETE /api/favorites/32')).toBe(1)
    expect(screen.getByText('☆ 收藏')).toBeTruthy()
  })

  it('shows the saved state and turns back when the server refuses', async () => {
    api.route(
      'GET /api/favorites/32',
      answers.ok({ issueId: 32, favorited: true, favoritedAt: '2026-01-01T00:00:00.000Z' }),
    )
    api.route('DELETE /api/favorites/32', answers.error(500, 'INTERNAL'))
    act(() => setMe(me()))
    await open()
    fireEvent.click(screen.getByText('★ 已收藏'))
    await act(async () => undefined)
    expect(screen.getByText('★ 已收藏')).toBeTruthy()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '操作失败，请稍后重试', icon: 'none' })
  })

  it('a reader who is not signed in sees no 收藏 button and sends no study request', async () => {
    await open()
    expect(screen.queryByText('☆ 收藏')).toBeNull()
    // 通知我下一期 asks for its template and 关注公众号 for the contacts whoever reads; not study requests.
    const asked = api.calls.map((call) => `${call.method} ${call.path}`)
    const others = ['GET /api/subscriptions', 'GET /api/contacts']
    expect(asked.filter((key) => !others.includes(key))).toEqual(['GET /api/issues/32'])
  })
})

const progress = (overrides: Record<string, unknown> = {}) => ({
  sectionId: 's2',
  block: 2,
  percent: 42,
  atPaywall: false,
  readAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
})

describe('article page: the resume bar', () => {
  it('offers where the reader stopped, with the paragraph’s first words and the percent, without jumping', async () => {
    api.route('GET /api/history/32', answers.ok(progress()))
    act(() => setMe(me()))
    await open()
    expect(screen.getByText('上次读到「一是加强战略谋划。要抓住构建新发…」 · 42%')).toBeTruthy()
    expect(Taro.pageScrollTo).not.toHaveBeenCalled()
  })

  it('继续阅读 scrolls to that paragraph and closes the bar', async () => {
    api.route('GET /api/history/32', answers.ok(progress()))
    act(() => setMe(me()))
    await open()
    fireEvent.click(screen.getByText('继续阅读'))
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ selector: '#blk-2', duration: 300 })
    expect(screen.queryByText(/上次读到/)).toBeNull()
  })

  it('从头读 closes the bar and stays at the top', async () => {
    api.route('GET /api/history/32', answers.ok(progress()))
    act(() => setMe(me()))
    await open()
    fireEvent.click(screen.getByText('从头读'))
    expect(screen.queryByText(/上次读到/)).toBeNull()
    expect(Taro.pageScrollTo).not.toHaveBeenCalled()
  })

  it('a place clamped to the paywall names the last free paragraph and 继续阅读 goes to the paywall', async () => {
    api.route('GET /api/history/32', answers.ok(progress({ block: 3, percent: 30, atPaywall: true })))
    act(() => setMe(me()))
    const { container } = await open()
    expect(screen.getByText(/上次读到「构建山西中部城市群一体化发展新格…」 · 30%/)).toBeTruthy()
    fireEvent.click(screen.getByText('继续阅读'))
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ selector: '#paywall', duration: 300 })
    expect(container.querySelector('#paywall')).not.toBeNull()
  })

  it('never names a paragraph this reader did not receive (no bar), nor the very start', async () => {
    api.route('GET /api/history/32', answers.ok(progress({ sectionId: 's3', block: 9 })))
    act(() => setMe(me()))
    await open()
    expect(screen.queryByText(/上次读到/)).toBeNull()
    api.route('GET /api/history/32', answers.ok(progress({ sectionId: 's1', block: 0, percent: 3 })))
    await open()
    expect(screen.queryByText(/上次读到/)).toBeNull()
  })

  it('a place recorded before paragraphs were (a section only) shows the section and goes there', async () => {
    api.route('GET /api/history/32', answers.ok(progress({ block: null, percent: null })))
    act(() => setMe(me()))
    await open()
    expect(screen.getByText('上次读到「二、深度解读」')).toBeTruthy()
    fireEvent.click(screen.getByText('继续阅读'))
    expect(Taro.pageScrollTo).toHaveBeenCalledWith({ selector: '#sec-s2', duration: 300 })
  })

  it('records nothing while the bar waits; reading on a screen down answers it', async () => {
    api.route('GET /api/history/32', answers.ok(progress()))
    act(() => setMe(me()))
    ;(Taro.getSystemInfoSync as jest.Mock).mockReturnValue({ platform: 'android', windowHeight: 600 })
    await open()
    act(() => intersect('blk-0'))
    await act(async () => void fire('useDidHide'))
    expect(historyWrites()).toHaveLength(0)
    act(() => void fire('usePageScroll', { scrollTop: 700 }))
    expect(screen.queryByText(/上次读到/)).toBeNull()
    act(() => intersect('blk-3'))
    await act(async () => void fire('useDidHide'))
    expect(historyWrites().map((call) => call.data)).toEqual([{ sectionId: 's2', block: 3 }])
  })
})

describe('article page: reading history', () => {
  it('announces the progress once the server has it (往期导航 marks the issue 已读), not when it refused', async () => {
    const announced: [number, string][] = []
    const stop = onProgressAnnounced((issueId, sectionId) => void announced.push([issueId, sectionId]))
    act(() => setMe(me()))
    await open()
    act(() => intersect('blk-0'))
    await act(async () => void fire('useDidHide'))
    expect(announced).toEqual([[32, 's1']])
    api.route('PUT /api/history/32', answers.error(500, 'INTERNAL'))
    act(() => intersect('blk-1'))
    await act(async () => void fire('useDidHide'))
    expect(historyWrites()).toHaveLength(2)
    expect(announced).toEqual([[32, 's1']])
    stop()
  })

  it('when two blocks share the upper part of the screen, the later one is reached, whatever the order', async () => {
    act(() => setMe(me()))
    jest.useFakeTimers()
    await open()
    // H5 reports each observer on its own, in no set order: the end of one paragraph and the start of the next.
    act(() => intersect('blk-2'))
    act(() => intersect('blk-1'))
    await act(async () => void jest.advanceTimersByTime(PROGRESS_INTERVAL_MS))
    expect(historyWrites().map((call) => call.data)).toEqual([{ sectionId: 's2', block: 2 }])
    jest.useRealTimers()
  })

  it('records the block reached while scrolling, at most once per interval, and when the page hides', async () => {
    act(() => setMe(me()))
    jest.useFakeTimers()
    await open()
    // Every block on the page, and only those: the cut issue has no VIP block to observe.
    for (const id of ['#blk-0', '#blk-1', '#blk-2', '#blk-3']) {
      expect(intersectionObserver.observe).toHaveBeenCalledWith(id, expect.any(Function))
    }
    expect(intersectionObserver.observe).toHaveBeenCalledTimes(4)
    act(() => intersect('blk-0'))
    act(() => intersect('blk-1'))
    expect(historyWrites()).toHaveLength(0)
    await act(async () => void jest.advanceTimersByTime(PROGRESS_INTERVAL_MS))
    const sent = historyWrites()
    expect(sent).toHaveLength(1)
    expect(sent[0].data).toEqual({ sectionId: 's2', block: 1 })
    // Back up: the star heading leaves the upper part of the screen. Leaving the page sends what was reached since, at once.
    act(() => intersect('blk-1', 0))
    await act(async () => void fire('useDidHide'))
    expect(historyWrites().map((call) => call.data)).toEqual([
      { sectionId: 's2', block: 1 },
      { sectionId: 's1', block: 0 },
    ])
    // Nothing new: nothing sent.
    await act(async () => void fire('useUnload'))
    expect(historyWrites()).toHaveLength(2)
    jest.useRealTimers()
  })
})

describe('article page: 收藏 from the capsule menu (onAddToFavorites)', () => {
  it('gives the free title, the issue’s query and the square share card, signed in or not', async () => {
    await open()
    expect(fire('useAddToFavorites', { webViewUrl: '' })).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      query: 'id=32',
      imageUrl: expect.stringMatching(/\/api\/issues\/32\/share-card\.png\?shape=moments$/),
    })
  })

  it('before the issue loads, the brand title and still the issue’s query', async () => {
    api.route('GET /api/issues/32', answers.error(500, 'INTERNAL'))
    await open()
    expect(fire('useAddToFavorites', { webViewUrl: '' })).toMatchObject({ title: '北辰遴选·热点精讲', query: 'id=32' })
  })
})
