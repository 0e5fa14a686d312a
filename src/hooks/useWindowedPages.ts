import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import Taro, { useDidHide, useDidShow, usePageScroll } from '@tarojs/taro'

/** Pages closer than this many screens above or below the viewport keep their items. */
export const WINDOW_SCREENS = 2

/**
 * Pages per section: a section whose pages all collapse is one placeholder itself, so neither the
 * node count nor any element's children grow by more than one per this many pages.
 */
export const SECTION_PAGES = 10

/** Used when the window's height cannot be read (a phone's height in px). */
const FALLBACK_VIEWPORT = 667

/** Where a page of items sits on the page, in px from the top of the document. */
export interface PageSpan {
  top: number
  height: number
}

/**
 * The spans of `count` pages laid one after another from `origin`: a measured height where there
 * is one, else the page's item count times `itemHeight` (an estimate, until the page is measured).
 */
export function pageSpans(
  count: number,
  origin: number,
  heights: ReadonlyArray<number | undefined>,
  itemCounts: ReadonlyArray<number>,
  itemHeight: number,
): PageSpan[] {
  const spans: PageSpan[] = []
  let top = origin
  for (let index = 0; index < count; index++) {
    const height = heights[index] ?? (itemCounts[index] ?? 0) * itemHeight
    spans.push({ top, height })
    top += height
  }
  return spans
}

/**
 * Which pages keep their items at `scrollTop`: those overlapping the viewport widened by `screens`
 * screens above and below. The last page always renders, so the list's end (and reach-bottom)
 * stays real, and so does a page that was never measured.
 */
export function renderedPages(
  spans: ReadonlyArray<PageSpan>,
  measured: ReadonlyArray<boolean>,
  scrollTop: number,
  viewport: number,
  screens = WINDOW_SCREENS,
): boolean[] {
  const from = scrollTop - screens * viewport
  const to = scrollTop + viewport + screens * viewport
  return spans.map(
    (span, index) => index === spans.length - 1 || !measured[index] || (span.top + span.height > from && span.top < to),
  )
}

/** The path of the page on top, which a selector query looks in */
function currentPagePath(): string | undefined {
  return Taro.getCurrentInstance()?.page?.path
}

function viewportHeight(): number {
  try {
    const height = Taro.getWindowInfo().windowHeight
    if (height > 0) return height
  } catch {
    // no window info (tests, an old base library): a phone's height will do
  }
  return FALLBACK_VIEWPORT
}

interface Rect {
  top?: number
  height?: number
}

/**
 * Measures every page element of `scope` (class `${scope}-page`, rendered or placeholder, in order).
 * Calls back with nothing where the query is unavailable.
 */
function measurePages(scope: string, done: (rects: Rect[] | null) => void): void {
  if (process.env.TARO_ENV === 'h5') {
    // Taro's H5 selector query runs later, in whichever page is current by then, and throws outside
    // any callback when that page is another one (a tap that opened the article meanwhile). The DOM,
    // read at once, has no such race. Hidden pages' elements (display: none) have no box.
    const elements = Array.from(document.querySelectorAll<HTMLElement>(`.${scope}-page`)).filter(
      (element) => element.getClientRects().length > 0,
    )
    done(
      elements.map((element) => {
        const box = element.getBoundingClientRect()
        return { top: box.top, height: box.height }
      }),
    )
    return
  }
  try {
    const query = Taro.createSelectorQuery()
    query.selectAll(`.${scope}-page`).boundingClientRect()
    query.exec((result: unknown) => {
      const rects = Array.isArray(result) ? (result[0] as unknown) : null
      done(Array.isArray(rects) ? (rects as Rect[]) : null)
    })
  } catch {
    done(null)
  }
}

export interface WindowedPages {
  /** Whether page `index` renders its items (else a placeholder of `placeholderHeight(index)` px) */
  rendered: (index: number) => boolean
  placeholderHeight: (index: number) => number
  /** Whether section `index` (pages SECTION_PAGES × index …) has its pages (else one placeholder) */
  sectionOpen: (index: number) => boolean
  sectionHeight: (index: number) => number
}

/** Whether each section of SECTION_PAGES pages has a page that renders */
export function openSections(rendered: ReadonlyArray<boolean>): boolean[] {
  const sections: boolean[] = []
  rendered.forEach((on, index) => {
    const section = Math.floor(index / SECTION_PAGES)
    sections[section] = (sections[section] ?? false) || on
  })
  return sections
}

