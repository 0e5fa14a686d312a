/**
 * A stand-in for the layout miniprogram-simulate lacks (its DOM is jsdom's: every box is 0 × 0, and
 * its wx.createSelectorQuery never answers). Boxes stack top to bottom: an element with an inline
 * `height: Npx` is that high, one matching `itemHeights` (e.g. '.issue-card': 150) is that high, any
 * other is as high as its children together. It answers the selector queries the app sends
 * (selectAll/select … boundingClientRect, selectViewport … scrollOffset) for the page opened last,
 * and `scrollTo` moves the page as a reader's finger would, with the onPageScroll WeChat sends.
 */
import type { PageHandle, WeappOptions } from './harness'

export const VIEWPORT_HEIGHT = 667

export interface FakeLayout {
  /** For bootWeapp({ wx }): the selector query and the window's size */
  wx: NonNullable<WeappOptions['wx']>
  /** The page's scroll offset in px */
  scrollTop: () => number
  /** Height of the opened page's content in px */
  pageHeight: () => number
  /** Scrolls the page to `top` (clamped to the content) and sends onPageScroll */
  scrollTo: (page: PageHandle, top: number) => void
  /** Document top in px of the first element matching `selector` */
  top: (selector: string) => number
  /** Elements matching `selector` whose box overlaps the viewport */
  visible: (selector: string) => Element[]
}

function currentRoot(): Element | null {
  return document.body.lastElementChild
}

/**
 * Whether an element has a class as the app writes it: miniprogram-simulate prefixes class names with
 * the component's name (`main--issue-card`). Selectors are one class (`.name`) or one id (`#name`).
 */
function matches(element: Element, selector: string): boolean {
  if (selector.startsWith('#')) return element.getAttribute('id') === selector.slice(1)
  const name = selector.slice(1)
  return Array.from(element.classList).some((token) => token === name || token.endsWith(`--${name}`))
}

function queryAll(selector: string): Element[] {
  const root = currentRoot()
  return root ? Array.from(root.querySelectorAll('*')).filter((element) => matches(element, selector)) : []
}

export function fakeLayout(itemHeights: Record<string, number>, viewport = VIEWPORT_HEIGHT): FakeLayout {
  let scrollTop = 0

  const ownHeight = (element: Element): number | null => {
    const style = element.getAttribute('style') ?? ''
    const height = /(?:^|;)\s*height:\s*([\d.]+)px/.exec(style)
    if (height) return Number(height[1])
    for (const [selector, px] of Object.entries(itemHeights)) if (matches(element, selector)) return px
    return null
  }
  const heights = new Map<Element, number>()
  const heightOf = (element: Element): number => {
    let height = heights.get(element)
    if (height === undefined) {
      height = ownHeight(element) ?? Array.from(element.children).reduce((sum, child) => sum + heightOf(child), 0)
      heights.set(element, height)
    }
    return height
  }
  /** Document top of every element under the root, in one pass */
  const layout = (): Map<Element, { top: number; height: number }> => {
    heights.clear()
    const boxes = new Map<Element, { top: number; height: number }>()
    const place = (element: Element, top: number) => {
      boxes.set(element, { top, height: heightOf(element) })
      if (ownHeight(element) !== null) return
      let y = top
      for (const child of Array.from(element.children)) {
        place(child, y)
        y += heightOf(child)
      }
    }
    const root = currentRoot()
    if (root) place(root, 0)
    return boxes
  }
  const rect = (element: Element, box: { top: number; height: number }) => ({
    id: element.getAttribute('id') ?? '',
    dataset: {},
    top: box.top - scrollTop,
    bottom: box.top + box.height - scrollTop,
    height: box.height,
    left: 0,
    right: 375,
    width: 375,
  })
  const pageHeight = () => {
    const root = currentRoot()
    return root ? (layout(), heightOf(root)) : 0
  }

  const createSelectorQuery = () => {
    const steps: Array<() => unknown> = []
    const query = {
      in: () => query,
      select: (selector: string) => ({
        boundingClientRect: () => {
          steps.push(() => {
            const boxes = layout()
            const element = queryAll(selector)[0]
            const box = element ? boxes.get(element) : undefined
            return element && box ? rect(element, box) : null
          })
          return query
        },
      }),
      selectAll: (selector: string) => ({
        boundingClientRect: () => {
          steps.push(() => {
            const boxes = layout()
            return queryAll(selector).flatMap((element) => {
              const box = boxes.get(element)
              return box ? [rect(element, box)] : []
            })
          })
          return query
        },
      }),
      selectViewport: () => ({
        scrollOffset: () => {
          steps.push(() => ({ scrollTop, scrollLeft: 0, id: '', dataset: {} }))
          return query
        },
      }),
      exec: (callback?: (result: unknown[]) => void) => {
        // WeChat answers after the view has applied pending setData: on a later turn.
        setTimeout(() => callback?.(steps.map((step) => step())), 0)
      },
    }
    return query
  }

  const windowInfo = () => ({
    windowHeight: viewport,
    windowWidth: 375,
    screenHeight: viewport,
    screenWidth: 375,
    pixelRatio: 2,
    statusBarHeight: 20,
    safeArea: { top: 20, bottom: viewport, left: 0, right: 375, width: 375, height: viewport - 20 },
  })

  return {
    wx: { createSelectorQuery, getWindowInfo: windowInfo },
    scrollTop: () => scrollTop,
    pageHeight,
    scrollTo(page, top) {
      scrollTop = Math.max(0, Math.min(top, pageHeight() - viewport))
      page.call('onPageScroll', { scrollTop })
    },
    top(selector) {
      const element = queryAll(selector)[0]
      const box = element ? layout().get(element) : undefined
      if (!box) throw new Error(`nothing matches ${selector}`)
      return box.top
    },
    visible(selector) {
      const boxes = layout()
      return queryAll(selector).filter((element) => {
        const box = boxes.get(element)
        return box !== undefined && box.top + box.height > scrollTop && box.top < scrollTop + viewport
      })
    },
  }
}
