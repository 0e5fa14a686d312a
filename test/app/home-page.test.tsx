import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import { fire, resetTaroMock } from './mocks/taro'
import { summary } from './fixtures'

const request = Taro.request as jest.Mock
type Answer = { statusCode: number; data: unknown } | 'pending'

/** Answers by path: /api/regions and /api/issues each get their queue of answers. */
function serve(routes: Record<string, Answer[]>) {
  request.mockImplementation(({ url }: { url: string }) => {
    const path = new URL(url).pathname
    const answer = routes[path]?.shift() ?? { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: path } } }
    const promise = answer === 'pending' ? new Promise(() => undefined) : Promise.resolve(answer)
    return Object.assign(promise, { abort: jest.fn() })
  })
}
const regions = {
  statusCode: 200,
  data: {
    items: [
      { code: 'shanxi', name: '山西', issueCount: 1 },
      { code: 'jiangsu', name: '江苏', issueCount: 0 },
    ],
  },
}
const onePage = { statusCode: 200, data: { items: [summary(32, { title: '中部城市群高质量发展' })], nextCursor: null } }

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
})

describe('issue list page', () => {
  it('shows a skeleton while the first page loads', () => {
    serve({ '/api/regions': ['pending'], '/api/issues': ['pending'] })
    const { container } = render(<IssueListPage />)
    expect(container.querySelector('.skeleton-card')).not.toBeNull()
  })

  it('shows cards and the region chips that have issues', async () => {
    serve({ '/api/regions': [regions], '/api/issues': [onePage] })
    const { container } = render(<IssueListPage />)
    await act(async () => undefined)
    expect(screen.getByText('【山西·第32期】')).toBeTruthy()
    expect(screen.getByText('中部城市群高质量发展')).toBeTruthy()
    expect(screen.getByText('2022-04-26 · 北辰遴选·苏阳老师 · 1.2万 阅读')).toBeTruthy()
    expect(screen.getByText('山西')).toBeTruthy()
    expect(container.textContent).not.toContain('江苏')
    expect(screen.getByText('— 已经到底了 —')).toBeTruthy()

    fireEvent.click(container.querySelector('.issue-card') as HTMLElement)
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=32' })
  })

  it('ends the list as every list does: more to pull up, a retry after a failed page, then its end', async () => {
    const firstPage = { statusCode: 200, data: { items: [summary(32)], nextCursor: 'c1' } }
    const failed = { statusCode: 500, data: { error: { code: 'INTERNAL', message: 'boom' } } }
    const lastPage = { statusCode: 200, data: { items: [summary(31)], nextCursor: null } }
    serve({ '/api/regions': [regions], '/api/issues': [firstPage, failed, lastPage] })
    const { container } = render(<IssueListPage />)
    await act(async () => undefined)
    expect(container.querySelector('.list-end')?.textContent).toBe('上拉加载更多')
    await act(async () => void fire('useReachBottom'))
    expect(container.querySelector('.list-end')?.textContent).toBe('加载失败，点击重试')
    fireEvent.click(screen.getByText('加载失败，点击重试'))
    await act(async () => undefined)
    expect(container.querySelectorAll('.issue-card')).toHaveLength(2)
    expect(container.querySelector('.list-end')?.textContent).toBe('— 已经到底了 —')
  })

  it('says so when there is nothing yet', async () => {
    serve({ '/api/regions': [regions], '/api/issues': [{ statusCode: 200, data: { items: [], nextCursor: null } }] })
    render(<IssueListPage />)
    await act(async () => undefined)
    expect(screen.getByText('暂无内容')).toBeTruthy()
  })

  it('offers a retry when the first page fails', async () => {
    serve({
      '/api/regions': [regions],
      '/api/issues': [{ statusCode: 500, data: { error: { code: 'INTERNAL', message: 'boom' } } }, onePage],
    })
    render(<IssueListPage />)
    await act(async () => undefined)
    expect(screen.getByText('服务暂时不可用，请稍后重试')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '重新加载' }))
    await act(async () => undefined)
    expect(screen.getByText('中部城市群高质量发展')).toBeTruthy()
  })

  it('pull-down reloads regions and the first page, then stops the spinner', async () => {
    serve({ '/api/regions': [regions, regions], '/api/issues': [onePage, onePage] })
    render(<IssueListPage />)
    await act(async () => undefined)
    await act(async () => {
      fire('usePullDownRefresh')
    })
    expect(request.mock.calls.map(([options]: [{ url: string }]) => new URL(options.url).pathname)).toEqual([
      '/api/regions',
      '/api/issues',
      '/api/regions',
      '/api/issues',
    ])
    expect(Taro.stopPullDownRefresh).toHaveBeenCalled()
  })
})