/**
 * Keeps a long list's pages of items (one element each) near the viewport and turns the others into
 * one placeholder element of their measured height, and a section of SECTION_PAGES pages that has
 * none near into one placeholder too, so the page's node count stays bounded however far the reader
 * scrolls and nothing moves when a page collapses or comes back. Heights are measured
 * with a selector query after every change; where that is unavailable, `itemHeight` (px) estimates them.
 * `itemCounts` are the number of items of each page; a shorter list (a refresh, another region) forgets
 * the heights of the pages it no longer has.
 */
export function useWindowedPages(scope: string, itemCounts: number[], itemHeight: number): WindowedPages {
  const count = itemCounts.length
  const viewport = useMemo(viewportHeight, [])
  const heights = useRef<Array<number | undefined>>([])
  const origin = useRef(0)
  const scrollTop = useRef(0)
  // Bumped when a measurement changed something, to recompute what renders.
  const [layoutVersion, setLayoutVersion] = useState(0)
  const [, setScrolled] = useState(0)

  if (heights.current.length > count) heights.current = heights.current.slice(0, count)

  const compute = useCallback(
    (top: number) => {
      const spans = pageSpans(count, origin.current, heights.current, itemCounts, itemHeight)
      const measured = spans.map((_, index) => heights.current[index] !== undefined)
      return { spans, rendered: renderedPages(spans, measured, top, viewport) }
    },
    // itemCounts is a new array on every render; its contents are what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [count, itemCounts.join(','), itemHeight, viewport],
  )

  const { spans, rendered } = compute(scrollTop.current)
  const sections = openSections(rendered)
  const signature = rendered.map((on) => (on ? '1' : '0')).join('')
  const lastSignature = useRef(signature)
  lastSignature.current = signature

  // Another page on top (the article, 开通会员): nothing to measure, and on H5 a selector query then
  // fails outside any callback ("没有找到对应的容器元素": it looks in the current page's element).
  // A re-render while hidden, or during the switch before onHide, must not measure. Back on top,
  // measure again.
  const ownPage = useRef(currentPagePath())
  const shown = useRef(true)
  useDidHide(() => {
    shown.current = false
  })
  useDidShow(() => {
    if (shown.current) return
    shown.current = true
    setLayoutVersion((version) => version + 1)
  })

  usePageScroll(({ scrollTop: top }) => {
    scrollTop.current = top
    // Only a change of what renders costs a render (and a setData); plain scrolling does not.
    const next = compute(top)
      .rendered.map((on) => (on ? '1' : '0'))
      .join('')
    if (next !== lastSignature.current) setScrolled((tick) => tick + 1)
  })

  useEffect(() => {
    let live = true
    // After the render reached the view: Taro sends setData on its next tick.
    const timer = setTimeout(() => {
      if (!shown.current || currentPagePath() !== ownPage.current) return
      measurePages(scope, (rects) => {
        if (!live) return
        let changed = false
        if (!rects) {
          // Nothing can be measured (no selector query): the estimates stand in for heights.
          for (let index = 0; index < count; index++) {
            if (heights.current[index] === undefined) {
              heights.current[index] = (itemCounts[index] ?? 0) * itemHeight
              changed = true
            }
          }
          if (changed) setLayoutVersion((version) => version + 1)
          return
        }
        // Every page element of an open section carries the class, in order. Another count is a
        // measurement of a render since replaced.
        const present = spans.flatMap((_, index) => (sections[Math.floor(index / SECTION_PAGES)] ? [index] : []))
        if (rects.length !== present.length) return
        rects.forEach((rect, at) => {
          const index = present[at]
          if (rect.height === undefined || rect.top === undefined) return
          // The offset the page reported last, not the query's viewport: on H5 that is the first
          // page element in the document, which need not be the page on screen.
          if (at === 0) {
            const measuredOrigin = rect.top + scrollTop.current - (spans[index].top - origin.current)
            if (Math.abs(origin.current - measuredOrigin) >= 1) {
              origin.current = measuredOrigin
              changed = true
            }
          }
          // A placeholder measures what it was given; only rendered pages tell their real height.
          if (signature[index] !== '1' || rect.height <= 0) return
          const known = heights.current[index]
          if (known === undefined || Math.abs(known - rect.height) >= 1) {
            heights.current[index] = rect.height
            changed = true
          }
        })
        if (changed) setLayoutVersion((version) => version + 1)
      })
    }, 0)
    return () => {
      live = false
      clearTimeout(timer)
    }
    // itemCounts and itemHeight only feed the estimates, which the signature already reflects.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scope, signature, count, layoutVersion])

  return {
    rendered: (index) => rendered[index] ?? true,
    placeholderHeight: (index) => spans[index]?.height ?? 0,
    sectionOpen: (index) => sections[index] ?? true,
    sectionHeight: (index) =>
      spans.slice(index * SECTION_PAGES, (index + 1) * SECTION_PAGES).reduce((sum, span) => sum + span.height, 0),
  }
}
