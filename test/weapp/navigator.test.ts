/**
 * 往期导航 (subpackages/navigator) of the real weapp build, on miniprogram-simulate, against the
 * real API server: a region's issues as 第N期 cells with their VIP mark, the reader's 已读 / 未读
 * marks from the server, and the page's size. Build first: npm run build:weapp.
 */
import {
  assertWeappBuilt,
  bootWeapp,
  httpCall,
  seedIssueId,
  startApiServer,
  treeStats,
  type ApiServer,
  type PageHandle,
  type Weapp,
} from './harness'

jest.setTimeout(120_000)

const NAVIGATOR_PAGE = 'subpackages/navigator/pages/index'
/** content-demo spreads issues over the 32 provinces in order; 山西 is the fifth. */
const PROVINCES = 32

let api: ApiServer | undefined
let weapp: Weapp
let seedId: number
/** 山西's issues as the API lists them for the navigator */
let shanxi: Array<{ id: number; number: number; vip: boolean }>

interface Cell {
  text: string
  vip: boolean
}

/** The 第N期 cells as the reader sees them, in order. */
function cells(page: PageHandle): Cell[] {
  return page.component.querySelectorAll('.nav-cell').map((cell) => ({
    text: cell.dom.textContent ?? '',
    // The VIP badge sits right after the number (第32期VIP中部…).
    vip: /^第\d+期VIP/.test(cell.dom.textContent ?? ''),
  }))
}

const cellOf = (page: PageHandle, number: number): Cell => {
  const found = cells(page).find((cell) => cell.text.startsWith(`第${number}期`))
  if (!found) throw new Error(`no 第${number}期 cell; the page shows:\n${page.text().slice(0, 800)}`)
  return found
}

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  // content/ has 山西 第30–33期 (第30期 free); demo issues follow from 第34期, 第35期 free (every fifth is).
  await api.cli('content-demo.ts', '--issues', String(PROVINCES * 4))
  const answer = JSON.parse((await httpCall(`${api.origin}/api/navigator/shanxi?limit=60`)).body) as {
    items: Array<{ id: number; number: number; vip: boolean }>
  }
  shanxi = answer.items
  seedId = await seedIssueId(api)
  weapp = bootWeapp({ apiOrigin: api.origin })
})

afterAll(async () => {
  await api?.stop()
})

beforeEach(() => {
  weapp.clearLogs()
  weapp.storage.delete('token')
})

describe('往期导航 (weapp runtime)', () => {
  it("shows the region's issues as 第N期 cells, oldest first, with VIP on the VIP issues only; no read marks when signed out", async () => {
    const page = await weapp.open(NAVIGATOR_PAGE, { region: 'shanxi' })
    expect(shanxi.length).toBeGreaterThanOrEqual(5)
    await page.waitFor(() => cells(page).length === shanxi.length)
    const numbers = cells(page).map((cell) => Number(/^第(\d+)期/.exec(cell.text)?.[1]))
    expect(numbers).toEqual(shanxi.map((_, index) => 30 + index))
    expect(cellOf(page, 32).text).toContain('中部城市群高质量发展')
    // The sample issues are VIP but 第30期; the demo issues are VIP but every fifth (第35期).
    const vip = (number: number) => (number <= 33 ? number !== 30 : number % 5 !== 0)
    expect(cells(page).map((cell) => cell.vip)).toEqual(numbers.map(vip))
    expect(cellOf(page, 30).vip).toBe(false)
    expect(cellOf(page, 35).vip).toBe(false)
    expect(cellOf(page, 34).vip).toBe(true)
    expect(page.text()).not.toMatch(/已读|未读/)
    expect(page.text()).toContain('已经到底了')
    expect(weapp.requests).toContain('GET /api/navigator/shanxi?limit=60')

    // A tap on a cell opens that issue.
    const seedCell = page.component.querySelectorAll('.nav-cell')[numbers.indexOf(32)]
    seedCell.dispatchEvent('tap')
    expect((await weapp.waitForCall('navigateTo')).options.url).toBe(`/subpackages/article/pages/index?id=${seedId}`)
    page.unload()
  })

  it('marks the issue the reader has progress on 已读 and the others 未读; one read later shows on the next show', async () => {
    const token = await api!.vipToken()
    const progress = (issueId: number) =>
      httpCall(`${api!.origin}/api/history/${issueId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sectionId: 's1' }),
      })
    expect((await progress(seedId)).status).toBe(200)
    weapp.storage.set('token', token)

    const page = await weapp.open(NAVIGATOR_PAGE, { region: 'shanxi' })
    await page.waitFor(() => cells(page).length === shanxi.length && page.text().includes('已读'))
    const marks = () =>
      cells(page).map((cell) => (cell.text.endsWith('已读') ? '已读' : cell.text.endsWith('未读') ? '未读' : '?'))
    const expected = (read: number[]) => shanxi.map((issue) => (read.includes(issue.number) ? '已读' : '未读'))
    expect(marks()).toEqual(expected([32]))
    expect(page.has('.nav-cell-read')).toBe(true)
    expect(page.component.querySelectorAll('.nav-cell-read')).toHaveLength(1)

    // Read 第34期 elsewhere (the article records progress), then come back: onShow reloads the marks.
    const issue34 = shanxi.find((issue) => issue.number === 34)
    if (!issue34) throw new Error('no 第34期 in the navigator API')
    expect((await progress(issue34.id)).status).toBe(200)
    page.call('onShow')
    await page.waitFor(() => marks().join() === expected([32, 34]).join())
    page.unload()
  })

  // Last: it adds many demo issues, which changes what the grid shows.
  it('renders a full page of cells far below the 1000-node budget', async () => {
    weapp.storage.set('token', await api!.vipToken())
    await api!.cli('content-demo.ts', '--issues', String(PROVINCES * 70)) // some 70 more issues for 山西
    const page = await weapp.open(NAVIGATOR_PAGE, { region: 'shanxi' })
    await page.waitFor(() => cells(page).length === 60 && page.text().includes('上拉加载更多'))
    const stats = treeStats(page.component.dom)
    expect(stats.nodes).toBeLessThan(700)
    page.unload()
  })
})
