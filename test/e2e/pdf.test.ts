import fs from 'node:fs'
import type { Page } from 'playwright-core'
import { isApi, withPage, useStackAndBrowser } from './harness'

/**
 * 下载PDF on the H5 build with the real API and the WeChat simulator: a reader without VIP is told
 * PDF下载为VIP专享 and sent to 开通会员 (the API refused with 403 VIP_REQUIRED); a VIP reader gets the PDF (200 application/pdf),
 * saved by the browser under the Chinese name.
 */
const TITLE = '中部城市群高质量发展'

jest.setTimeout(180_000)

const env = useStackAndBrowser()

const isPdfRequest = isApi('GET', /^\/api\/issues\/\d+\/pdf$/)

/** The visible article page (Taro H5 keeps earlier pages of the stack in the DOM, hidden). */
const article = (page: Page) => page.locator('.art-page:visible')

async function openSeedArticle(page: Page): Promise<void> {
  await page.goto(`${env.stack.origin}/`)
  const item = page.getByText(TITLE).first()
  await item.waitFor({ state: 'visible', timeout: 30_000 })
  await item.click()
  await article(page).locator('.art-title', { hasText: TITLE }).waitFor({ state: 'visible', timeout: 30_000 })
}

test('a reader without VIP taps 下载PDF, is told PDF下载为VIP专享 and lands on 开通会员', async () => {
  await withPage(env.browser, 'pdf-non-vip', async (page) => {
    // Signed in silently on the first visit, as a new reader without VIP.
    const signedIn = page.waitForResponse(isApi('POST', '/api/auth/login'))
    await page.goto(`${env.stack.origin}/?wxuser=e2e-pdf-reader`)
    expect((await signedIn).status()).toBe(200)
    await openSeedArticle(page)

    // A live button must not carry disabled="false" (Taro H5 styles any [disabled] as dead).
    expect(await article(page).locator('.pdf-download-button').getAttribute('disabled')).toBeNull()
    const refused = page.waitForResponse(isPdfRequest)
    await article(page).getByText('下载PDF').click()
    const response = await refused
    expect(response.status()).toBe(403)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VIP_REQUIRED')
    // Why first, then the way to it: the dialog's 开通会员 opens the purchase page.
    await page.getByText('PDF下载为VIP专享').waitFor({ state: 'visible', timeout: 30_000 })
    await page.getByText('开通会员', { exact: true }).filter({ visible: true }).click()
    await page.waitForURL(/\/subpackages\/vip\/pages\/index/, { timeout: 30_000 })
  })
})

test('a VIP reader taps 下载PDF and gets the PDF', async () => {
  const token = await env.stack.vipToken('e2e-pdf-vip', 30)
  await withPage(
    env.browser,
    'pdf-vip',
    async (page) => {
      await openSeedArticle(page)
      const answered = page.waitForResponse(isPdfRequest)
      const saved = page.waitForEvent('download')
      await article(page).getByText('下载PDF').click()
      const response = await answered
      expect(response.status()).toBe(200)
      expect(response.headers()['content-type']).toBe('application/pdf')
      expect(Number(response.headers()['content-length'])).toBeGreaterThan(10_000)
      // The file the browser saved is the PDF (the response body itself went into a blob).
      const download = await saved
      expect(download.suggestedFilename()).toBe('山西第32期-中部城市群高质量发展.pdf')
      const file = fs.readFileSync(await download.path())
      expect(file.subarray(0, 5).toString('latin1')).toBe('%PDF-')
      expect(file.length).toBe(Number(response.headers()['content-length']))
      // Back from 下载中… once the file is saved.
      await article(page).getByText('下载PDF').waitFor({ state: 'visible', timeout: 30_000 })
    },
    { token },
  )
})
