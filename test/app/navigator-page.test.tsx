import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import { takeFeedFilter } from '@/hooks/useIssueFeed'
import ArticlePage from '@/subpackages/article/pages/index'
import NavigatorPage, { NAVIGATOR_PAGE_SIZE } from '@/subpackages/navigator/pages/index'
import { announceProgress, type NavigatorIssue } from '@/services/api'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { issue } from './fixtures'
import { fire, resetTaroMock } from './mocks/taro'

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
let api: FakeApi

const regions = {
  items: [
    { code: 'beijing', name: '北京', issueCount: 0, latestNumber: null },
    { code: 'shanxi', name: '山西', issueCount: 3, latestNumber: 33 },
    { code: 'jiangsu', name: '江苏', issueCount: 1, latestNumber: 7 },
  ],
}
const cell = (number: number, overrides: Partial<NavigatorIssue> = {}): NavigatorIssue => ({
  id: number + 100,
  number,
  title: `第${number}期的标题`,
  date: '2022-04-26',
  vip: number % 5 !== 0,
  readState: 'unread',
  lastSectionId: null,
  ...overrides,
})
const shanxi = (items: NavigatorIssue[], nextCursor: string | null = null) => ({
  region: { code: 'shanxi', name: '山西' },
  items,
  nextCursor,
})
const cellOf = (number: number) => screen.getByText(`第${number}期`).closest('.nav-cell') as HTMLElement
const offline = () =>
  (Taro.request as jest.Mock).mockImplementationOnce(() =>
    Object.assign(Promise.reject({ errMsg: 'request:fail' }), { abort: jest.fn() }),
  )

async function open(params: Record<string, string> = {}) {
  ;(useRouter as jest.Mock).mockReturnValue({ params, path: '/subpackages/navigator/pages/index' })
  const view = render(<NavigatorPage />)
  await settle()
  return view
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  api = fakeApi()
  api.route('GET /api/navigator', answers.ok(regions))
})

