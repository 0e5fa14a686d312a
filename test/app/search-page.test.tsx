import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import SearchPage, { markTitle, SEARCH_DEBOUNCE_MS, SEARCH_HISTORY_KEY } from '@/subpackages/search/pages/index'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { summary } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

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
const titles = () => Array.from(document.querySelectorAll('.search-hit-title')).map((title) => title.textContent)

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
    type('城市 群')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('换个关键词试试')).toBeTruthy()
    type('山西')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('搜索失败')).toBeTruthy()
    fireEvent.click(screen.getByText('重试'))
    await wait(0)
    expect(titles()).toEqual(['VIP【山西·第5期】第5期标题'.replace(/^VIP/, hit(5).vip ? 'VIP' : '')])
    type('  ')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('搜索期刊')).toBeTruthy()
    expect(api.count('GET /api/search')).toBe(4)
  })

  it('explains queries of symbols or emoji alone without asking the server', async () => {
    render(<SearchPage />)
    for (const q of ['%', '，。', '😀😀', '#%']) {
      type(q)
      await wait(SEARCH_DEBOUNCE_MS + 20)
      expect(screen.getByText('请输入文字或数字')).toBeTruthy()
    }
    expect(api.count('GET /api/search')).toBe(0)
  })

  it('marks the query in titles too, and cuts a long paste to 50 characters, saying so', async () => {
    api.route('GET /api/search', answers.ok({ items: [hit(5)], nextCursor: null }))
    const { container } = render(<SearchPage />)
    type('山西')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    const titleMarks = container.querySelectorAll('.search-hit-title .search-hit-mark')
    expect(Array.from(titleMarks).map((mark) => mark.textContent)).toEqual(['山西'])

    type('城'.repeat(300))
    await wait(SEARCH_DEBOUNCE_MS + 20)
    expect(screen.getByText('关键词最多50个字，已截取前50个字')).toBeTruthy()
    expect(searched().at(-1)).toContain(`q=${'城'.repeat(50)}&`.replace(/&$/, ''))
    expect(searched().at(-1)).not.toContain('城'.repeat(51))
    expect(markTitle('中部城市群 City', 'city 城市')).toEqual([
      { text: '中部', hit: false },
      { text: '城市', hit: true },
      { text: '群 ', hit: false },
      { text: 'City', hit: true },
    ])
  })

  it('pull-down searches again for what is in the field', async () => {
    api.route(
      'GET /api/search',
      answers.ok({ items: [hit(5)], nextCursor: null }),
      answers.ok({ items: [hit(6)], nextCursor: null }),
    )
    render(<SearchPage />)
    type('山西')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    act(() => void fire('usePullDownRefresh'))
    await wait(0)
    expect(api.count('GET /api/search')).toBe(2)
    expect(titles()).toEqual([expect.stringContaining('第6期')])
    expect(Taro.stopPullDownRefresh).toHaveBeenCalled()
  })

  it('× clears the field, 取消 goes back', async () => {
    render(<SearchPage />)
    type('城市群')
    fireEvent.click(screen.getByText('×'))
    await wait(SEARCH_DEBOUNCE_MS + 20)
    // (The test double's input is uncontrolled; the page's own state shows the field is empty.)
    expect(screen.queryByText('×')).toBeNull()
    expect(screen.getByText('搜索期刊')).toBeTruthy()
    expect(api.count('GET /api/search')).toBe(0)
    fireEvent.click(screen.getByText('取消'))
    expect(Taro.navigateBack).toHaveBeenCalledTimes(1)
  })

  it('remembers what was searched for: 搜索历史, newest first, searchable again, and cleared', async () => {
    api.route('GET /api/search', answers.ok({ items: [hit(5)], nextCursor: null }))
    const first = render(<SearchPage />)
    type('山西')
    await wait(SEARCH_DEBOUNCE_MS + 20)
    fireEvent.click(document.querySelector('.search-hit')!)
    first.unmount()
    expect(storage.get(SEARCH_HISTORY_KEY)).toEqual(['山西'])

    storage.set(SEARCH_HISTORY_KEY, ['城市群', '山西'])
    render(<SearchPage />)
    expect(screen.getByText('搜索历史')).toBeTruthy()
    const before = api.count('GET /api/search')
    fireEvent.click(screen.getByText('山西'))
    await wait(0)
    expect(api.count('GET /api/search')).toBe(before + 1)
    expect(storage.get(SEARCH_HISTORY_KEY)).toEqual(['山西', '城市群'])
    fireEvent.click(screen.getByText('×'))
    await wait(0)
    fireEvent.click(screen.getByText('清除'))
    expect(screen.queryByText('搜索历史')).toBeNull()
    expect(storage.has(SEARCH_HISTORY_KEY)).toBe(false)
  })
})
