import type { Browser, Page } from 'playwright-core'
import {
  decodeJsonEscapes,
  findLeaks,
  findMissing,
  launchBrowser,
  type PaymentRail,
  recordResponses,
  type Stack,
  startStack,
  unfoldAnswers,
  vipSentences,
  withPage,
  leakingResponses,
} from './harness'

/**
 * Buying VIP on the H5 build, the real API and the WeChat simulator, on each rail the API can sell
 * on: a reader new to the app opens the seed issue, meets the paywall, buys 半年 through the
 * stand-in cashier (the simulator pays, then pushes or notifies the API), and is back on the article,
 * which unlocks without a reload. No VIP text reaches the browser before the payment. The course
 * sold alone is bought the same way from a locked lesson's card, on the same rail, and its lessons
 * play; no URL of its paid lessons reaches the browser before the payment.
 */
const SAMPLE = 'content/shanxi-32-zhongbu-chengshiqun.md'
const TITLE = '中部城市群高质量发展'
const PAYWALL_TITLE = '本篇为VIP章节'
const PAYWALL_BUTTON = '开通VIP会员'
/** The sample course sold alone (content/courses/jiegouhua-mianshi), and a URL of its paid lessons' files */
const SALE_COURSE = '结构化面试精讲'
const PAID_LESSON_MEDIA = /\/api\/media\/course\/[^"'\s<>?]*jiegouhua-mianshi-lesson-[23]\./

jest.setTimeout(180_000)

const vip = vipSentences(SAMPLE)
let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
})

/** Waits for `text` on the page in view (Taro's H5 router keeps earlier pages in the DOM, hidden). */
async function waitForText(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor({ state: 'visible', timeout })
}

const visibleCount = (page: Page, text: string) => page.getByText(text).filter({ visible: true }).count()

/** A new reader (the simulator's user `user`) opens the app and the seed issue, and sees the paywall. */
async function openSampleIssue(page: Page, origin: string, user: string): Promise<void> {
  await page.goto(`${origin}/?wxuser=${encodeURIComponent(user)}`)
  const item = page.getByText(TITLE).first()
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
  await waitForText(page, PAYWALL_TITLE)
}

/** From the paywall to the cashier: 开通VIP会员 → 半年 → the agreement → 立即开通 ¥48. */
async function startBuyingHalfYear(page: Page) {
  await page.getByText(PAYWALL_BUTTON, { exact: true }).click()
  const pay = page.getByText('立即开通 ¥48', { exact: true })
  await pay.waitFor({ state: 'visible', timeout: 30_000 })
  await page.getByRole('radio').filter({ hasText: '半年' }).click()
  await page.getByRole('checkbox').click()
  await pay.click()
  const sheet = page.getByRole('dialog', { name: '微信支付' })
  await sheet.waitFor({ state: 'visible', timeout: 30_000 })
  return sheet
}

