import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { fetchJson, isApi, RESULTS_DIR, seedIssueId, TOKEN_STORAGE_KEY, useStackAndBrowser, withPage } from './harness'

/**
 * The reader's main screens as a new reader meets them, on the H5 build against the real API and
 * the simulator selling on WeChat Pay: each is checked for what it must say, then photographed to
 * test-results/screens/ (a phone, 390×844, and the article at 768 px). The dark pages are
 * photographed by dark-theme.test.ts.
 */
jest.setTimeout(180_000)

const SCREENS_DIR = path.join(RESULTS_DIR, 'screens')

let seedId: number
const env = useStackAndBrowser({ rail: 'wechatpay' }, async ({ stack }) => {
  seedId = await seedIssueId(stack)
})

/** A fresh load of one route: only its page in the DOM. */
async function open(page: Page, route: string): Promise<void> {
  await page.goto(`${env.stack.origin}/#${route}`)
  await page.reload()
}

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENS_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENS_DIR, `${name}.png`) })
}

test('the article without VIP: the free teaser, 目录 with the locked part, the paywall with plans', async () => {
  await withPage(env.browser, 'screens-article-free', async (page) => {
    await open(page, `/subpackages/article/pages/index?id=${seedId}`)
    const article = page.locator('.art-page:visible')
    await article.locator('.paywall-card').waitFor({ state: 'visible', timeout: 30_000 })
    await shoot(page, 'article-free')
    const card = article.locator('.paywall-card')
    await card.scrollIntoViewIfNeeded()
    const text = await card.innerText()
    expect(text).toContain('本篇为vip章节')
    expect(text).toMatch(/本期VIP内容：三、实战应用/)
    expect(text).toContain('开通后立即解锁本篇')
    for (const plan of ['一个月', '半年', '一年']) expect(text).toContain(plan)
    expect(text).toContain('约¥5.7/月')
    await shoot(page, 'paywall')
  })
})

test('the article with VIP: 参考作答 unfolds on request; the same article on a 768 px tablet', async () => {
  const token = await env.stack.vipToken('screens-vip', 30)
  await withPage(
    env.browser,
    'screens-article-vip',
    async (page) => {
      await open(page, `/subpackages/article/pages/index?id=${seedId}`)
      const article = page.locator('.art-page:visible')
      const show = article.locator('.blk-a-show').first()
      await show.waitFor({ state: 'visible', timeout: 30_000 })
      await show.click()
      const answer = article.locator('.blk-a').first()
      await answer.scrollIntoViewIfNeeded()
      expect(await answer.innerText()).toContain('参考作答')
      await shoot(page, 'article-vip')

      await page.setViewportSize({ width: 768, height: 1024 })
      await open(page, `/subpackages/article/pages/index?id=${seedId}`)
      await page.locator('.art-page:visible .art-title').waitFor({ state: 'visible', timeout: 30_000 })
      // One phone-sized column, not a phone's page doubled (widths.test.ts checks 320 to 1280 px).
      expect(await page.evaluate(() => document.body.getBoundingClientRect().width)).toBe(480)
      await shoot(page, 'article-768')
    },
    { token },
  )
})

test('会员, 我的 and 我的订单 with an order waiting for payment; a toast stays readable over text', async () => {
  await withPage(env.browser, 'screens-vip-me-orders', async (page) => {
    // A new reader, signed in silently with WeChat (only they may buy), leaves an order unpaid.
    const signedIn = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.goto(`${env.stack.origin}/`)
    expect((await signedIn).status()).toBe(200)
    const stored = await page.evaluate((key) => window.localStorage.getItem(key), TOKEN_STORAGE_KEY)
    const token = (JSON.parse(stored ?? '{}') as { data?: string }).data ?? ''
    const created = await fetchJson(
      'POST',
      `${env.stack.apiOrigin}/api/orders`,
      { planId: 'half_year', platform: 'android', requestKey: 'rk_screens_000001' },
      token,
    )
    expect(created.order.status).toBe('pending')

    await open(page, '/pages/vip/index')
    const vip = page.locator('.vip:visible')
    await vip.getByText('一年', { exact: false }).first().waitFor({ state: 'visible', timeout: 30_000 })
    // In a browser the service line stands for 在线客服 (WeChat's chat exists only in the mini-program).
    expect(await vip.innerText()).toContain('400-1788-950')
    await shoot(page, 'vip')

    await open(page, '/pages/me/index')
    const me = page.locator('.me:visible')
    await me.getByText('我的订单').first().waitFor({ state: 'visible', timeout: 30_000 })
    await shoot(page, 'me')

    await open(page, '/subpackages/orders/pages/index')
    await page.getByText('继续支付').first().waitFor({ state: 'visible', timeout: 30_000 })
    const text = await page.locator('body').innerText()
    expect(text).toContain(created.order.outTradeNo)
    expect(text).toContain('取消订单')
    // Both actions live: Taro's H5 Button reads disabled="false" as disabled (and paints it white).
    for (const action of await page.locator('.order-action:visible').all()) {
      expect(await action.getAttribute('disabled')).toBeNull()
    }
    await shoot(page, 'orders')

    // 复制 (the order number) answers with a toast: near-solid, not the 70 % of Taro's default.
    await page.locator('.order-copy:visible').first().click()
    const toast = page.locator('.taro__toast > div').last()
    await toast.waitFor({ state: 'visible', timeout: 10_000 })
    const alpha = await toast.evaluate((node) => {
      const match = /rgba?\(([^)]+)\)/.exec(getComputedStyle(node).backgroundColor)
      const parts = match ? match[1].split(',').map((part) => parseFloat(part)) : []
      return parts.length === 4 ? parts[3] : 1
    })
    expect(alpha).toBeGreaterThanOrEqual(0.9)
  })
})
