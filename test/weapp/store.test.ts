/**
 * 图书 (subpackages/store) of the real weapp build, on miniprogram-simulate, against the real API
 * server: the shelf and a product page render within the node budget (< 1000 WXML nodes) and the
 * setData budget (each payload ≤ 64 KB). Build first: npm run build:weapp.
 */
import { assertWeappBuilt, bootWeapp, startApiServer, treeStats, type ApiServer, type Weapp } from './harness'

jest.setTimeout(180_000)

const SHELF_PAGE = 'subpackages/store/pages/index'
const PRODUCT_PAGE = 'subpackages/store/pages/detail'
const PRODUCTS = 40
const SET_DATA_BUDGET = 64 * 1024

let api: ApiServer | undefined
let weapp: Weapp

const title = (n: number) => `2024预定【笔试考题${n}期】`

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  for (let n = 1; n <= PRODUCTS; n++) {
    const kind = n % 3 === 0 ? ['--kind', 'preorder', '--ship-date', '2027-03-01'] : ['--kind', 'in_stock']
    await api.admin(
      ...['product', 'add', `exam-${n}`, '--title', title(n), '--price', '388', '--original', '480'],
      ...['--stock', n === 2 ? '0' : '20', '--limit', '3', '--sort', String(n), '--on-shelf', ...kind],
    )
  }
  weapp = bootWeapp({ apiOrigin: api.origin })
})

afterAll(async () => {
  await api?.stop()
})

beforeEach(() => weapp.clearLogs())

const largestSetData = () => Math.max(0, ...weapp.setDataLog.map((record) => record.bytes))

describe('图书 (weapp runtime)', () => {
  it('the shelf: 40 products, far pages collapsed, within the node and setData budgets', async () => {
    const page = await weapp.open(SHELF_PAGE)
    await page.waitFor([title(1), '¥388.00', '¥480.00', '现货', '预售 · 2027-03-01发货', '已售罄'])
    expect(weapp.requests).toContain('GET /api/store/products')
    const stats = treeStats(page.component.dom)
    expect(stats.nodes).toBeLessThan(1000)
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)

    page.tap('.product')
    expect((await weapp.waitForCall('navigateTo')).options.url).toMatch(/^\/subpackages\/store\/pages\/detail\?id=\d+$/)
    page.unload()
  })

  it('the product page: counts the view, the stepper stops at 每人限购, within the budgets', async () => {
    const shelf = JSON.parse((await (await fetch(`${api!.origin}/api/store/products`)).text()) as string) as {
      items: Array<{ id: number; title: string }>
    }
    const product = shelf.items.find((item) => item.title === title(1))
    if (!product) throw new Error('the seeded product is not on the shelf')

    const page = await weapp.open(PRODUCT_PAGE, { id: String(product.id) })
    await page.waitFor([title(1), '立即购买', '库存 20 件 · 每人限购 3 件'])
    expect(weapp.requests).toContain(`GET /api/store/products/${product.id}`)
    for (let taps = 0; taps < 5; taps++) {
      page.tap('.stepper-more')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await page.waitFor(() => page.component.querySelector('.stepper-value')?.dom.textContent === '3')
    expect(treeStats(page.component.dom).nodes).toBeLessThan(1000)
    expect(largestSetData()).toBeLessThanOrEqual(SET_DATA_BUDGET)

    page.tap('.product-page-action')
    expect((await weapp.waitForCall('navigateTo')).options.url).toBe(
      `/subpackages/store/pages/checkout?id=${product.id}&qty=3`,
    )
    page.unload()
  })
})
