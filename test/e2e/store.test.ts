import type { Page } from 'playwright-core'
import { fetchJson, readSqlite, useStackAndBrowser, withPage } from './harness'

/**
 * A reader buys a 现货 book on the H5 build, the real API and the WeChat simulator: 图书 from 首页,
 * the product, the stand-in address sheet, the stand-in WeChat Pay cashier, 待发货 in 我的订单; the
 * operator ships it with the CLI and the shipping-upload job tells WeChat; the reader sees 已发货
 * with the tracking number and, once WeChat says so, 确认收货 makes it 已收货. A preorder shows its
 * ship date on the shelf.
 */
jest.setTimeout(180_000)

const BOOK = '【新品现货】2024年10月笔试考题解析+答题纸'
const PREORDER = '【新品预售】2024年9-10月时政热点双月刊'
const TRACKING = 'SF1234567890'
const SHIP_DATE = '2027-01-15'

const env = useStackAndBrowser(
  { rail: 'wechatpay', env: { SHIPPING_UPLOAD_INTERVAL_MS: '200' } },
  async ({ stack }) => {
    const add = (slug: string, title: string, ...rest: string[]) =>
      stack.admin('product', 'add', slug, '--title', title, '--price', '37', '--stock', '10', '--on-shelf', ...rest)
    await add('exam-2024-10', BOOK, '--kind', 'in_stock', '--original', '48')
    await add('hot-2024-09', PREORDER, '--kind', 'preorder', '--ship-date', SHIP_DATE)
  },
)

/** Waits for `text` on the page in view (Taro's H5 router keeps earlier pages in the DOM, hidden). */
async function waitForText(page: Page, text: string, timeout = 30_000): Promise<void> {
  await page.getByText(text).filter({ visible: true }).first().waitFor({ state: 'visible', timeout })
}

const visible = (page: Page, text: string) => page.getByText(text, { exact: true }).filter({ visible: true }).first()

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

test('a reader buys a 现货 book, the operator ships it, the reader confirms receipt', async () => {
  const { stack, browser } = env
  await withPage(browser, 'store-buy', async (page) => {
    page.setDefaultTimeout(30_000)
    await page.goto(`${stack.origin}/?wxuser=book-reader`)
    await visible(page, '图书 ›').click()
    await waitForText(page, BOOK)
    const row = page.locator('.product').filter({ hasText: BOOK }).filter({ visible: true }).first()
    expect(await row.innerText()).toMatch(/现货[\s\S]*¥37\.00[\s\S]*¥48\.00[\s\S]*销售 0件 · 浏览 0人/)
    const preorder = await page.locator('.product').filter({ hasText: PREORDER }).filter({ visible: true }).innerText()
    expect(preorder).toContain(`预售 · ${SHIP_DATE}发货`)
    await row.click()

    await waitForText(page, '立即购买')
    // The product's head is its cover and lines, not a screen-high box pushing 数量 out of sight.
    const head = await page.locator('.product-head-page').filter({ visible: true }).boundingBox()
    const quantity = await page.getByText('数量', { exact: true }).filter({ visible: true }).boundingBox()
    expect(head!.height).toBeLessThan(page.viewportSize()!.height / 2)
    expect(quantity!.y).toBeLessThan(page.viewportSize()!.height)
    await visible(page, '立即购买').click()
    await waitForText(page, '选择收货地址 ›')
    await visible(page, '选择收货地址 ›').click()
    const addressSheet = page.getByRole('dialog', { name: '选择收货地址' })
    await addressSheet.getByText('使用该地址', { exact: true }).click()
    await waitForText(page, '张三 13800138000')
    await visible(page, '提交订单').click()

    const cashier = page.getByRole('dialog', { name: '微信支付' })
    await cashier.getByText('¥37.00').waitFor({ state: 'visible' })
    await cashier.getByText('确认支付', { exact: true }).click()
    await waitForText(page, '支付成功')
    await waitForText(page, '待发货')
    await visible(page, '查看订单').click()
    await waitForText(page, `${BOOK} ×1`)
    const order = page.locator('.order').filter({ visible: true }).first()
    expect(await order.innerText()).toMatch(
      /待发货[\s\S]*¥37\.00[\s\S]*张三 13800138000[\s\S]*广东省 广州市 海珠区 新港中路397号/,
    )

    // The operator ships it; the job uploads it to WeChat's 发货信息管理 (the simulator).
    const { id, outTradeNo } = readSqlite(stack.sqlitePath, (db) =>
      db.prepare("select id, out_trade_no as outTradeNo from orders where kind = 'goods'").get(),
    ) as { id: number; outTradeNo: string }
    await stack.admin('product', 'ship', String(id), '--company', 'SF', '--tracking', TRACKING)
    await until('the shipping upload', async () => {
      const answer = await fetchJson('GET', `${stack.simOrigin}/__control/shipping`)
      return JSON.stringify(answer).includes(TRACKING) ? true : undefined
    })
    await page.reload()
    await waitForText(page, TRACKING)
    expect(await page.locator('.order').filter({ visible: true }).first().innerText()).toMatch(
      /已发货[\s\S]*顺丰速运 SF1234567890[\s\S]*复制单号[\s\S]*确认收货/,
    )

    // The reader confirms in WeChat's component (the simulator's control), then taps 确认收货: the
    // server asks WeChat (get_order) and marks it 已收货.
    await fetchJson('POST', `${stack.simOrigin}/__control/shipping/confirm-receipt`, { out_trade_no: outTradeNo })
    const confirmed = page.waitForResponse((response) =>
      /\/api\/store\/orders\/\d+\/confirm-receipt$/.test(response.url()),
    )
    await visible(page, '确认收货').click()
    expect((await confirmed).status()).toBe(200)
    // The server took WeChat's word: 已收货 at least (已完成 if the settlement push came first).
    await page
      .getByText(/^(已收货|已完成)$/)
      .filter({ visible: true })
      .first()
      .waitFor({ state: 'visible' })
    expect(await page.getByText('确认收货', { exact: true }).filter({ visible: true }).count()).toBe(0)
    // WeChat's settlement push follows the confirmation; once the server handled it the order is
    // 已完成, whichever came first.
    await until('the settled shipment', async () => {
      const row = readSqlite(stack.sqlitePath, (db) =>
        db.prepare('select settled_at from shipments where order_id = ?').get(id),
      ) as { settled_at: number | null }
      return row.settled_at !== null ? true : undefined
    })
    await page.reload()
    await waitForText(page, TRACKING)
    expect(await page.locator('.order').filter({ visible: true }).first().innerText()).toMatch(/已完成/)
  })
})
