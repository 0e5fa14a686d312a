import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import IssueListPage from '@/pages/index/index'
import HistoryPage from '@/subpackages/study/pages/history'
import SettingsPage from '@/subpackages/study/pages/settings'
import { readLabel } from '@/components/IssueCard'
import { requestFeedFilter, takeFeedFilter } from '@/hooks/useIssueFeed'
import { resetReaderSettings } from '@/store/readerSettings'
import { resetSession, setMe } from '@/store/session'
import { fire, resetTaroMock } from './mocks/taro'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { blocks, issue, me, summary } from './fixtures'

/**
 * The article as a reader moves around it: crumbs to the lists they name, 上一期 / 下一期 on the page
 * stack, 分享 and the poster, pull-down refresh, 参考作答 remembered; and the progress on the lists.
 */
let api: FakeApi
const withAnswer = issue({
  access: { granted: true, reason: 'member' },
  sections: [
    { id: 's1', heading: '一、背景链接', blocks: [blocks.paragraph] },
    { id: 's3', heading: '三、实战应用', blocks: [blocks.question, blocks.answer] },
  ],
})

async function settle() {
  await act(async () => undefined)
  await act(async () => undefined)
}

async function openArticle() {
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
  const view = render(<ArticlePage />)
  await settle()
  return view
}

const extra = Taro as unknown as Record<string, jest.Mock>

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetReaderSettings()
  takeFeedFilter()
  ;(Taro.getCurrentPages as jest.Mock).mockReturnValue([{}, {}])
  api = fakeApi()
  api.route('GET /api/issues/32', answers.ok(issue()))
  api.route('GET /api/favorites/32', answers.ok({ issueId: 32, favorited: false, favoritedAt: null }))
  api.route('GET /api/history/32', answers.noContent())
  api.route('GET /api/settings', answers.ok({ fontSize: 'medium', theme: 'system', answers: 'folded' }))
  extra.downloadFile = jest.fn(() => Promise.resolve({ tempFilePath: 'wxfile://card.png', statusCode: 200 }))
  extra.saveImageToPhotosAlbum = jest.fn(() => Promise.resolve({ errMsg: 'saveImageToPhotosAlbum:ok' }))
})

describe('the crumbs', () => {
  it('您现在的位置：首页 › columns › region › this issue, each crumb opening the list it names', async () => {
    const { container } = await openArticle()
    expect(container.querySelector('.art-crumbs')?.textContent).toBe(
      '您现在的位置：首页 › 遴选网 › 省市遴选 › 热点精讲 › 山西 › 第32期',
    )
    fireEvent.click(screen.getByText('省市遴选'))
    expect(Taro.switchTab).toHaveBeenLastCalledWith({ url: '/pages/index/index' })
    expect(takeFeedFilter()).toEqual({ region: '', column: 'shengshi', columnName: '省市遴选' })
    fireEvent.click(screen.getByText('热点精讲'))
    expect(takeFeedFilter()).toEqual({ region: '', column: 'redian', columnName: '热点精讲' })
    fireEvent.click(screen.getByText('首页'))
    expect(takeFeedFilter()).toEqual({ region: '', column: '', columnName: '' })
    expect(Taro.switchTab).toHaveBeenCalledTimes(3)
    // This issue is where the reader is: not a link.
    fireEvent.click(screen.getByText(/第32期$/))
    expect(Taro.switchTab).toHaveBeenCalledTimes(3)
  })

  it('the home list takes the crumb’s filter when it shows, asks the server for it, and can drop the column', async () => {
    const asked: string[] = []
    ;(Taro.request as jest.Mock).mockImplementation(({ url }: { url: string }) => {
      asked.push(url)
      const path = new URL(url).pathname
      const data =
        path === '/api/regions'
          ? { items: [{ code: 'shanxi', name: '山西', issueCount: 1 }] }
          : { items: [summary(32)], nextCursor: null }
      return Object.assign(Promise.resolve({ statusCode: 200, data, header: {} }), { abort: jest.fn() })
    })
    render(<IssueListPage />)
    await settle()
    requestFeedFilter({ region: 'shanxi', column: 'redian', columnName: '热点精讲' })
    await act(async () => void fire('useDidShow'))
    await settle()
    expect(asked.at(-1)).toMatch(/\/api\/issues\?region=shanxi&column=redian&limit=20$/)
    expect(screen.getByText('栏目：热点精讲')).toBeTruthy()
    fireEvent.click(screen.getByText('全部栏目 ✕'))
    await settle()
    expect(asked.at(-1)).toMatch(/\/api\/issues\?region=shanxi&limit=20$/)
    expect(screen.queryByText('栏目：热点精讲')).toBeNull()
  })
})

