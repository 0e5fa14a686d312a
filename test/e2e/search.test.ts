import {
  decodeJsonEscapes,
  recordResponses,
  vipSentences,
  withPage,
  useStackAndBrowser,
  leakingResponses,
} from './harness'

/**
 * 搜索 on the H5 build against the real API: from 首页's search bar, a query that finds the seed
 * issue with its match highlighted, opening the hit, and a query without result. No response of
 * the whole session carries a sentence of the seed's VIP part.
 */
const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const FULL_TITLE = '【山西·第32期】中部城市群高质量发展'
const QUERY = '城市群'
const NO_RESULT_QUERY = '量子纠缠望远镜'

jest.setTimeout(120_000)

const vip = vipSentences(SAMPLE)

const env = useStackAndBrowser()

test('搜索 from 首页 finds the seed issue highlighted and opens it; no result shows the empty state; no VIP text', async () => {
  await withPage(env.browser, 'search-flow', async (page) => {
    const recorder = recordResponses(page)
    await page.goto(`${env.stack.origin}/`)
    const bar = page.getByText('搜索期刊、热点关键词', { exact: true })
    await bar.waitFor({ state: 'visible', timeout: 30_000 })
    await bar.click()

    // The start state, then the query, searched after the typing pauses.
    await page.getByText('搜索期刊', { exact: true }).waitFor({ state: 'visible', timeout: 30_000 })
    const input = page.locator('.search-input input')
    await input.waitFor({ state: 'visible' })
    const searched = page.waitForResponse(
      (response) =>
        new URL(response.url()).pathname === '/api/search' && new URL(response.url()).searchParams.get('q') === QUERY,
    )
    await input.fill(QUERY)
    expect((await searched).status()).toBe(200)

    const hit = page.locator('.search-hit', { hasText: FULL_TITLE })
    await hit.waitFor({ state: 'visible', timeout: 30_000 })
    // The match is highlighted: a marked segment of the snippet holds the query.
    const marks = hit.locator('.search-hit-mark')
    expect(await marks.count()).toBeGreaterThan(0)
    expect(await marks.allInnerTexts()).toContain(QUERY)

    // Tapping the hit opens the article.
    await hit.click()
    await page.locator('.art-title', { hasText: '中部城市群高质量发展' }).waitFor({ state: 'visible', timeout: 30_000 })
    await page.getByText('一、背景链接').first().waitFor({ state: 'visible', timeout: 30_000 })
    expect(page.url()).toContain('/subpackages/article/pages/index')

    // Back on the search page, a query without result shows the empty state.
    await page.goBack()
    await input.waitFor({ state: 'visible', timeout: 30_000 })
    const none = page.waitForResponse(
      (response) =>
        new URL(response.url()).pathname === '/api/search' &&
        new URL(response.url()).searchParams.get('q') === NO_RESULT_QUERY,
    )
    await input.fill(NO_RESULT_QUERY)
    expect((await none).status()).toBe(200)
    await page.getByText('没有找到相关内容', { exact: true }).waitFor({ state: 'visible', timeout: 30_000 })
    await page.getByText(`没有与“${NO_RESULT_QUERY}”相关的期刊，换个关键词试试`).waitFor({ state: 'visible' })
    expect(await page.locator('.search-hit:visible').count()).toBe(0)

    // Every byte that reached the browser: no VIP sentence of the seed, while search answers came.
    await page.waitForLoadState('networkidle')
    await recorder.settle()
    const searches = recorder.responses.filter((response) => new URL(response.url).pathname === '/api/search')
    expect(searches.length).toBeGreaterThanOrEqual(2)
    expect(searches.some((response) => decodeJsonEscapes(response.body).includes('中部城市群高质量发展'))).toBe(true)
    expect(leakingResponses(recorder.responses, vip)).toEqual([])
  })
})
