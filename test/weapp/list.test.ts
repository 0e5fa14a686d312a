/**
 * The issue list (首页) of the real weapp build, on miniprogram-simulate, against the real
 * API server. Build first: npm run build:weapp (npm test does it before jest).
 */
import {
  assertWeappBuilt,
  bootWeapp,
  HOME_PAGE,
  SAMPLE_ISSUES,
  startApiServer,
  type ApiServer,
  type Weapp,
} from './harness'

jest.setTimeout(60_000)

let api: ApiServer | undefined
let weapp: Weapp

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  weapp = bootWeapp({ apiOrigin: api.origin })
})

afterAll(async () => {
  await api?.stop()
})

describe('issue list (weapp runtime)', () => {
  it('lists issues as cards; a tap on a card opens the article', async () => {
    const page = await weapp.open(HOME_PAGE)
    await page.waitFor(['【山西·第32期】', '中部城市群高质量发展', '北辰遴选·苏阳老师'])
    expect(page.text()).toContain('全部')
    expect(page.text()).toContain('山西')
    expect(weapp.requests).toEqual(expect.arrayContaining(['GET /api/regions', 'GET /api/issues?limit=20']))

    page.tap('.issue-card')
    const call = await weapp.waitForCall('navigateTo')
    expect(call.options.url).toMatch(/^\/subpackages\/article\/pages\/index\?id=\d+$/)

    // Reaching the bottom of the last page asks for nothing more.
    const before = weapp.requests.length
    page.call('onReachBottom')
    page.call('onReachBottom')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(weapp.requests.length).toBe(before)
    page.unload()
  })

  it('filters by region from the chips', async () => {
    const page = await weapp.open(HOME_PAGE)
    await page.waitFor('中部城市群高质量发展')
    weapp.clearLogs()
    const chips = page.component.querySelectorAll('.region-chip')
    const shanxi = chips.find((chip) => chip.dom.textContent === '山西')
    if (!shanxi) throw new Error('no 山西 chip')
    shanxi.dispatchEvent('tap')
    await page.waitFor(() => weapp.requests.some((request) => request.includes('region=shanxi')))
    await page.waitFor('中部城市群高质量发展')
    page.unload()
  })

  // Last: it adds demo issues to the database, which changes what the list shows.
  it('loads the next page once per burst of reach-bottom events, until the last page; pull-down refreshes', async () => {
    // 45 issues in all with the sample issues: pages of 20, 20, 5
    await api!.cli('content-demo.ts', '--issues', String(45 - SAMPLE_ISSUES))
    const page = await weapp.open(HOME_PAGE)
    const cards = () => page.component.querySelectorAll('.issue-card').length
    // One group per page of 20 (a page far from the viewport collapses into an empty one).
    const groups = () => page.component.querySelectorAll('.issue-group').length
    await page.waitFor(() => cards() === 20)
    weapp.clearLogs()

    for (let i = 0; i < 5; i++) page.call('onReachBottom')
    await page.waitFor(() => groups() === 2)
    expect(weapp.requests).toHaveLength(1)
    expect(weapp.requests[0]).toMatch(/^GET \/api\/issues\?cursor=[^&]+&limit=20$/)

    for (let i = 0; i < 5; i++) page.call('onReachBottom')
    await page.waitFor(() => groups() === 3 && page.text().includes('已经到底了'))
    expect(weapp.requests).toHaveLength(2)

    page.call('onReachBottom')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(weapp.requests).toHaveLength(2)

    page.call('onPullDownRefresh')
    await weapp.waitForCall('stopPullDownRefresh')
    expect(weapp.requests.slice(2)).toEqual(['GET /api/regions', 'GET /api/issues?limit=20'])
    await page.waitFor(() => groups() === 1 && cards() === 20)
    page.unload()
  })
})