describe('上一期 / 下一期', () => {
  it('opens the neighbour on top of this page, so Back returns here', async () => {
    await openArticle()
    fireEvent.click(screen.getByText('第31期 上一期的标题'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=31' })
    expect(Taro.redirectTo).not.toHaveBeenCalled()
  })

  it('near WeChat’s ten-page limit, replaces this page instead', async () => {
    ;(Taro.getCurrentPages as jest.Mock).mockReturnValue(new Array(9).fill({}))
    await openArticle()
    fireEvent.click(screen.getByText('第31期 上一期的标题'))
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=31' })
    expect(Taro.navigateTo).not.toHaveBeenCalled()
  })
})

describe('分享 and the poster', () => {
  const env = process.env.TARO_ENV
  afterEach(() => {
    process.env.TARO_ENV = env
  })

  it('in WeChat, 分享给好友 is the share button (the page’s onShareAppMessage)', async () => {
    process.env.TARO_ENV = 'weapp'
    const { container } = await openArticle()
    const button = screen.getByText('分享给好友')
    expect(button.getAttribute('data-open-type')).toBe('share')
    expect(container.textContent).not.toContain('复制链接分享')
  })

  it('in a browser, which has no share sheet, it copies the link instead', async () => {
    process.env.TARO_ENV = 'h5'
    await openArticle()
    expect(screen.queryByText('分享给好友')).toBeNull()
    fireEvent.click(screen.getByText('复制链接分享'))
    await settle()
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: window.location.href })
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '链接已复制，粘贴发给好友', icon: 'none' })
  })

  it('生成分享海报 shows the server’s square card and saves it to the album', async () => {
    process.env.TARO_ENV = 'weapp'
    const { container } = await openArticle()
    fireEvent.click(screen.getByText('生成分享海报'))
    const image = container.querySelector('.poster-image') as HTMLImageElement
    expect(image.getAttribute('data-src')).toMatch(/\/api\/issues\/32\/share-card\.png\?shape=moments$/)
    fireEvent.click(screen.getByText('保存到相册'))
    await settle()
    expect(extra.downloadFile).toHaveBeenCalledWith({ url: image.getAttribute('data-src') })
    expect(extra.saveImageToPhotosAlbum).toHaveBeenCalledWith({ filePath: 'wxfile://card.png' })
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '已保存到相册', icon: 'success' })
    fireEvent.click(screen.getByText('关闭'))
    expect(container.querySelector('.poster-image')).toBeNull()
  })

  it('a refused album says how to allow it; in a browser the poster says to long-press', async () => {
    process.env.TARO_ENV = 'weapp'
    extra.saveImageToPhotosAlbum.mockRejectedValue({ errMsg: 'saveImageToPhotosAlbum:fail auth deny' })
    await openArticle()
    fireEvent.click(screen.getByText('生成分享海报'))
    fireEvent.click(screen.getByText('保存到相册'))
    await settle()
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '请在设置中允许保存到相册', icon: 'none' })
    fireEvent.click(screen.getByText('关闭'))
    process.env.TARO_ENV = 'h5'
    fireEvent.click(screen.getByText('生成分享海报'))
    expect(screen.getByText('长按图片保存到相册，再发到朋友圈')).toBeTruthy()
    expect(screen.queryByText('保存到相册')).toBeNull()
  })
})

describe('pull-down refresh', () => {
  it('loads the issue again in place and stops the spinner when it arrives', async () => {
    await openArticle()
    api.route('GET /api/issues/32', answers.ok(issue({ title: '改过的标题' })))
    await act(async () => void fire('usePullDownRefresh'))
    await settle()
    expect(api.count('GET /api/issues/32')).toBe(2)
    expect(screen.getByText('改过的标题')).toBeTruthy()
    expect(Taro.stopPullDownRefresh).toHaveBeenCalledTimes(1)
  })
})

