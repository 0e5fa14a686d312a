import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import FavoritesPage from '@/subpackages/study/pages/favorites'
import HistoryPage from '@/subpackages/study/pages/history'
import MePage from '@/pages/me/index'
import { resetPrivacy } from '@/services/privacy'
import { resetSession, setMe, startSession } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me, summary } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
let api: FakeApi

const favorite = (id: number) => ({ ...summary(id), favoritedAt: '2026-01-01T02:03:00.000Z' })
const read = (id: number, sectionId = 's2') => ({ ...summary(id), sectionId, readAt: '2026-01-02T02:03:00.000Z' })

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetPrivacy()
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
  storage.set('token', 'tok')
  act(() => setMe(me()))
})

describe('我的收藏', () => {
  it('lists the favorites with when they were saved, opens one, and loads more at the bottom', async () => {
    api.route(
      'GET /api/favorites',
      answers.ok({ items: [favorite(3), favorite(2)], nextCursor: 'c1' }),
      answers.ok({ items: [favorite(1)], nextCursor: null }),
    )
    const { container } = render(<FavoritesPage />)
    await settle()
    expect(screen.getByText('第3期标题')).toBeTruthy()
    expect(container.textContent).toContain('收藏于 2026-01-01 10:03')
    expect(container.textContent).toContain('上拉加载更多')
    fireEvent.click(screen.getByText('第3期标题'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=3' })

    act(() => void fire('useReachBottom'))
    await settle()
    expect(api.calls.filter((call) => call.path === '/api/favorites')).toHaveLength(2)
    expect((Taro.request as jest.Mock).mock.calls[1][0].url).toContain('cursor=c1')
    expect(screen.getByText('第1期标题')).toBeTruthy()
    expect(container.textContent).toContain('已经到底了')
  })

  it('an empty list says how to favorite; a failure offers to reload', async () => {
    api.route('GET /api/favorites', answers.error(500, 'INTERNAL'), answers.ok({ items: [], nextCursor: null }))
    render(<FavoritesPage />)
    await settle()
    expect(screen.getByText('加载失败')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    await settle()
    expect(screen.getByText('暂无收藏')).toBeTruthy()
  })

  it('signed out: asks to sign in and asks the server nothing', async () => {
    resetSession()
    storage.delete('token')
    storage.set('signedOut', '1')
    startSession()
    render(<FavoritesPage />)
    await settle()
    expect(screen.getByText('登录后查看')).toBeTruthy()
    expect(api.count('GET /api/favorites')).toBe(0)
  })
})

describe('阅读记录', () => {
  it('lists what was read and clears it after confirming', async () => {
    api.route(
      'GET /api/history',
      answers.ok({ items: [read(5)], nextCursor: null }),
      answers.ok({ items: [], nextCursor: null }),
    )
    api.route('DELETE /api/history', answers.noContent())
    const { container } = render(<HistoryPage />)
    await settle()
    expect(container.textContent).toContain('上次阅读 2026-01-02 10:03')
    fireEvent.click(screen.getByText('清空'))
    await settle()
    expect(Taro.showModal).toHaveBeenCalled()
    expect(api.count('DELETE /api/history')).toBe(1)
    expect(screen.getByText('暂无阅读记录')).toBeTruthy()
  })

  it('shown again after reading: loads the list again quietly', async () => {
    api.route('GET /api/history', answers.ok({ items: [read(5)], nextCursor: null }))
    render(<HistoryPage />)
    await settle()
    act(() => void fire('useDidShow'))
    act(() => void fire('useDidShow'))
    await settle()
    expect(api.count('GET /api/history')).toBe(2)
  })
})

describe('我的 → 我的收藏 / 阅读记录', () => {
  it('links to both pages', async () => {
    api.route('GET /api/me', answers.ok(me()))
    startSession()
    render(<MePage />)
    await settle()
    fireEvent.click(screen.getByText('我的收藏'))
    fireEvent.click(screen.getByText('阅读记录'))
    expect((Taro.navigateTo as jest.Mock).mock.calls.map(([options]) => options.url)).toEqual([
      '/subpackages/study/pages/favorites',
      '/subpackages/study/pages/history',
    ])
  })
})
