import type { Page } from 'playwright-core'
import { withPage, useStackAndBrowser, isApi } from './harness'

/**
 * A signed-in reader's study tools on the H5 build, the real API and the WeChat simulator: 收藏 and
 * 我的收藏, reading progress (scrolling records the paragraph reached, a reload offers it in the resume
 * bar and 继续阅读 goes there; 阅读记录 lists the issue with how far it was read),
 * and 阅读设置's font size applied on the article.
 */
const TITLE = '中部城市群高质量发展'
const SECTION = '二、深度解读'

jest.setTimeout(180_000)

const env = useStackAndBrowser()

/** The visible article page (Taro H5 keeps earlier pages of the stack in the DOM, hidden). */
const article = (page: Page) => page.locator('.art-page:visible')

async function waitForArticle(page: Page): Promise<void> {
  await article(page).locator('.art-title', { hasText: TITLE }).waitFor({ state: 'visible', timeout: 30_000 })
  await article(page).locator('.sec-h', { hasText: SECTION }).waitFor({ state: 'visible', timeout: 30_000 })
}

async function headingFontSize(page: Page): Promise<number> {
  return article(page)
    .locator('.sec-h', { hasText: SECTION })
    .evaluate((node) => parseFloat(getComputedStyle(node).fontSize))
}

async function openMeItem(page: Page, label: string): Promise<void> {
  // A fresh load: only this page in the DOM (a hash change alone keeps earlier pages around).
  await page.goto(`${env.stack.origin}/#/pages/me/index`)
  await page.reload()
  const item = page.locator('.me-item', { hasText: label })
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
}

test('收藏 and 我的收藏; a reload offers the paragraph recorded, 阅读记录 lists it; 阅读设置 font size', async () => {
  await withPage(env.browser, 'study-flow', async (page) => {
    // Signed in silently on the first visit.
    const signedIn = page.waitForResponse(isApi('POST', /^\/api\/auth\/login$/))
    await page.goto(`${env.stack.origin}/`)
    expect((await signedIn).status()).toBe(200)

    // The seed issue, from the list.
    const item = page.getByText(TITLE).first()
    await item.waitFor({ state: 'visible', timeout: 30_000 })
    await item.click()
    await waitForArticle(page)
    const articleUrl = page.url()
    expect(articleUrl).toContain('/subpackages/article/pages/index')
    // The standard font size before any setting: the section heading's size, to compare with later.
    expect(await article(page).getAttribute('class')).toContain('art-font-medium')
    const mediumSize = await headingFontSize(page)

    // 收藏
    const favButton = article(page).locator('.art-fav')
    await favButton.waitFor({ state: 'visible', timeout: 30_000 })
    expect(await favButton.innerText()).toContain('☆ 收藏')
    const favorited = page.waitForResponse(isApi('PUT', /^\/api\/favorites\/\d+$/))
    await favButton.click()
    expect((await favorited).status()).toBeLessThan(300)
    await article(page).locator('.art-fav-on', { hasText: '★ 已收藏' }).waitFor({ state: 'visible' })

    // The reader scrolls into a long section, to a paragraph well inside it: the article records the
    // block in the upper part of the screen (PUT /api/history/:id, with the block) from the browser's
    // own intersection observers, throttled to one request per PROGRESS_INTERVAL_MS. Waiting for that
    // request (rather than writing progress through the API) keeps the page's own record from racing the test.
    const section = article(page).locator('.sec', { has: page.locator('.sec-h', { hasText: SECTION }) })
    const blocks = section.locator('[id^="blk-"]')
    expect(await blocks.count()).toBeGreaterThan(6)
    const target = blocks.nth(5)
    const targetIndex = Number((await target.getAttribute('id'))!.replace(/^blk-/, ''))
    const recorded = page.waitForResponse(
      (response) =>
        isApi('PUT', /^\/api\/history\/\d+$/)(response) &&
        ((JSON.parse(response.request().postData() ?? '{}') as { block?: number }).block ?? -1) >= targetIndex,
      { timeout: 30_000 },
    )
    await target.evaluate((node) => node.scrollIntoView({ block: 'start' }))
    const record = await recorded
    expect(record.status()).toBe(200)
    const place = (await record.json()) as { block: number; percent: number }
    expect(place.percent).toBeGreaterThan(0)
    expect(place.percent).toBeLessThan(100)

    // A reload opens at the top and offers the place: 上次读到「…」· N%; 继续阅读 brings that paragraph up.
    const progressRead = page.waitForResponse(isApi('GET', /^\/api\/history\/\d+$/))
    await page.reload()
    await waitForArticle(page)
    expect((await progressRead).status()).toBe(200)
    const bar = article(page).locator('.resume-bar')
    await bar.waitFor({ state: 'visible', timeout: 30_000 })
    expect(await bar.innerText()).toMatch(new RegExp(`上次读到「.+」 · ${place.percent}%`))
    await bar.getByText('继续阅读').click()
    await page.waitForFunction(
      (anchor) => {
        const node = document.getElementById(anchor)
        if (!node) return false
        // Taro H5 scrolls the page element (.taro_page), not the window.
        const scrolled = node.closest('.taro_page')?.scrollTop ?? 0
        const top = node.getBoundingClientRect().top
        return scrolled > 0 && top > -50 && top < window.innerHeight * 0.4
      },
      `blk-${place.block}`,
      { timeout: 30_000 },
    )
    expect(await bar.isVisible()).toBe(false)

    // 我的 → 我的收藏 lists the issue, with when it was added (the locator waits for both).
    await openMeItem(page, '我的收藏')
    const favorite = page.locator('.study-item:visible', { hasText: TITLE }).filter({ hasText: '收藏于' })
    await favorite.waitFor({ state: 'visible', timeout: 30_000 })

    // 我的 → 阅读记录 lists it too, with when it was last read.
    await openMeItem(page, '阅读记录')
    const read = page.locator('.study-item:visible', { hasText: TITLE }).filter({ hasText: /上次阅读 .* · 已读\d+%/ })
    await read.waitFor({ state: 'visible', timeout: 30_000 })

    // 我的 → 阅读设置: 大, saved; the article shows the large font.
    await openMeItem(page, '阅读设置')
    await page.locator('.set-option-on', { hasText: '标准' }).waitFor({ state: 'visible', timeout: 30_000 })
    const saved = page.waitForResponse(isApi('PUT', /^\/api\/settings$/))
    await page.locator('.set-option', { hasText: /^大$/ }).click()
    expect((await saved).status()).toBe(200)
    await page.locator('.set-option-on', { hasText: /^大$/ }).waitFor({ state: 'visible' })
    await page.locator('.set-preview-large').waitFor({ state: 'visible' })

    await page.goto(articleUrl)
    await page.reload()
    await waitForArticle(page)
    await page.locator('.art-page.art-font-large:visible').waitFor({ state: 'visible', timeout: 30_000 })
    expect(await article(page).getAttribute('class')).not.toContain('art-font-medium')
    const fontSize = await headingFontSize(page)
    expect(mediumSize).toBeGreaterThan(0)
    expect(fontSize).toBeGreaterThan(mediumSize)
  })
})