describe('往期导航', () => {
  it('首页 has an entry that opens the navigator', async () => {
    render(<IssueListPage />)
    await settle()
    fireEvent.click(screen.getByText('往期导航 · 按期浏览 ›'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/navigator/pages/index' })
  })

  it('the article’s region crumb opens the home list of that region, not 往期导航', async () => {
    api.route('GET /api/issues/32', answers.ok(issue()))
    ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
    const { container } = render(<ArticlePage />)
    await settle()
    expect(container.textContent).toContain('首页 › 遴选网 › 省市遴选 › 热点精讲 › 山西')
    fireEvent.click(screen.getByText('山西'))
    expect(Taro.switchTab).toHaveBeenCalledWith({ url: '/pages/index/index' })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
    expect(takeFeedFilter()).toEqual({ region: 'shanxi', column: 'redian', columnName: '热点精讲' })
  })

  it('lists the regions that have issues with their count and latest number; a region opens its grid', async () => {
    api.route(
      'GET /api/navigator/shanxi',
      answers.ok(shanxi([cell(31), cell(32, { readState: 'read', lastSectionId: 's2' }), cell(35)])),
    )
    const { container } = await open()
    expect(container.textContent).toContain('共3期 · 最新第33期')
    expect(container.textContent).toContain('共1期 · 最新第7期')
    // A region without issues has neither a card nor a chip.
    expect(screen.queryByText('北京')).toBeNull()
    expect(api.count('GET /api/navigator/shanxi')).toBe(0)

    fireEvent.click(screen.getByText('共3期 · 最新第33期'))
    await settle()
    expect((Taro.request as jest.Mock).mock.calls.at(-1)[0].url).toContain(
      `/api/navigator/shanxi?limit=${NAVIGATOR_PAGE_SIZE}`,
    )
    expect(cellOf(31).textContent).toContain('VIP')
    expect(cellOf(31).textContent).toContain('未读')
    expect(cellOf(32).textContent).toContain('已读')
    expect(cellOf(32).className).toContain('nav-cell-read')
    expect(cellOf(35).textContent).not.toContain('VIP')
    expect(container.textContent).toContain('已经到底了')

    fireEvent.click(cellOf(32))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=132' })
  })

  it('opens on the region it was given; an anonymous reader sees no read marks', async () => {
    api.route('GET /api/navigator/shanxi', answers.ok(shanxi([cell(31, { readState: null })])))
    const { container } = await open({ region: 'shanxi' })
    expect(cellOf(31).textContent).toContain('VIP')
    expect(container.textContent).not.toContain('未读')
    expect(container.textContent).not.toContain('已读')
  })

  it('shows 已读 when the page shows again after the issue was read', async () => {
    api.route(
      'GET /api/navigator/shanxi',
      answers.ok(shanxi([cell(31)])),
      answers.ok(shanxi([cell(31, { readState: 'read', lastSectionId: 's1' })])),
    )
    await open({ region: 'shanxi' })
    fire('useDidShow')
    expect(cellOf(31).textContent).toContain('未读')
    fire('useDidShow')
    await settle()
    expect(api.count('GET /api/navigator/shanxi')).toBe(2)
    expect(cellOf(31).textContent).toContain('已读')
  })

  it('an issue read meanwhile shows 已读 even when the reload on show raced the progress write', async () => {
    // The reload answers from before the write: 第31期 still unread there.
    api.route('GET /api/navigator/shanxi', answers.ok(shanxi([cell(31), cell(32)])))
    await open({ region: 'shanxi' })
    act(() => announceProgress(131, 's1'))
    expect(cellOf(31).textContent).toContain('已读')
    fire('useDidShow')
    fire('useDidShow')
    await settle()
    expect(api.count('GET /api/navigator/shanxi')).toBe(2)
    expect(cellOf(31).textContent).toContain('已读')
    expect(cellOf(32).textContent).toContain('未读')
  })

  it('an anonymous grid gets no read mark from announced progress', async () => {
    api.route('GET /api/navigator/shanxi', answers.ok(shanxi([cell(31, { readState: null })])))
    await open({ region: 'shanxi' })
    act(() => announceProgress(131, 's1'))
    expect(cellOf(31).textContent).not.toContain('已读')
  })

  it('loads more at the bottom', async () => {
    api.route(
      'GET /api/navigator/shanxi',
      answers.ok(shanxi([cell(1), cell(2)], 'c1')),
      answers.ok(shanxi([cell(3)], null)),
    )
    const { container } = await open({ region: 'shanxi' })
    expect(container.textContent).toContain('上拉加载更多')
    act(() => void fire('useReachBottom'))
    await settle()
    expect((Taro.request as jest.Mock).mock.calls.at(-1)[0].url).toContain('cursor=c1')
    expect(cellOf(3)).toBeTruthy()
    expect(cellOf(1)).toBeTruthy()
    expect(container.textContent).toContain('已经到底了')
  })

  it('loading, empty, error and offline states', async () => {
    api.route('GET /api/navigator/jiangsu', answers.ok({ ...shanxi([]), region: { code: 'jiangsu', name: '江苏' } }))
    api.route('GET /api/navigator/shanxi', answers.error(500, 'INTERNAL'), answers.ok(shanxi([cell(31)])))
    ;(useRouter as jest.Mock).mockReturnValue({ params: { region: 'shanxi' }, path: '' })
    const { container } = render(<NavigatorPage />)
    expect(container.querySelector('[aria-busy="true"]')).toBeTruthy()
    await settle()
    expect(screen.getByText('加载失败')).toBeTruthy()
    fireEvent.click(screen.getByText('重新加载'))
    await settle()
    expect(cellOf(31)).toBeTruthy()

    fireEvent.click(screen.getByText('江苏'))
    await settle()
    expect(screen.getByText('本地区暂无期刊')).toBeTruthy()

    offline()
    fireEvent.click(screen.getByText('山西'))
    await settle()
    expect(screen.getByText('网络连接失败，请检查网络后重试')).toBeTruthy()
    expect(container.querySelector('.state-offline')).toBeTruthy()
  })

  it('no region has issues yet: an empty state', async () => {
    api.route('GET /api/navigator', answers.ok({ items: [regions.items[0]] }))
    await open()
    expect(screen.getByText('暂无期刊')).toBeTruthy()
  })
})