describe('参考作答 remembered per reader', () => {
  it('folded for a signed-in reader until 总是展开, which is saved to their settings', async () => {
    api.route('GET /api/issues/32', answers.ok(withAnswer))
    api.route('PUT /api/settings', answers.ok({ fontSize: 'medium', theme: 'system', answers: 'shown' }))
    act(() => setMe(me()))
    const { container } = await openArticle()
    expect(container.textContent).not.toContain(blocks.answer.paragraphs[0])
    fireEvent.click(screen.getByText('查看参考作答'))
    fireEvent.click(screen.getByText('☐ 总是展开'))
    await settle()
    expect(api.calls.find((call) => call.method === 'PUT' && call.path === '/api/settings')?.data).toEqual({
      answers: 'shown',
    })
    expect(screen.getByText('☑ 总是展开')).toBeTruthy()
  })

  it('a reader who chose to see them finds every answer unfolded', async () => {
    api.route('GET /api/issues/32', answers.ok(withAnswer))
    api.route('GET /api/settings', answers.ok({ fontSize: 'medium', theme: 'system', answers: 'shown' }))
    act(() => setMe(me()))
    await openArticle()
    expect(screen.getByText(blocks.answer.paragraphs[0])).toBeTruthy()
    expect(screen.queryByText('查看参考作答')).toBeNull()
  })
})

describe('阅读设置: 参考作答', () => {
  it('先作答再看 until the reader picks 总是展开, saved with the other settings', async () => {
    api.route('PUT /api/settings', answers.ok({ fontSize: 'medium', theme: 'system', answers: 'shown' }))
    act(() => setMe(me()))
    render(<SettingsPage />)
    await settle()
    expect(screen.getByText('先作答再看').className).toContain('set-option-on')
    fireEvent.click(screen.getByText('总是展开'))
    await settle()
    expect(api.calls.find((call) => call.method === 'PUT' && call.path === '/api/settings')?.data).toEqual({
      answers: 'shown',
    })
    expect(screen.getByText('总是展开').className).toContain('set-option-on')
  })
})

describe('progress on the lists', () => {
  it('labels: 读完, 已读42%, 已读 (recorded before percents), nothing when not read', () => {
    expect(readLabel(100)).toBe('读完')
    expect(readLabel(42)).toBe('已读42%')
    expect(readLabel(null)).toBe('已读')
    expect(readLabel(undefined)).toBeNull()
  })

  it('the home cards show the signed-in reader’s own progress, asked for the issues on the list', async () => {
    api.route('GET /api/regions', answers.ok({ items: [] }))
    api.route('GET /api/issues', answers.ok({ items: [summary(32), summary(31), summary(30)], nextCursor: null }))
    api.route(
      'GET /api/history/progress',
      answers.ok({
        items: [
          { issueId: 32, percent: 42 },
          { issueId: 31, percent: 100 },
        ],
      }),
    )
    act(() => setMe(me()))
    const { container } = render(<IssueListPage />)
    await settle()
    const asked = api.calls.find((call) => call.path === '/api/history/progress')
    expect(asked).toBeTruthy()
    const labels = Array.from(container.querySelectorAll('.issue-card')).map(
      (card) => card.querySelector('.issue-card-read')?.textContent ?? null,
    )
    expect(labels).toEqual(['已读42%', '读完', null])
  })

  it('signed out, the cards ask for no progress', async () => {
    api.route('GET /api/regions', answers.ok({ items: [] }))
    api.route('GET /api/issues', answers.ok({ items: [summary(32)], nextCursor: null }))
    render(<IssueListPage />)
    await settle()
    expect(api.count('GET /api/history/progress')).toBe(0)
  })

  it('阅读记录 shows how far each issue was read', async () => {
    api.route(
      'GET /api/history',
      answers.ok({
        items: [
          { ...summary(32), sectionId: 's2', percent: 42, readAt: '2026-01-01T00:00:00.000Z' },
          { ...summary(31), sectionId: 's3', percent: 100, readAt: '2025-12-31T00:00:00.000Z' },
        ],
        nextCursor: null,
      }),
    )
    act(() => setMe(me()))
    const { container } = render(<HistoryPage />)
    await settle()
    const notes = Array.from(container.querySelectorAll('.study-note')).map((note) => note.textContent)
    expect(notes).toEqual([expect.stringMatching(/ · 已读42%$/), expect.stringMatching(/ · 读完$/)])
  })
})
