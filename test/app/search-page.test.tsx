import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import SearchPage, { SEARCH_DEBOUNCE_MS } from '@/subpackages/search/pages/index'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { summary } from './fixtures'
import { fire, resetTaroMock } from './mocks/taro'

const wait = (ms: number) => act(async () => new Promise((resolve) => setTimeout(resolve, ms)))
let api: FakeApi

const hit = (id: number) => ({
  ...summary(id),
  snippet: [
    { text: '…推进中部', hit: false },
    { text: '城市群', hit: true },
    { text: '高质量发展…', hit: false },
  ],
})
const type = (value: string) => fireEvent.change(document.querySelector('input')!, { target: { value } })
const searched = () => (Taro.request as jest.Mock).mock.calls.map((call) => decodeURIComponent(call[0].url as string))

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  api = fakeApi()
})

describe('搜索', () => {
  it('首页 has a search bar that opens the search page', async () => {
    render(<IssueListPage />)
    await wait(0)
    fireEvent.click(screen.getByText('搜索期刊、热点关键词'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/search/pages/index' })
  })

  it('searches once typing pauses, marks the matches as text, opens a hit and loads more', async () => {
    api.route(
      'GET /api/search',
      answers.ok({ items: [hit(3), hit(2)], nextCursor: 'c1' }),
      answers.ok({ items: [hit(1)], nextCursor: null }),
    )
    const { container } = render(<SearchPage />)
    expect(screen.getByText('搜索期刊')).toBeTruthy()
    type('城')
    type('城市')
    type('城市群')
    await wait(SEARCH_DEBOUNCE_MS / 2)
    expect(api.count('GET /api/search')).toBe(0)
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(api.count('GET /api/search')).toBe(1)
    expect(searched()[0]).toContain('q=城市群')
    expect(screen.getByText('【山西·第3期】第3期标题')).toBeTruthy()
    const marks = container.querySelectorAll('.search-hit-mark')
    expect(Array.from(marks).map((mark) => mark.textContent)).toEqual(['城市群', '城市群'])
    expect(container.innerHTML).not.toContain('<em')

    fireEvent.click(screen.getByText('【山西·第3期】第3期标题'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=3' })

    act(() => void fire('useReachBottom'))
    await wait(0)
    expect(searched()[1]).toContain('cursor=c1')
    expect(screen.getByText('【山西·第1期】第1期标题')).toBeTruthy()
    expect(container.textContent).toContain('已经到底了')
  })

  it('no result, an invalid query and a failure each say so; clearing goes back to the start', async () => {
    api.route(
      'GET /api/search',
      answers.ok({ items: [], nextCursor: null }),
      answers.error(400, 'INVALID_QUERY'),
      answers.error(500, 'INTERNAL'),
      answers.ok({ items: [hit(5)], nextCursor: null }),
    )
    render(<SearchPage />)
    type('量子纠缠')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('没有找到相关内容')).toBeTruthy()
    type('，。')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('换个关键词试试')).toBeTruthy()
    type('山西')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('搜索失败')).toBeTruthy()
    fireEvent.click(screen.getByText('重试'))
    await wait(0)
    expect(screen.getByText('【山西·第5期】第5期标题')).toBeTruthy()
    type('  ')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('搜索期刊')).toBeTruthy()
    expect(api.count('GET /api/search')).toBe(4)
  })
})
