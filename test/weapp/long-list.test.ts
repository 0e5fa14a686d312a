/**
 * The home list at many pages of issues, windowed, on the real weapp build (miniprogram-simulate)
 * against the real API server. miniprogram-simulate has no layout: test/weapp/layout.ts stacks the
 * boxes (a card is 150 px) and answers the app's selector queries. Build first: npm run build:weapp.
 */
import {
  assertWeappBuilt,
  bootWeapp,
  HOME_PAGE,
  httpCall,
  SAMPLE_ISSUES,
  settled,
  startApiServer,
  treeStats,
} from './harness'
import type { ApiServer, PageHandle, Weapp } from './harness'
import { fakeLayout, VIEWPORT_HEIGHT } from './layout'

jest.setTimeout(120_000)

const CARD_PX = 150
const PAGES = 12

let api: ApiServer | undefined
let weapp: Weapp
const layout = fakeLayout({ '.issue-card': CARD_PX })

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  weapp = bootWeapp({ apiOrigin: api.origin, wx: layout.wx })
  // 240 issues in all, the sample content included: twelve pages of 20.
  await api.cli('content-demo.ts', '--issues', String(PAGES * 20 - SAMPLE_ISSUES))
})

afterAll(async () => {
  await api?.stop()
})

/** The issue numbers of the cards whose boxes are in the viewport, top to bottom */
const visibleCards = () =>
  layout.visible('.issue-card').map((card) => card.querySelector('[class*="issue-card-label"]')?.textContent ?? '')

/** The label and id of every issue in the list, from the API (newest first, as the list shows them) */
async function allLabels(): Promise<Array<{ label: string; id: number }>> {
  const labels: Array<{ label: string; id: number }> = []
  let cursor: string | null = null
  do {
    const answer = await fetchJson(`/api/issues?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    labels.push(...answer.items.map((item) => ({ label: `【${item.region.name}·第${item.number}期】`, id: item.id })))
    cursor = answer.nextCursor
  } while (cursor)
  return labels
}

async function fetchJson(path: string): Promise<{
  items: Array<{ id: number; number: number; region: { name: string } }>
  nextCursor: string | null
}> {
  return JSON.parse((await httpCall(`${api!.origin}${path}`)).body)
}

describe('the home list, windowed (weapp runtime)', () => {
  let page: PageHandle
  const nodes = () => treeStats(page.component.dom).nodes

  it('stays within a bounded number of nodes while loading page after page, showing the right cards', async () => {
    const labels = await allLabels()
    expect(labels).toHaveLength(PAGES * 20)
    page = await weapp.open(HOME_PAGE)
    await page.waitFor(() => page.component.querySelectorAll('.issue-card').length === 20)
    await settled(weapp)
    const onePage = nodes()

    let most = 0
    const loads = () => weapp.requests.filter((request) => request.startsWith('GET /api/issues?cursor=')).length
    while (!page.text().includes('已经到底了')) {
      const before = loads()
      layout.scrollTo(page, layout.pageHeight())
      await settled(weapp)
      page.call('onReachBottom')
      await page.waitFor(() => loads() > before)
      await settled(weapp)
      most = Math.max(most, nodes())
    }
    expect(loads()).toBe(PAGES - 1)
    layout.scrollTo(page, layout.pageHeight())
    await settled(weapp)

    // Twelve pages of cards would be twelve times one page; at most the pages near the viewport
    // (a page is 3,000 px, the window ±2 screens) and the last one render.
    expect(most).toBeLessThan(onePage * 4)
    expect(page.component.querySelectorAll('.issue-card').length).toBeLessThanOrEqual(60)
    // The first ten pages are one section, collapsed into one placeholder; the last two are pages.
    expect(page.component.querySelectorAll('.windowed-placeholder').length).toBeGreaterThanOrEqual(1)
    expect(page.component.querySelectorAll('.windowed-section').length).toBe(2)
    // The cards on screen at the end of the list are the last issues.
    const atEnd = visibleCards()
    expect(atEnd.length).toBeGreaterThan(0)
    expect(labels.slice(-atEnd.length).map((issue) => issue.label)).toEqual(atEnd)
  })

  it('brings back the right cards, at the same place, when scrolling back up; a tap opens the issue', async () => {
    const labels = await allLabels()
    const height = layout.pageHeight()
    const listTop = layout.top('.issue-pages')
    for (const card of [150, 100, 61, 20, 0]) {
      layout.scrollTo(page, listTop + card * CARD_PX)
      await settled(weapp)
      // A page that collapses or comes back is as high as before: nothing below it moves.
      expect(layout.pageHeight()).toBe(height)
      const shown = visibleCards()
      expect(shown.length).toBeGreaterThanOrEqual(Math.floor(VIEWPORT_HEIGHT / CARD_PX))
      expect(shown).toEqual(labels.slice(card, card + shown.length).map((issue) => issue.label))
      expect(page.component.querySelectorAll('.issue-card').length).toBeLessThanOrEqual(80)
    }

    page.tap('.issue-card')
    const call = await weapp.waitForCall('navigateTo')
    expect(call.options.url).toBe(`/subpackages/article/pages/index?id=${labels[0].id}`)
    page.unload()
  })
})
