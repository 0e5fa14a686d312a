import type { Page } from 'playwright-core'
import { isApi, useStackAndBrowser, withPage } from './harness'

/**
 * Moving around from an article on the H5 build and the real API: 上一期 opens on top of the page
 * stack (Back returns to the issue read before), and a crumb (山西) shows the home list filtered by
 * what it names, asked of the server. The sample content has 山西, 江苏, 四川 and 浙江 issues.
 */
const TITLE = '中部城市群高质量发展'

jest.setTimeout(150_000)

const env = useStackAndBrowser()

/** The visible article page (Taro H5 keeps earlier pages of the stack in the DOM, hidden). */
const article = (page: Page) => page.locator('.art-page:visible')

async function openSeed(page: Page): Promise<void> {
  await page.goto(`${env.stack.origin}/`)
  const item = page.getByText(TITLE).first()
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
  await article(page).locator('.art-title', { hasText: TITLE }).waitFor({ state: 'visible', timeout: 30_000 })
}

test('上一期, then Back, returns to the first article', async () => {
  await withPage(env.browser, 'article-previous-back', async (page) => {
    await openSeed(page)
    await article(page).locator('.art-nav-item', { hasText: '上一期' }).click()
    await article(page).locator('.art-title', { hasText: '第31期' }).waitFor({ state: 'visible', timeout: 30_000 })
    await page.goBack()
    await article(page).locator('.art-title', { hasText: TITLE }).waitFor({ state: 'visible', timeout: 30_000 })
    expect(new URL(page.url()).hash).toContain('/subpackages/article/pages/index')
  })
})

test('您现在的位置：… › 山西: the crumb shows the home list of 山西 in its column', async () => {
  await withPage(env.browser, 'article-crumbs', async (page) => {
    await openSeed(page)
    const crumbs = article(page).locator('.art-crumbs')
    expect(await crumbs.innerText()).toMatch(/^您现在的位置：首页 › .*热点精讲 › 山西 › 第32期$/)
    const filtered = page.waitForResponse(
      (response) =>
        isApi('GET', /^\/api\/issues$/)(response) &&
        new URL(response.url()).searchParams.get('region') === 'shanxi' &&
        new URL(response.url()).searchParams.get('column') !== null,
      { timeout: 30_000 },
    )
    await crumbs.locator('.art-crumb-link', { hasText: /^山西$/ }).click()
    expect((await filtered).status()).toBe(200)
    const home = page.locator('.home:visible')
    await home.locator('.home-column', { hasText: '栏目：热点精讲' }).waitFor({ state: 'visible', timeout: 30_000 })
    await home.locator('.region-chip-active', { hasText: '山西' }).waitFor({ state: 'visible' })
    const labels = await home.locator('.issue-card-label').allInnerTexts()
    expect(labels.length).toBeGreaterThanOrEqual(4)
    expect(labels.every((label) => label.includes('山西'))).toBe(true)

    // 全部栏目 ✕ keeps the region and drops the column.
    await home.getByText('全部栏目 ✕').click()
    await home.locator('.home-column').waitFor({ state: 'detached', timeout: 30_000 })
  })
})
