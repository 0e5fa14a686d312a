import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import NavigatorPage from '@/subpackages/navigator/pages/index'
import SearchPage, { SEARCH_DEBOUNCE_MS } from '@/subpackages/search/pages/index'
import FavoritesPage from '@/subpackages/study/pages/favorites'
import { openSections, pageSpans, renderedPages } from '@/hooks/useWindowedPages'
import { resetSession, setMe } from '@/store/session'
import { answers, fakeApi } from './fake-api'
import { fire, resetTaroMock, storage } from './mocks/taro'
import { me, summary } from './fixtures'

const request = Taro.request as jest.Mock

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
})

describe('which pages of a long list render', () => {
  // Ten pages of 1,000 px under a 200 px header, a 667 px window.
  const spans = pageSpans(10, 200, Array(10).fill(1000), Array(10).fill(20), 150)
  const all = Array(10).fill(true)

  it('lays the pages one after another from the list top, estimating the ones not measured', () => {
    expect(spans.slice(0, 3)).toEqual([
      { top: 200, height: 1000 },
      { top: 1200, height: 1000 },
      { top: 2200, height: 1000 },
    ])
    expect(pageSpans(3, 0, [800, undefined, 900], [20, 20, 5], 50)).toEqual([
      { top: 0, height: 800 },
      { top: 800, height: 1000 },
      { top: 1800, height: 900 },
    ])
  })

  it('keeps the pages within two screens of the viewport, and the last page', () => {
    const at = (scrollTop: number) =>
      renderedPages(spans, all, scrollTop, 667).flatMap((on, index) => (on ? [index] : []))
    // The window is [scrollTop - 1334, scrollTop + 2001).
    expect(at(0)).toEqual([0, 1, 9])
    expect(at(5000)).toEqual([3, 4, 5, 6, 9])
    expect(at(9000)).toEqual([7, 8, 9])
  })

  it('opens a section of ten pages when one of its pages renders, else collapses it whole', () => {
    const rendered = Array.from({ length: 25 }, (_, index) => index === 12 || index === 13 || index === 24)
    expect(openSections(rendered)).toEqual([false, true, true])
    expect(openSections([true, false])).toEqual([true])
  })

  it('renders a page that was never measured, wherever it is', () => {
    const measured = all.map((_, index) => index !== 5)
    expect(renderedPages(spans, measured, 0, 667)[5]).toBe(true)
  })
})

/** Answers /api/issues with pages of 20 issues, numbered from 1000 down, ten pages in all. */
function serveTenPages() {
  request.mockImplementation(({ url }: { url: string }) => {
    const { pathname, searchParams } = new URL(url)
    let answer: { statusCode: number; data: unknown }
    if (pathname === '/api/regions') answer = { statusCode: 200, data: { items: [] } }
    else {
      const page = Number(searchParams.get('cursor') ?? '0')
      const items = Array.from({ length: 20 }, (_, i) => summary(1000 - page * 20 - i))
      answer = { statusCode: 200, data: { items, nextCursor: page < 9 ? String(page + 1) : null } }
    }
    return Object.assign(Promise.resolve(answer), { abort: jest.fn() })
  })
}

const cardNumbers = (container: HTMLElement) =>
  Array.from(container.querySelectorAll('.issue-card-label'), (label) =>
    Number(/第(\d+)期/.exec(label.textContent ?? '')?.[1]),
  )

/** Lets the pending answers and the list's measuring (on a timer) happen. */
const flush = () =>
  act(async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0))
  })

describe('the home list, windowed', () => {
  // The test DOM has no layout and no selector query: every card counts its estimated 150 px, a page
  // of 20 is 3,000 px, and the window is 667 px high.

  async function loadTenPages() {
    serveTenPages()
    const view = render(<IssueListPage />)
    await flush()
    for (let page = 1; page < 10; page++) {
      await act(async () => void fire('useReachBottom'))
      await flush()
    }
    return view
  }

  it('keeps only the pages near the viewport as cards, the others one placeholder each', async () => {
    const { container } = await loadTenPages()
    expect(container.querySelectorAll('.issue-group')).toHaveLength(10)
    expect(container.textContent).toContain('已经到底了')

    // At the top: page 1 and the last page (the list's end) are cards.
    await act(async () => void fire('usePageScroll', { scrollTop: 0 }))
    await flush()
    expect(container.querySelectorAll('.issue-card')).toHaveLength(40)
    expect(cardNumbers(container).slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 - i))
    const placeholders = container.querySelectorAll<HTMLElement>('.windowed-placeholder')
    expect(placeholders).toHaveLength(8)
    expect(placeholders[0].style.height).toBe('3000px')

    // 15,000 px down, where page 5 ends and page 6 begins: those two, and the last.
    await act(async () => void fire('usePageScroll', { scrollTop: 15_000 }))
    await flush()
    expect(container.querySelectorAll('.issue-card')).toHaveLength(60)
    expect(cardNumbers(container).slice(0, 40)).toEqual(Array.from({ length: 40 }, (_, i) => 920 - i))
    expect(cardNumbers(container).slice(40)).toEqual(Array.from({ length: 20 }, (_, i) => 820 - i))

    // A tap on a card far down the list opens that issue.
    const card = Array.from(container.querySelectorAll<HTMLElement>('.issue-card')).find((element) =>
      element.textContent?.includes('第900期'),
    )
    fireEvent.click(card as HTMLElement)
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=900' })

    // Back at the top, the first cards are back.
    await act(async () => void fire('usePageScroll', { scrollTop: 0 }))
    await flush()
    expect(cardNumbers(container).slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 - i))
    expect(container.querySelectorAll('.issue-card')).toHaveLength(40)
  })

  it('forgets the pages a refresh dropped', async () => {
    const { container } = await loadTenPages()
    await act(async () => void fire('usePageScroll', { scrollTop: 0 }))
    await flush()
    await act(async () => {
      await fire('usePullDownRefresh')
    })
    await flush()
    expect(container.querySelectorAll('.issue-group')).toHaveLength(1)
    expect(container.querySelectorAll('.windowed-placeholder')).toHaveLength(0)
    expect(cardNumbers(container)).toEqual(Array.from({ length: 20 }, (_, i) => 1000 - i))
  })
})

