/**
 * The article's tools for a signed-in VIP reader, on the real weapp build (miniprogram-simulate)
 * against the real API server: 下载PDF, 练习作答 under each 例题, and 通知我下一期 only when the
 * API has a subscribe-message template. Apart from article.test.ts because the session is decided
 * at launch: that file launches signed out, this one with a stored VIP token. Two API servers, one
 * with a template and one without (the default). Build first: npm run build:weapp.
 */
import {
  ARTICLE_PAGE,
  assertWeappBuilt,
  bootWeapp,
  seedIssueId,
  startApiServer,
  type ApiServer,
  type Weapp,
} from './harness'

jest.setTimeout(60_000)

let withTemplate: ApiServer | undefined
let withoutTemplate: ApiServer | undefined
let weapp: Weapp

beforeAll(async () => {
  assertWeappBuilt()
  ;[withTemplate, withoutTemplate] = await Promise.all([
    startApiServer({ env: { SUBSCRIBE_TEMPLATE_ID: 'weapp-test-template', SUBSCRIBE_SWEEP_INTERVAL_MS: '0' } }),
    startApiServer(),
  ])
  // Signed in at launch with a stored token (the APIs here have no WeChat for a fresh sign-in).
  weapp = bootWeapp({ apiOrigin: withTemplate.origin, storage: { token: await withTemplate.vipToken() } })
})

afterAll(async () => {
  await Promise.all([withTemplate?.stop(), withoutTemplate?.stop()])
})

beforeEach(() => {
  weapp.clearLogs()
})

describe('article tools for a VIP reader (weapp runtime)', () => {
  it('offers 下载PDF, 练习作答 under each 例题, and 通知我下一期 when the API has a template', async () => {
    const api = withTemplate!
    weapp.setApiOrigin(api.origin)
    weapp.storage.set('token', await api.vipToken())
    const seedId = await seedIssueId(api)
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await page.waitFor(['例题1', '例题2', '参考作答', '下载PDF', '通知我下一期'])
    expect(page.has('.pdf-download-button')).toBe(true)
    expect(page.has('.notify-next-button')).toBe(true)
    expect(page.text()).toContain('山西有新一期时，通过微信服务通知提醒你')
    expect(weapp.requests).toContain('GET /api/subscriptions?region=shanxi')

    // One 练习作答 per 例题, each opening its own question.
    const entries = page.component.querySelectorAll('.blk-q-practice')
    expect(entries.map((entry) => entry.dom.textContent)).toEqual(['练习作答', '练习作答'])
    entries[1].dispatchEvent('tap')
    expect((await weapp.waitForCall('navigateTo')).options.url).toBe(
      `/subpackages/practice/pages/index?id=${seedId}&q=q2`,
    )
    page.unload()
  })

  it('leaves 通知我下一期 out when the API has no template, and keeps 下载PDF and 练习作答', async () => {
    const api = withoutTemplate!
    weapp.setApiOrigin(api.origin)
    weapp.storage.set('token', await api.vipToken())
    const seedId = await seedIssueId(api)
    const page = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await page.waitFor(['例题2', '下载PDF'])
    await page.waitFor(() => weapp.requests.includes('GET /api/subscriptions?region=shanxi'))
    await new Promise((resolve) => setTimeout(resolve, 300)) // the answer renders nothing; give it the time
    expect(page.text()).not.toContain('通知我下一期')
    expect(page.has('.notify-next-button')).toBe(false)
    expect(page.component.querySelectorAll('.blk-q-practice')).toHaveLength(2)
    page.unload()
  })
})
