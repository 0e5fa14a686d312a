import type { Page } from 'playwright-core'
import { recordResponses, vipSentences, withPage, useStackAndBrowser, isApi, leakingResponses } from './harness'

/**
 * 往期导航 on the H5 build against the real API: 首页 → the navigator → 山西 → the grid of 第N期
 * cells with VIP and 未读 marks → an issue, 下一期 and 上一期 on the article → back on the
 * navigator the issue read shows 已读. The sample content gives the seed issue (山西 第32期) its
 * neighbours 30 (free), 31 and 33.
 * No response of the session carries a sentence of the seed's VIP part.
 */
const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const TITLE = '中部城市群高质量发展'

jest.setTimeout(180_000)

const vip = vipSentences(SAMPLE)

const env = useStackAndBrowser()

/** The cell of 第N期 on the visible navigator (Taro H5 keeps earlier pages in the DOM, hidden). */
const cell = (page: Page, number: number) =>
  page.locator('.nav-cell:visible', { has: page.locator('.nav-cell-num', { hasText: new RegExp(`^第${number}期$`) }) })

async function articleNumber(page: Page, number: number): Promise<void> {
  await page
    .locator('.art-page:visible .art-title', { hasText: `第${number}期` })
    .waitFor({ state: 'visible', timeout: 30_000 })
}

test('首页 → 往期导航 → 山西 grid with badges → an issue, 下一期 / 上一期 → back: 已读', async () => {
  await withPage(env.browser, 'navigator-flow', async (page) => {
    const recorder = recordResponses(page)
    const signedIn = page.waitForResponse(isApi('POST', /^\/api\/auth\/login$/))
    await page.goto(`${env.stack.origin}/`)
    expect((await signedIn).status()).toBe(200)

    const entry = page.getByText('往期导航 · 按期浏览 ›')
    await entry.waitFor({ state: 'visible', timeout: 30_000 })
    await entry.click()

    // 全部: one card per region with issues.
    const shanxi = page.locator('.nav-region:visible', { hasText: '山西' })
    await shanxi.waitFor({ state: 'visible', timeout: 30_000 })
    expect(await shanxi.innerText()).toContain('共4期 · 最新第33期')
    const grid = page.waitForResponse(isApi('GET', /^\/api\/navigator\/shanxi$/))
    await shanxi.click()
    expect((await grid).status()).toBe(200)

    // The grid, by number, with the VIP mark (第30期 is free) and 未读 for this signed-in reader.
    await cell(page, 33).waitFor({ state: 'visible', timeout: 30_000 })
    const numbers = await page.locator('.nav-cell:visible .nav-cell-num').allInnerTexts()
    expect(numbers).toEqual(['第30期', '第31期', '第32期', '第33期'])
    expect(await cell(page, 30).locator('.nav-cell-vip').count()).toBe(0)
    expect(await cell(page, 32).locator('.nav-cell-vip').count()).toBe(1)
    for (const number of [30, 31, 32, 33]) expect(await cell(page, number).innerText()).toContain('未读')

    // Open 第32期 and read into it: scrolling records progress (PUT /api/history/:id).
    await cell(page, 32).click()
    await page.locator('.art-page:visible .art-title', { hasText: TITLE }).waitFor({ timeout: 30_000 })
    const progress = page.waitForResponse(isApi('PUT', /^\/api\/history\/\d+$/), { timeout: 30_000 })
    await page
      .locator('.art-page:visible .sec')
      .first()
      .evaluate((node) => node.scrollIntoView({ block: 'start' }))
    expect((await progress).status()).toBe(200)

    // 下一期 and 上一期.
    await page.locator('.art-page:visible .art-nav-item', { hasText: '下一期' }).click()
    await articleNumber(page, 33)
    await page.locator('.art-page:visible .art-nav-item', { hasText: '上一期' }).click()
    await articleNumber(page, 32)
    await page.locator('.art-page:visible .art-title', { hasText: TITLE }).waitFor()

    // 上一期 / 下一期 open on top of the page stack: Back walks back through the issues read.
    await page.goBack()
    await articleNumber(page, 33)
    await page.goBack()
    await articleNumber(page, 32)

    // Back on the navigator, shown again: 第32期 is 已读, 第31期 still 未读.
    const refreshed = page.waitForResponse(isApi('GET', /^\/api\/navigator\/shanxi$/))
    await page.goBack()
    expect((await refreshed).status()).toBe(200)
    await cell(page, 32).locator('.nav-read', { hasText: '已读' }).waitFor({ state: 'visible', timeout: 30_000 })
    expect(await cell(page, 31).innerText()).toContain('未读')

    await recorder.settle()
    expect(leakingResponses(recorder.responses, vip)).toEqual([])
  })
})