describe.each<PaymentRail>(['xpay', 'wechatpay'])(
  'buying VIP and a course on the %s rail (H5, API, simulator)',
  (rail) => {
    let stack: Stack

    beforeAll(async () => {
      stack = await startStack({ rail })
    })

    afterAll(async () => {
      await stack?.stop()
    })

    const pageIn = async <T>(name: string, fn: (page: Page) => Promise<T>) =>
      withPage(browser, `purchase-${rail}-${name}`, async (page) => {
        page.setDefaultTimeout(30_000)
        return fn(page)
      })

    test('a new reader pays from the paywall, comes back to the article, and it unlocks in place', async () => {
      await pageIn('paid', async (page) => {
        const recorder = recordResponses(page)
        await openSampleIssue(page, stack.origin, `buyer-${rail}`)
        const articleUrl = page.url()
        const sheet = await startBuyingHalfYear(page)
        await sheet.getByText('¥48.00').waitFor({ state: 'visible' })

        // Everything that reached the browser before the payment: no VIP text anywhere.
        await recorder.settle()
        const beforePaying = recorder.responses.length
        expect(leakingResponses(recorder.responses, vip)).toEqual([])

        await sheet.getByText('确认支付', { exact: true }).click()
        // Confirmed by the server (not by the sheet), then back to the same article, now whole.
        // 例题1 and its 参考作答 are the free teaser; 例题2 is the first VIP block.
        await waitForText(page, '例题2')
        expect(page.url()).toBe(articleUrl)
        expect(await visibleCount(page, PAYWALL_TITLE)).toBe(0)
        await unfoldAnswers(page)
        const text = await page.locator('body').innerText()
        expect(findMissing(text, vip)).toEqual([])

        // The page asked the server for the order's outcome, and the VIP text came only after it.
        await recorder.settle()
        const after = recorder.responses.slice(beforePaying)
        const fulfilled = after.findIndex(
          (response) =>
            /\/api\/orders\/\d+$/.test(new URL(response.url).pathname) &&
            JSON.parse(response.body).status === 'fulfilled',
        )
        const unlocked = after.findIndex((response) => findLeaks(decodeJsonEscapes(response.body), vip).length > 0)
        expect(fulfilled).toBeGreaterThanOrEqual(0)
        expect(unlocked).toBeGreaterThan(fulfilled)

        // 我的: the new expiry; 我的订单: the paid order.
        await page.goBack()
        await page.locator('.taro-tabbar__tabbar').getByText('我的', { exact: true }).click()
        await waitForText(page, '有效期至')
        await page.getByText('我的订单', { exact: true }).click()
        await waitForText(page, '已开通')
        const order = await page.locator('.order').filter({ visible: true }).first().innerText()
        expect(order).toContain('VIP会员·半年')
        expect(order).toContain('¥48.00')
      })
    })

    test('a reader buys the course sold alone from a lesson’s card; its lessons then play', async () => {
      await pageIn('course', async (page) => {
        const recorder = recordResponses(page)
        await page.goto(`${stack.origin}/?wxuser=${encodeURIComponent(`course-buyer-${rail}`)}`)
        await page.getByText('课程 ›', { exact: true }).filter({ visible: true }).click()
        const row = page.locator('.course').filter({ hasText: SALE_COURSE }).filter({ visible: true }).first()
        await row.waitFor({ state: 'visible' })
        expect(await row.innerText()).toMatch(/¥29\.9/)
        await row.click()
        await waitForText(page, '课程目录')
        await page
          .getByRole('button', { name: /^第2节 / })
          .filter({ visible: true })
          .first()
          .click()
        const buy = page.getByText('购买本课程 ¥29.9', { exact: true }).filter({ visible: true }).first()
        await buy.click()
        const sheet = page.getByRole('dialog', { name: '微信支付' })
        await sheet.waitFor({ state: 'visible' })
        await sheet.getByText('¥29.90').waitFor({ state: 'visible' })
        // Nothing of the paid lessons reached the browser before the payment.
        await recorder.settle()
        const beforePaying = recorder.responses.length
        expect(
          recorder.responses.filter((response) => PAID_LESSON_MEDIA.test(response.body)).map((r) => r.url),
        ).toEqual([])

        await sheet.getByText('确认支付', { exact: true }).click()
        // Confirmed by the server, the course reloads unlocked and lesson 2 plays from its signed URL.
        await page.waitForFunction(
          () =>
            [...document.querySelectorAll('video')].some((video) =>
              /\/api\/media\/course\/[^?]*jiegouhua-mianshi-lesson-2\.mp4\?sign=/.test(video.src),
            ),
          undefined,
          { timeout: 30_000 },
        )
        expect(await page.locator('#paywall').filter({ visible: true }).count()).toBe(0)
        await recorder.settle()
        const fulfilled = recorder.responses
          .slice(beforePaying)
          .some(
            (response) =>
              /\/api\/orders\/\d+$/.test(new URL(response.url).pathname) &&
              JSON.parse(response.body).status === 'fulfilled',
          )
        expect(fulfilled).toBe(true)
      })
    })

    test('a cancelled payment leaves the paywall in place', async () => {
      await pageIn('cancelled', async (page) => {
        await openSampleIssue(page, stack.origin, `canceller-${rail}`)
        const sheet = await startBuyingHalfYear(page)
        await sheet.getByText('取消', { exact: true }).click()
        await waitForText(page, '已取消支付')
        // Still on 开通会员, choice and tick kept; nothing was bought.
        expect(await page.getByRole('checkbox').getAttribute('aria-checked')).toBe('true')
        await page.goBack()
        await waitForText(page, PAYWALL_TITLE)
        expect(await visibleCount(page, '例题2')).toBe(0)
        expect(findLeaks(await page.content(), vip)).toEqual([])
      })
    })
  },
)
