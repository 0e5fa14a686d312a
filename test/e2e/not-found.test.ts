import { useStackAndBrowser, withPage } from './harness'

/**
 * Addresses that name no page, typed or pasted into the H5 preview, land on 页面不存在 with the way
 * home: neither a blank page nor an uncaught error (withPage fails on any error in the page).
 */
jest.setTimeout(120_000)

const env = useStackAndBrowser()

const ADDRESSES = ['#/no/such/page', '#/subpackages/article/pages/nope?id=1', '#/%%%/<script>alert(1)</script>']

test.each(ADDRESSES)('%s shows 页面不存在, and 返回首页 leads to the issue list', async (address) => {
  await withPage(env.browser, `not-found-${address}`, async (page) => {
    page.setDefaultTimeout(30_000)
    await page.goto(`${env.stack.origin}/${address}`)
    await page.getByText('页面不存在', { exact: true }).filter({ visible: true }).first().waitFor()
    await page.getByText('返回首页', { exact: true }).click()
    await page.getByText('中部城市群高质量发展').first().waitFor()
    expect(new URL(page.url()).hash).toMatch(/^#\/pages\/index\/index/)
  })
})

test('the preview has an icon of its own', async () => {
  await withPage(env.browser, 'favicon', async (page) => {
    await page.goto(`${env.stack.origin}/`)
    const icon = await page.locator('link[rel="icon"]').getAttribute('href')
    expect(icon).toMatch(/^data:image\/svg\+xml,/)
  })
})
