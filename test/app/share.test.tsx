import { act, render } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import { resetShareCode } from '@/subpackages/article/useShare'
import { resetSession, setMe } from '@/store/session'
import { fire, resetTaroMock } from './mocks/taro'
import { issue, me } from './fixtures'

const request = Taro.request as jest.Mock
const CODE = 'k3mnp8qrstuv'
const CARD = 'http://localhost:3000/api/issues/32/share-card.png'
const SQUARE_CARD = `${CARD}?shape=moments`

type Answer = { statusCode: number; data: unknown }
let routes: Record<string, Answer>

function serve() {
  request.mockImplementation((options: { url: string; method: string }) => {
    const path = options.url.replace('http://localhost:3000', '')
    const found = routes[`${options.method} ${path}`] ?? {
      statusCode: 404,
      data: { error: { code: 'NOT_FOUND', message: 'no' } },
    }
    return Object.assign(Promise.resolve({ ...found, header: {} }), { abort: jest.fn() })
  })
}
type Call = { url: string; method: string; data?: unknown; header?: Record<string, string> }
const calls = (method: string, path: string): Call[] =>
  request.mock.calls.map(([options]: [Call]) => options).filter((o) => o.method === method && o.url.endsWith(path))

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
  routes = {
    'GET /api/issues/32': { statusCode: 200, data: issue() },
    'GET /api/favorites/32': { statusCode: 200, data: { issueId: 32, favorited: false, favoritedAt: null } },
    'GET /api/history/32': { statusCode: 404, data: { error: { code: 'NOT_READ', message: 'not read' } } },
    'GET /api/settings': { statusCode: 200, data: { fontSize: 'medium', theme: 'system' } },
    'GET /api/share-code': { statusCode: 200, data: { code: CODE } },
    'POST /api/share-opens': { statusCode: 204, data: '' },
  }
  serve()
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
    expect(calls('GET', '/api/share-code')).toHaveLength(1)
  })

  it('a signed-out reader shares the card without a sharer', async () => {
    await open()
    expect(calls('GET', '/api/share-code')).toHaveLength(0)
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
    routes['GET /api/share-code'] = { statusCode: 500, data: { error: { code: 'INTERNAL', message: 'x' } } }
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
    const reports = calls('POST', '/api/share-opens')
    expect(reports).toHaveLength(1)
    expect(reports[0].data).toEqual({ issueId: 32, sharer: 'abcdefghijkm', scene: 1007 })
    expect(reports[0].header?.Authorization).toBeUndefined()
  })

  it('sends the token of a signed-in reader', async () => {
    Taro.setStorageSync('token', 'reader-token')
    act(() => setMe(me()))
    await open({ id: '32', sharer: 'abcdefghijkm' })
    const reports = calls('POST', '/api/share-opens')
    expect(reports).toHaveLength(1)
    expect(reports[0].header?.Authorization).toBe('Bearer reader-token')
  })

  it('reports nothing without a sharer, or with one that is not a share code', async () => {
    await open()
    await open({ id: '32', sharer: 'not a code!' })
    expect(calls('POST', '/api/share-opens')).toHaveLength(0)
  })

  it('a failed report leaves the article readable', async () => {
    routes['POST /api/share-opens'] = { statusCode: 429, data: { error: { code: 'RATE_LIMITED', message: 'x' } } }
    const view = await open({ id: '32', sharer: 'abcdefghijkm' })
    expect(view.getAllByText(/中部城市群高质量发展/).length).toBeGreaterThan(0)
  })
})
