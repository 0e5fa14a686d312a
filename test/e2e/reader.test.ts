import type { Page } from 'playwright-core'
import {
  decodeJsonEscapes,
  findLeaks,
  findMissing,
  recordResponses,
  unfoldAnswers,
  vipSentences,
  withPage,
  useStackAndBrowser,
  leakingResponses,
} from './harness'

/**
 * A reader's way through the H5 build against the real API: the list, an issue, the
 * paywall, and the same issue with VIP. The sample issue is content/ + SAMPLE below.
 */
const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const TITLE = '中部城市群高质量发展'
const SECTIONS = ['一、背景链接', '二、深度解读']
const PAYWALL_TITLE = '本篇为VIP章节'

jest.setTimeout(120_000)

const vip = vipSentences(SAMPLE)

const env = useStackAndBrowser()

/** Opens the app, finds the sample issue in the list and opens it. */
async function openSampleIssue(page: Page): Promise<void> {
  await page.goto(`${env.stack.origin}/`)
  const item = page.getByText(TITLE).first()
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
  for (const heading of SECTIONS) {
    await page.getByText(heading).first().waitFor({ state: 'visible', timeout: 30_000 })
  }
}

async function pageText(page: Page): Promise<string> {
  return page.locator('body').innerText()
}

test('the sample has a VIP part to check against', () => {
  expect(vip.length).toBeGreaterThanOrEqual(5)
})

test('a reader without VIP sees the free part and the paywall, and receives no VIP text', async () => {
  await withPage(env.browser, 'reader-without-vip', async (page) => {
    const recorder = recordResponses(page)
    await openSampleIssue(page)
    await page.getByText(PAYWALL_TITLE).first().waitFor({ state: 'visible', timeout: 30_000 })
    await page.waitForLoadState('networkidle')
    await recorder.settle()

    const text = await pageText(page)
    expect(text).toContain(SECTIONS[0])
    expect(findLeaks(text, vip)).toEqual([])
    // The page's HTML too: hidden elements do not show in innerText.
    expect(findLeaks(await page.content(), vip)).toEqual([])

    // Every byte that reached the browser: HTML, scripts, API answers.
    const apiAnswers = recorder.responses.filter((response) => new URL(response.url).pathname.startsWith('/api/'))
    expect(apiAnswers.some((response) => response.body.includes(TITLE))).toBe(true)
    expect(leakingResponses(recorder.responses, vip)).toEqual([])
  })
})

test('a VIP reader sees the whole issue, questions and reference answers included', async () => {
  const token = await env.stack.vipToken('e2e-vip', 30)
  await withPage(
    env.browser,
    'reader-with-vip',
    async (page) => {
      const recorder = recordResponses(page)
      await openSampleIssue(page)
      await page.getByText('例题1').first().waitFor({ state: 'visible', timeout: 30_000 })
      // The Markdown's 【参考作答】 renders folded behind 先作答 / 查看参考作答 (src/subpackages/article/components/Blocks.tsx):
      // its text is in the issue the reader received, and on the page once unfolded.
      await page.getByText('查看参考作答').first().waitFor({ state: 'visible', timeout: 30_000 })
      const folded = findMissing(await pageText(page), vip)
      expect(folded.some((sentence) => sentence.includes('任务书'))).toBe(true)
      await unfoldAnswers(page)
      await page.locator('.blk-a-p').first().waitFor({ state: 'visible' })

      const text = await pageText(page)
      expect(findMissing(text, vip)).toEqual([])
      expect(text).not.toContain(PAYWALL_TITLE)

      // The control for the test above: the same leak check finds every VIP sentence here.
      await recorder.settle()
      const received = recorder.responses.map((response) => decodeJsonEscapes(response.body)).join('\n')
      expect(findLeaks(received, vip)).toHaveLength(vip.length)
    },
    { token },
  )
})
