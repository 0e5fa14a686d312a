import fs from 'node:fs'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { fetchJson, RESULTS_DIR, seedIssueId, useStackAndBrowser, withPage } from './harness'

/**
 * 深色 everywhere (issue 13), on the H5 build in Chromium: a reader who chose it on the server (and
 * has it in storage, as the app keeps it) gets dark pages, cards, title bar and tab bar on 首页, 我的,
 * 会员, an article with its 目录 and paywall, 练习作答 and a legal page; 浅色 turns them back. Colours
 * are read from the computed styles; screenshots of the dark article and 首页 go to test-results/.
 */
jest.setTimeout(180_000)

let seedId: number
const env = useStackAndBrowser({}, async ({ stack }) => {
  seedId = await seedIssueId(stack)
})

type Rgb = [number, number, number]

/** Every rgb()/rgba() colour in a computed value that is not fully transparent */
function coloursIn(value: string): Rgb[] {
  const colours: Rgb[] = []
  for (const match of value.matchAll(/rgba?\(([^)]+)\)/g)) {
    const [r, g, b, a = 1] = match[1].split(',').map((part) => parseFloat(part))
    if (a > 0) colours.push([r, g, b])
  }
  return colours
}

/** WCAG relative luminance, 0 (black) to 1 (white) */
function luminance([r, g, b]: Rgb): number {
  const channel = (value: number) => {
    const c = value / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

const DARK = 0.05
const LIGHT = 0.35

/** The colours an element is painted with: its background colour and any gradient's stops */
async function backgroundOf(locator: Locator): Promise<Rgb[]> {
  const { color, image } = await locator.evaluate((node) => {
    const style = getComputedStyle(node)
    return { color: style.backgroundColor, image: style.backgroundImage }
  })
  const colours = [...coloursIn(color), ...coloursIn(image)]
  if (colours.length === 0) throw new Error(`${locator.toString()} paints no background (${color}; ${image})`)
  return colours
}

async function expectDarkBackground(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 30_000 })
  for (const colour of await backgroundOf(locator)) expect(luminance(colour)).toBeLessThan(DARK)
}

async function expectLightBackground(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 30_000 })
  for (const colour of await backgroundOf(locator)) expect(luminance(colour)).toBeGreaterThan(LIGHT)
}

async function expectLightText(locator: Locator): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 30_000 })
  const [colour] = coloursIn(await locator.evaluate((node) => getComputedStyle(node).color))
  expect(luminance(colour)).toBeGreaterThan(LIGHT)
}

/** A fresh load of one page: only it in the DOM (a hash change alone keeps earlier pages, hidden). */
async function open(page: Page, route: string): Promise<void> {
  await page.goto(`${env.stack.origin}/#${route}`)
  await page.reload()
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: true })
}

async function signedInReader(name: string, theme: 'dark' | 'light'): Promise<string> {
  const issued = await env.stack.admin('token', name)
  const token = /^token (\S+)$/m.exec(issued)?.[1]
  if (!token) throw new Error(`unexpected output of admin token:\n${issued}`)
  await fetchJson('PUT', `${env.stack.apiOrigin}/api/settings`, { theme }, token)
  return token
}

