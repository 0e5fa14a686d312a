import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { RESULTS_DIR, useStackAndBrowser, withPage } from './harness'

/**
 * The H5 preview from a 320 px phone to a 1280 px desktop: nothing wider than the screen on a
 * small phone, and on a tablet or a desktop one phone-sized column whose text is no bigger than
 * on a large phone (the root font size stopped doubling at 768 px). Screenshots go to test-results/.
 */
jest.setTimeout(120_000)

const env = useStackAndBrowser()
const TITLE = '中部城市群高质量发展'

async function openArticle(page: Page, width: number): Promise<void> {
  await page.setViewportSize({ width, height: 900 })
  await page.goto(`${env.stack.origin}/`)
  await page.getByText(TITLE).first().waitFor()
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  await page.screenshot({ path: path.join(RESULTS_DIR, `home-${width}px.png`) })
  await page.getByText(TITLE).first().click()
  await page.getByText('一、背景链接').first().waitFor()
}

/** The article's layout as the reader sees it */
const measure = (page: Page) =>
  page.evaluate(() => {
    const body = document.querySelector('.art-title') as HTMLElement
    return {
      rootFontPx: parseFloat(getComputedStyle(document.documentElement).fontSize),
      titleFontPx: parseFloat(getComputedStyle(body).fontSize),
      bodyWidth: document.body.getBoundingClientRect().width,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    }
  })

test('from 320 to 1280 px: no sideways scrolling, and one phone-sized column on wide screens', async () => {
  const seen: Record<number, Awaited<ReturnType<typeof measure>>> = {}
  for (const width of [320, 390, 768, 1280]) {
    await withPage(env.browser, `width-${width}`, async (page) => {
      await openArticle(page, width)
      await page.waitForTimeout(800) // the page's slide-in transition
      seen[width] = await measure(page)
      await page.screenshot({ path: path.join(RESULTS_DIR, `article-${width}px.png`) })
    })
  }
  for (const width of [320, 390, 768, 1280]) expect([width, seen[width].overflow]).toEqual([width, 0])
  // Phones: the page scales with the screen.
  expect(seen[320].rootFontPx).toBeLessThan(seen[390].rootFontPx)
  expect(seen[390].bodyWidth).toBe(390)
  // Tablet and desktop: a 480 px column with the text of a 480 px phone, not twice a phone's.
  for (const wide of [768, 1280]) {
    expect([wide, seen[wide].bodyWidth]).toEqual([wide, 480])
    expect([wide, seen[wide].rootFontPx]).toEqual([wide, 25.6])
    expect(seen[wide].titleFontPx).toBeLessThanOrEqual(seen[390].titleFontPx * 1.25)
  }
})
