import { fetchJson, readSqlite, setUpConsole, signInToConsole, useStackAndBrowser, withPage } from './harness'

/**
 * 课程 in Chromium: the stack starts with the two sample courses (content/courses/); an admin sees
 * them in the console with cover, access, price, lessons and counts, changes the price of the course
 * sold alone in the drawer (the reason is asked for), and takes it off the shelf with the switch.
 * The reader's GET /api/courses no longer lists it, and both changes are in the audit trail.
 */
jest.setTimeout(180_000)

const ADMIN = { name: 'guanli-courses', password: 'courses-console-password', role: 'admin' as const }
const SALE_TITLE = '结构化面试精讲'
const VIP_TITLE = '申论高分写作课'

const env = useStackAndBrowser({}, async ({ stack }) => setUpConsole(stack, ADMIN))

type Listed = { items: { id: number; title: string; priceFen: number | null }[] }

test('an admin reprices a course and takes it off the shelf; readers no longer see it', async () => {
  const before: Listed = await fetchJson('GET', `${env.stack.apiOrigin}/api/courses`)
  const sale = before.items.find((item) => item.title === SALE_TITLE)
  expect(sale).toMatchObject({ priceFen: 2990 })
  const saleId = sale?.id as number

  await withPage(env.browser, 'console-courses', async (page) => {
    page.setDefaultTimeout(30_000)
    await signInToConsole(page, env.stack.apiOrigin, ADMIN)

    // 课程 is in the menu next to 商品
    await page.getByRole('menuitem', { name: '课程' }).waitFor()
    const menu = await page.getByRole('menuitem').allTextContents()
    expect(menu.indexOf('课程')).toBe(menu.indexOf('商品') + 1)
    await page.getByRole('menuitem', { name: '课程' }).click()

    const row = page.locator('tr', { hasText: SALE_TITLE })
    await row.getByText('单独购买').waitFor()
    await row.getByText('¥29.90').waitFor()
    await row.getByText('3 节').waitFor()
    const vipRow = page.locator('tr', { hasText: VIP_TITLE })
    await vipRow.getByText('VIP免费').waitFor()
    await vipRow.getByText('4 节').waitFor()
    // The covers are the API's public images, loaded
    const cover = row.getByRole('img', { name: `${SALE_TITLE} 封面` })
    await cover.waitFor()
    await page.waitForFunction((alt) => {
      const image = document.querySelector<HTMLImageElement>(`img[alt="${alt}"]`)
      return image !== null && image.complete && image.naturalWidth > 0
    }, `${SALE_TITLE} 封面`)

    // 编辑: a new price needs a reason; the drawer names the 道具 to change alike
    await row.getByRole('button', { name: /编\s*辑/ }).click()
    const drawer = page.locator('.ant-drawer-content')
    await drawer.getByText(`道具 course_${saleId}`).waitFor()
    await drawer.getByLabel('售价（元）').fill('39.9')
    await drawer.getByRole('button', { name: /保\s*存/ }).click()
    await drawer.getByText('修改价格请填写原因').waitFor()
    await drawer.getByLabel('原因').fill('新版课程调价')
    await drawer.getByRole('button', { name: /保\s*存/ }).click()
    await page.getByText(`请在小程序虚拟支付后台把道具 course_${saleId} 的价格改为 ¥39.90`).waitFor()
    await row.getByText('¥39.90').waitFor()

    // The switch asks first, then takes it off the shelf
    const toggle = row.getByRole('switch', { name: `《${SALE_TITLE}》上架` })
    expect(await toggle.getAttribute('aria-checked')).toBe('true')
    await toggle.click()
    await page.getByText(`下架《${SALE_TITLE}》？`).waitFor()
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /下\s*架/ })
      .click()
    await page.getByText(`《${SALE_TITLE}》已下架`).waitFor()
    await page.waitForFunction(
      (title) =>
        document.querySelector(`button[role="switch"][aria-label="《${title}》上架"]`)?.getAttribute('aria-checked') ===
        'false',
      SALE_TITLE,
    )
  })

  const after: Listed = await fetchJson('GET', `${env.stack.apiOrigin}/api/courses`)
  expect(after.items.map((item) => item.title)).toEqual([VIP_TITLE])
  const response = await fetch(`${env.stack.apiOrigin}/api/courses/${saleId}`)
  expect(response.status).toBe(404)

  const audited = readSqlite(env.stack.sqlitePath, (db) =>
    db
      .prepare(
        'select operator_name, action, reason, before_json, after_json from admin_audit where target = ? order by id',
      )
      .all(`course:${saleId}`),
  )
  expect(audited).toEqual([
    {
      operator_name: ADMIN.name,
      action: 'course.price',
      reason: '新版课程调价',
      before_json: JSON.stringify({ priceFen: 2990 }),
      after_json: JSON.stringify({ priceFen: 3990 }),
    },
    {
      operator_name: ADMIN.name,
      action: 'course.shelf',
      reason: '',
      before_json: JSON.stringify({ onShelf: true }),
      after_json: JSON.stringify({ onShelf: false }),
    },
  ])
})