test('深色: every page, card, the title bar and the tab bar are dark, with light text', async () => {
  const token = await signedInReader('e2e-dark', 'dark')
  await withPage(
    env.browser,
    'dark-theme',
    async (page, context) => {
      // As the app keeps the reader's settings (Taro storage wraps values in { data }).
      await context.addInitScript(
        `localStorage.setItem('readerSettings', ${JSON.stringify(JSON.stringify({ data: { fontSize: 'medium', theme: 'dark' } }))})`,
      )

      await open(page, '/pages/index/index')
      const home = page.locator('.home:visible')
      await home.locator('.issue-card').first().waitFor({ state: 'visible', timeout: 30_000 })
      await expectDarkBackground(home)
      await expectDarkBackground(page.locator('body'))
      await expectDarkBackground(home.locator('.issue-card').first())
      await expectLightText(home.locator('.issue-card-title').first())
      // The title bar in theme.json's dark navBgColor (#111a2b; the light one is the brand blue)
      expect(await backgroundOf(page.locator('#taro-navigation-bar'))).toEqual([[17, 26, 43]])
      await expectDarkBackground(page.locator('.taro-tabbar__tabbar .weui-tabbar'))
      expect(await page.locator('html').getAttribute('class')).toContain('theme-dark')
      await screenshot(page, 'dark-home')

      await open(page, '/pages/me/index')
      const me = page.locator('.me:visible')
      await expectDarkBackground(me)
      await expectDarkBackground(me.locator('.me-menu').first())
      await expectLightText(me.locator('.me-item-label').first())

      await open(page, '/pages/vip/index')
      const vip = page.locator('.vip:visible')
      await expectDarkBackground(vip)
      // This stack sells nothing: the card says so where the plans would be.
      await expectDarkBackground(vip.locator('.vip-card').first())
      await expectLightText(vip.locator('.vip-card-title, .vip-unavailable-text').first())

      await open(page, `/subpackages/article/pages/index?id=${seedId}`)
      const article = page.locator('.art-page:visible')
      await article.locator('.paywall-card').waitFor({ state: 'visible', timeout: 30_000 })
      await expectDarkBackground(article)
      await expectLightText(article.locator('.art-title'))
      await expectLightText(article.locator('.blk-p').first())
      // 目录, the paywall card and the fade above it (into the dark paper, not white)
      await expectDarkBackground(article.locator('.toc'))
      await expectDarkBackground(article.locator('.paywall-card'))
      await expectDarkBackground(article.locator('.paywall-fade'))
      await expectLightText(article.locator('.paywall-title'))
      // The 参考作答 (folded until asked for) and its 共N字 pill
      await article.locator('.blk-a-show').first().click()
      await expectDarkBackground(article.locator('.blk-a').first())
      await expectDarkBackground(article.locator('.blk-a-count').first())
      await screenshot(page, 'dark-article')
      await article.locator('.paywall-card').scrollIntoViewIfNeeded()
      await screenshot(page, 'dark-paywall')

      await open(page, `/subpackages/practice/pages/index?id=${seedId}&q=q1`)
      const practice = page.locator('.pp:visible')
      await practice.locator('textarea').waitFor({ state: 'visible', timeout: 30_000 })
      await expectDarkBackground(practice)
      await expectDarkBackground(practice.locator('.pq'))
      await expectLightText(practice.locator('.pq-prompt'))

      await open(page, '/subpackages/legal/pages/privacy')
      const legal = page.locator('.legal:visible')
      await expectDarkBackground(legal)
      await expectLightText(legal.locator('.legal-paragraph').first())
    },
    { token },
  )
})

test('浅色 chosen in 阅读设置 turns the pages light again', async () => {
  const token = await signedInReader('e2e-light-again', 'dark')
  await withPage(
    env.browser,
    'dark-theme-back',
    async (page) => {
      await open(page, '/subpackages/study/pages/settings')
      const settings = page.locator('.set:visible')
      await settings.waitFor({ state: 'visible', timeout: 30_000 })
      // The reader's 深色 from the server, then 浅色 tapped: the page and its preview follow at once.
      await page.locator('.set.theme-dark:visible').waitFor({ state: 'visible', timeout: 30_000 })
      await expectDarkBackground(settings.locator('.set-preview'))
      await settings.getByText('浅色', { exact: true }).click()
      await expectLightBackground(settings)
      await expectLightBackground(settings.locator('.set-preview'))

      await open(page, '/pages/index/index')
      const home = page.locator('.home:visible')
      await expectLightBackground(home)
      await expectLightBackground(page.locator('body'))
      expect(await page.locator('html').getAttribute('class')).toContain('theme-light')
    },
    { token },
  )
})
