import { act, render } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import { resetShareCode } from '@/subpackages/article/useShare'
import { resetSession, setMe } from '@/store/session'
import { fire, resetTaroMock } from './mocks/taro'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { issue, me } from './fixtures'

const CODE = 'k3mnp8qrstuv'
const CARD = 'http://localhost:3000/api/issues/32/share-card.png'
const SQUARE_CARD = `${CARD}?shape=moments`

let api: FakeApi
const reports = () => api.calls.filter((call) => call.method === 'POST' && call.path === '/api/share-opens')

async function open(params: Record<string, string> = { id: '32' }) {
  ;(useRouter as jest.Mock).mockReturnValue({ params, path: '/subpackages/article/pages/index' })
  const view = render(<ArticlePage />)
  await act(async () => undefined)
  await act(async () => undefined)
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetShareCode()
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}])
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1007 })
  api = fakeApi()
  api.route('GET /api/issues/32', answers.ok(issue()))
  api.route('GET /api/favorites/32', answers.ok({ issueId: 32, favorited: false, favoritedAt: null }))
  api.route('GET /api/history/32', answers.noContent())
  api.route('GET /api/settings', answers.ok({ fontSize: 'medium', theme: 'system' }))
  api.route('GET /api/share-code', answers.ok({ code: CODE }))
  api.route('POST /api/share-opens', answers.noContent())
})

describe('article page: sharing', () => {
  it('a signed-in reader shares with the card (square for Moments) and their code in the path and the query', async () => {
    Taro.setStorageSync('token', 'reader-token')
    act(() => setMe(me()))
    await open()
    expect(fire('useShareAppMessage')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      path: `/subpackages/article/pages/index?id=32&sharer=${CODE}`,
      imageUrl: CARD,
    })
    expect(fire('useShareTimeline')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      query: `id=32&sharer=${CODE}`,
      imageUrl: SQUARE_CARD,
    })
  })

  it('asks for the code once per session, however many articles are opened', async () => {
    Taro.setStorageSync('token', 'reader-token')
    act(() => setMe(me()))
    const first = await open()
    first.unmount()
    await open()
    expect(api.count('GET /api/share-code')).toBe(1)
  })

  it('a signed-out reader shares the card without a sharer', async () => {
    await open()
    expect(api.count('GET /api/share-code')).toBe(0)
    expect(fire('useShareAppMessage')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      path: '/subpackages/article/pages/index?id=32',
      imageUrl: CARD,
    })
    expect(fire('useShareTimeline')).toEqual({
      title: '【山西·第32期】中部城市群高质量发展',
      query: 'id=32',
      imageUrl: SQUARE_CARD,
    })
  })

  it('shares go out without a sharer when the code cannot be had', async () => {
    api.route('GET /api/share-code', answers.error(500, 'INTERNAL'))
    Taro.setStorageSync('token', 'reader-token')
    act(() => setMe(me()))
    await open()
    expect((fire('useShareAppMessage') as { path: string }).path).toBe('/subpackages/article/pages/index?id=32')
  })
})

describe('article page: opened from a share', () => {
  it('reports the open once, with the sharer and the scene, anonymously', async () => {
    const view = await open({ id: '32', sharer: 'abcdefghijkm' })
    view.rerender(<ArticlePage />)
    await act(async () => undefined)
    expect(reports()).toHaveLength(1)
    expect(reports()[0].data).toEqual({ issueId: 32, sharer: 'abcdefghijkm', scene: 1007 })
    expect(reports()[0].token).toBe('')
  })

  it('sends the token of a signed-in reader', async () => {
    Taro.setStorageSync('token', 'reader-token')
    act(() => setMe(me()))
    await open({ id: '32', sharer: 'abcdefghijkm' })
    expect(reports()).toHaveLength(1)
    expect(reports()[0].token).toBe('reader-token')
  })

  it('reports nothing without a sharer, or with one that is not a share code', async () => {
    await open()
    await open({ id: '32', sharer: 'not a code!' })
    expect(reports()).toHaveLength(0)
  })

  it('a failed report leaves the article readable', async () => {
    api.route('POST /api/share-opens', answers.error(429, 'RATE_LIMITED'))
    const view = await open({ id: '32', sharer: 'abcdefghijkm' })
    expect(view.getAllByText(/中部城市群高质量发展/).length).toBeGreaterThan(0)
  })
})