describe('the other long lists, windowed', () => {
  // Pages of 20 (60 in 往期导航); the estimates stand in for heights, as above.
  const pagesOf = <T,>(pages: number, size: number, item: (n: number) => T) =>
    Array.from({ length: pages }, (_, page) =>
      answers.ok({
        items: Array.from({ length: size }, (_, i) => item(pages * size - page * size - i)),
        nextCursor: page < pages - 1 ? `c${page + 1}` : null,
      }),
    )

  async function loadAll(pages: number) {
    for (let page = 1; page < pages; page++) {
      await act(async () => void fire('useReachBottom'))
      await flush()
    }
    await act(async () => void fire('usePageScroll', { scrollTop: 0 }))
    await flush()
  }

  it('我的收藏 keeps the first page and the last as cards, and opens a card of the last', async () => {
    const api = fakeApi()
    storage.set('token', 'tok')
    act(() => setMe(me()))
    api.route(
      'GET /api/favorites',
      ...pagesOf(6, 20, (n) => ({ ...summary(n), favoritedAt: '2026-01-01T02:03:00.000Z' })),
    )
    const { container } = render(<FavoritesPage />)
    await flush()
    await loadAll(6)
    expect(container.textContent).toContain('已经到底了')
    expect(container.querySelectorAll('.study-group')).toHaveLength(6)
    expect(container.querySelectorAll('.study-item')).toHaveLength(40)
    expect(cardNumbers(container).slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => 120 - i))
    expect(cardNumbers(container).slice(20)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i))
    fireEvent.click(screen.getByText('第1期标题'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=1' })
    act(() => resetSession())
  })

  it('search results keep the pages near the viewport', async () => {
    const api = fakeApi()
    api.route(
      'GET /api/search',
      ...pagesOf(6, 20, (n) => ({ ...summary(n), snippet: [{ text: `第${n}条摘要`, hit: false }] })),
    )
    const { container } = render(<SearchPage />)
    fireEvent.change(document.querySelector('input')!, { target: { value: '城市群' } })
    await act(async () => new Promise((resolve) => setTimeout(resolve, SEARCH_DEBOUNCE_MS + 10)))
    await flush()
    await loadAll(6)
    expect(container.querySelectorAll('.search-group')).toHaveLength(6)
    expect(container.querySelectorAll('.search-hit')).toHaveLength(40)
    // A page of hits is 2,600 px: 5,500 px down, pages 2 and 3 are near, and the last.
    await act(async () => void fire('usePageScroll', { scrollTop: 5500 }))
    await flush()
    const shown = Array.from(container.querySelectorAll('.search-hit-snippet'), (snippet) => snippet.textContent)
    expect(shown).toHaveLength(60)
    expect(shown[0]).toBe('第100条摘要')
    expect(shown[40]).toBe('第20条摘要')
  })

  it('往期导航 keeps whole grids of 60 near the viewport', async () => {
    const api = fakeApi()
    api.route('GET /api/navigator', answers.ok({ items: [] }))
    api.route(
      'GET /api/navigator/shanxi',
      ...pagesOf(4, 60, (n) => ({
        region: { code: 'shanxi', name: '山西' },
        id: n + 1000,
        number: n,
        title: `第${n}期的标题`,
        date: '2022-04-26',
        vip: false,
        readState: null,
        lastSectionId: null,
      })).map((answer) => ({
        ...answer,
        body: { region: { code: 'shanxi', name: '山西' }, ...(answer.body as object) },
      })),
    )
    ;(useRouter as jest.Mock).mockReturnValue({ params: { region: 'shanxi' }, path: '' })
    const { container } = render(<NavigatorPage />)
    await flush()
    await loadAll(4)
    expect(container.querySelectorAll('.nav-grid')).toHaveLength(4)
    expect(container.querySelectorAll('.nav-cell')).toHaveLength(120)
    expect(container.querySelectorAll('.windowed-placeholder')).toHaveLength(2)
    fireEvent.click(screen.getByText('第1期'))
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/article/pages/index?id=1001' })
  })
})
