import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from 'playwright-core'
import { useStackAndBrowser, withPage } from './harness'

const ROOT = path.resolve(__dirname, '..', '..')

/**
 * The home list at twelve pages of issues in Chromium (the H5 build, real layout and scrolling):
 * pages far from the viewport collapse into placeholders of their measured height, so the page
 * keeps a bounded number of cards, and nothing moves when they collapse or come back.
 */
jest.setTimeout(180_000)

const PAGES = 12
/** The sample issues of content/, which every stack imports on its first start */
const SAMPLE_ISSUES = fs.readdirSync(path.join(ROOT, 'content')).filter((name) => name.endsWith('.md')).length

const env = useStackAndBrowser({}, async ({ stack }) => {
  // 240 issues in all: the sample issues and demo issues for the rest.
  await promisify(execFile)(
    path.join(ROOT, 'node_modules', '.bin', 'tsx'),
    ['server/src/cli/content-demo.ts', '--issues', String(PAGES * 20 - SAMPLE_ISSUES)],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', SQLITE_PATH: stack.sqlitePath, LOG_LEVEL: 'warn' } },
  )
})

const count = (page: Page, selector: string) => page.locator(selector).count()

/** The labels (【地区·第N期】) of the cards overlapping the viewport, top to bottom */
const visibleLabels = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('.issue-card'))
      .filter((card) => {
        const box = card.getBoundingClientRect()
        return box.bottom > 0 && box.top < window.innerHeight
      })
      .map((card) => card.querySelector('.issue-card-label')?.textContent ?? ''),
  )

async function allLabels(): Promise<string[]> {
  const labels: string[] = []
  let cursor: string | null = null
  do {
    const url = `${env.stack.apiOrigin}/api/issues?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const answer = (await (await fetch(url)).json()) as {
      items: Array<{ number: number; region: { name: string } }>
      nextCursor: string | null
    }
    labels.push(...answer.items.map((item) => `【${item.region.name}·第${item.number}期】`))
    cursor = answer.nextCursor
  } while (cursor)
  return labels
}

/** Taro H5 scrolls the page element (.taro_page), not the window: the one holding the list. */
const SCROLLER = `(document.querySelector('.issue-pages')?.closest('.taro_page') ?? document.scrollingElement)`

const scrollState = (page: Page) =>
  page.evaluate(
    `(() => { const el = ${SCROLLER}; return { top: el.scrollTop, height: el.scrollHeight } })()`,
  ) as Promise<{
    top: number
    height: number
  }>

/** Scrolls the page as a reader would, 800 px at a time, letting the list catch up after each step. */
async function scrollTo(page: Page, target: number): Promise<void> {
  for (;;) {
    const { top } = await scrollState(page)
    const step = Math.sign(target - top) * Math.min(Math.abs(target - top), 800)
    if (Math.abs(step) < 1) return
    await page.evaluate(`${SCROLLER}.scrollTop = ${top + step}`)
    await page.waitForTimeout(60)
    if ((await scrollState(page)).top === top) return // the end of the page
  }
}

/** Document top (in the scrolled page) of the card with `label`, or null when it is not rendered */
const documentTop = (page: Page, label: string) =>
  page.evaluate(
    `(() => {
      const el = ${SCROLLER}
      const card = Array.from(document.querySelectorAll('.issue-card')).find(
        (element) => element.querySelector('.issue-card-label')?.textContent === ${JSON.stringify(label)},
      )
      return card ? card.getBoundingClientRect().top + el.scrollTop : null
    })()`,
  ) as Promise<number | null>

describe('the home list, windowed (H5)', () => {
  it('keeps a bounded number of cards through twelve pages, and every card in its place', async () => {
    const labels = await allLabels()
    expect(labels).toHaveLength(PAGES * 20)
    await withPage(env.browser, 'long-list', async (page) => {
      await page.goto(`${env.stack.origin}/`)
      await page.locator('.issue-card').first().waitFor({ state: 'visible', timeout: 30_000 })

      let most = 0
      const end = page.getByText('已经到底了')
      for (let step = 0; step < PAGES * 4 && !(await end.isVisible()); step++) {
        await scrollTo(page, (await scrollState(page)).height)
        await page.waitForTimeout(400)
        most = Math.max(most, await count(page, '.issue-card'))
      }
      await end.waitFor({ state: 'visible', timeout: 15_000 })
      await scrollTo(page, (await scrollState(page)).height)
      await page.waitForTimeout(300)

      // Twelve pages are 240 cards; the window is the viewport ± 2 screens.
      expect(most).toBeLessThanOrEqual(100)
      expect(await count(page, '.issue-card')).toBeLessThanOrEqual(100)
      // The first ten pages are one section, collapsed into one placeholder.
      expect(await count(page, '.windowed-placeholder')).toBeGreaterThanOrEqual(1)
      expect(await count(page, '.windowed-section')).toBe(2)
      const atEnd = await visibleLabels(page)
      expect(atEnd.length).toBeGreaterThan(0)
      expect(labels.slice(-atEnd.length)).toEqual(atEnd)

      // Back up to the middle and to the top: the page is as high as before, the cards the right ones.
      const { height } = await scrollState(page)
      const middle = Math.round(height / 2)
      for (const target of [middle, 0]) {
        await scrollTo(page, target)
        await page.waitForTimeout(300)
        expect(Math.abs((await scrollState(page)).height - height)).toBeLessThan(2)
        const shown = await visibleLabels(page)
        const from = labels.indexOf(shown[0])
        expect(from).toBeGreaterThanOrEqual(0)
        expect(shown).toEqual(labels.slice(from, from + shown.length))
        expect(await count(page, '.issue-card')).toBeLessThanOrEqual(100)
      }
      expect((await visibleLabels(page))[0]).toBe(labels[0])

      // A card sits where it sat before its page collapsed and came back.
      await scrollTo(page, middle)
      await page.waitForTimeout(300)
      const marker = (await visibleLabels(page))[0]
      const before = await documentTop(page, marker)
      expect(before).not.toBeNull()
      await scrollTo(page, 0)
      await page.waitForTimeout(300)
      expect(await documentTop(page, marker)).toBeNull()
      await scrollTo(page, middle)
      await page.waitForTimeout(300)
      expect(await documentTop(page, marker)).toBe(before)
    })
  })
})
