import crypto from 'node:crypto'
import {
  fetchJson,
  readSqlite,
  setUpConsole,
  signInToConsole,
  useStackAndBrowser,
  withPage,
  type Stack,
} from './harness'
import { SAMPLE_ADDRESS } from '../../server/test/store-fixtures'

/**
 * 商品 and 待发货 in Chromium: an operator adds a book in the console, a reader buys and pays for it
 * (through the API and the simulator's phone), the paid order waits in 待发货, the operator ships it
 * with a company and a tracking number, and the shipment shows 已上传 once the shipping-upload job
 * (every 300 ms here) has uploaded it to the simulator's 发货信息管理.
 */
jest.setTimeout(180_000)

const ADMIN = { name: 'guanli-store', password: 'store-console-password', role: 'admin' as const }
const SLUG = 'exam-2024-10-e2e'
const TITLE = '【新品现货】2024年10月笔试考题解析+答题纸'
const READER = 'store-console-reader'

const env = useStackAndBrowser({ rail: 'wechatpay', env: { SHIPPING_UPLOAD_INTERVAL_MS: '300' } }, async ({ stack }) =>
  setUpConsole(stack, ADMIN),
)

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeout = 30_000) {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** A reader signs in on the phone, buys a copy with an address and pays; resolves once it is 待发货 */
async function buyAndPay(stack: Stack, productId: number): Promise<number> {
  const { code } = await fetchJson('POST', `${stack.simOrigin}/__phone/login`, { user: READER })
  const { token } = await fetchJson('POST', `${stack.apiOrigin}/api/auth/login`, { code })
  const created = await fetchJson(
    'POST',
    `${stack.apiOrigin}/api/store/orders`,
    {
      productId,
      quantity: 1,
      address: SAMPLE_ADDRESS,
      platform: 'android',
      requestKey: crypto.randomBytes(8).toString('hex'),
    },
    token,
  )
  await fetchJson('POST', `${stack.simOrigin}/__phone/pay/jsapi`, {
    user: READER,
    ...created.payment.wechatpay,
    action: 'confirm',
  })
  const orderId = created.order.id as number
  await until('the order to be paid', () => {
    const row = readSqlite(stack.sqlitePath, (db) =>
      db.prepare('select status from orders where id = ?').get(orderId),
    ) as { status: string } | undefined
    return row?.status === 'paid' ? row : undefined
  })
  return orderId
}

test('an operator adds a book, a reader’s paid order waits in 待发货, the operator ships it, WeChat has it', async () => {
  await withPage(env.browser, 'console-store', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, env.stack.apiOrigin, ADMIN)

    // 商品 → 新建商品: the drawer's form, validated before it is sent
    await page.getByRole('menuitem', { name: '商品' }).click()
    await page.getByRole('button', { name: '新建商品' }).click()
    const drawer = page.locator('.ant-drawer-content')
    await drawer.getByRole('button', { name: /保\s*存/ }).click()
    await drawer.getByText('请填写标题').waitFor()
    await drawer.getByLabel('标题').fill(TITLE)
    await drawer.getByLabel('标识（slug）').fill(SLUG)
    await drawer.getByLabel('售价（元）').fill('37')
    await drawer.getByLabel('原价（元）').fill('30')
    await drawer.getByRole('button', { name: /保\s*存/ }).click()
    await drawer.getByText('原价需高于售价').waitFor()
    await drawer.getByLabel('原价（元）').fill('48')
    await drawer.getByLabel('库存').fill('10')
    await drawer.getByLabel('上架').click()
    await drawer.getByLabel('原因').fill('新书上架')
    await drawer.getByRole('button', { name: /保\s*存/ }).click()
    const row = page.locator('tr', { hasText: TITLE })
    await row.getByText('上架').waitFor()
    await row.getByText('¥37.00').waitFor()

    const products = await fetchJson('GET', `${env.stack.apiOrigin}/api/store/products`)
    const product = products.items.find((item: { slug: string }) => item.slug === SLUG)
    expect(product).toMatchObject({ title: TITLE, priceFen: 3700, originalPriceFen: 4800, stock: 10 })

    const orderId = await buyAndPay(env.stack, product.id)

    // 待发货: the order, its address; 发货 with a company and a tracking number
    await page.getByRole('menuitem', { name: '待发货' }).click()
    const waiting = page.locator('tr', { hasText: `#${orderId}` }).first()
    await waiting.getByText('张三 13800138000 广东省广州市海珠区新港中路397号').waitFor()
    await waiting.getByText(`${TITLE} ×1`).waitFor()
    await waiting.getByRole('button', { name: /发\s*货/ }).click()
    const dialog = page.getByRole('dialog').filter({ hasText: `发货：订单 #${orderId}` })
    // A click while antd's modal still zooms in can be lost (seen once in CI): wait for the motion to end.
    await page.waitForFunction(() => !document.querySelector('.ant-modal[class*="ant-zoom"]'))
    await dialog.getByRole('button', { name: /确认发货/ }).click()
    await dialog.getByText('请选择快递公司').waitFor()
    await dialog.getByLabel('快递公司').click()
    await page.locator('.ant-select-item-option', { hasText: '顺丰速运（SF）' }).click()
    await dialog.getByLabel('运单号').fill('SF1234567890')
    await dialog.getByRole('button', { name: /确认发货/ }).click()
    await page.getByText('没有待发货的订单').waitFor()

    // 发货记录: 待上传 turns 已上传 once the job has uploaded it
    await page.getByTestId(`shipment-${orderId}`).getByText('已上传').waitFor()
    const shipment = readSqlite(env.stack.sqlitePath, (db) =>
      db
        .prepare('select status, express_company, tracking_no, attempts from shipments where order_id = ?')
        .get(orderId),
    )
    expect(shipment).toEqual({ status: 'uploaded', express_company: 'SF', tracking_no: 'SF1234567890', attempts: 1 })
    const wechat = await fetchJson('GET', `${env.stack.simOrigin}/__control/shipping`)
    const atWeChat = wechat.orders.filter((order: { uploads: unknown[] }) => order.uploads.length > 0)
    expect(atWeChat).toHaveLength(1)
    expect(atWeChat[0].uploads).toEqual([expect.objectContaining({ tracking_no: 'SF1234567890' })])

    // 订单 shows the goods order with its parcel
    await page.getByRole('menuitem', { name: '订单' }).click()
    await page
      .locator('tr', { hasText: `#${orderId}` })
      .getByRole('button', { name: /详\s*情/ })
      .click()
    await page.getByTestId('goods-stage').getByText('已发货').waitFor()
    await page.locator('.ant-drawer-content').getByText('SF1234567890').waitFor()
  })
})
