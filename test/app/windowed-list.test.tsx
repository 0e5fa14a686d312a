import { act, fireEvent, render } from '@testing-library/react'
import Taro from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import { pageSpans, renderedPages } from '@/hooks/useWindowedPages'
import { fire, resetTaroMock } from './mocks/taro'
import { summary } from './fixtures'

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

/** Lets the pending answers and the list's measuring (on a timer) happen. */
const flush = () =>
  act(async () => {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0))
  })

describe('the home list, windowed', () => {
  // The test DOM has no layout and no selector query: every card counts its estimated 150 px, a page
  // of 20 is 3,000 px, and the window is 667 px high.
  const cardNumbers = (container: HTMLElement) =>
    Array.from(container.querySelectorAll('.issue-card-label'), (label) =>
      Number(/第(\d+)期/.exec(label.textContent ?? '')?.[1]),
    )

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
