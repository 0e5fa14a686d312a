/**
 * Render cost of the weapp pages on the real weapp runtime (miniprogram-simulate, real build,
 * real API server): node count of the seed article and every setData payload of its first
 * render, and the issue list at LONG_LIST issues: scrolled down page by page with load-more to its
 * end, then back up to the top (test/weapp/layout.ts gives the boxes the simulator lacks). Budgets (docs/benchmarks.md): < 1000
 * nodes per page, depth < 30, ≤ 60 children per node; largest setData ≤ 64 KB (WeChat's audit
 * fails at 256 KB). Exits 1 when a budget is missed. Run after `npm run build:weapp`:
 *   npx tsx bench/weapp.ts
 * Writes bench/results/weapp.json as well.
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  ARTICLE_PAGE,
  HOME_PAGE,
  ROOT,
  SAMPLE_ISSUES,
  bootWeapp,
  seedIssueId,
  settled,
  startApiServer,
  treeStats,
  type PageHandle,
  type SetDataRecord,
  type TreeStats,
  type Weapp,
} from '../test/weapp/harness'
import { fakeLayout, type FakeLayout } from '../test/weapp/layout'

const KB = 1024
const NODE_BUDGET = 1000
const SETDATA_BUDGET = 64 * KB
const DEPTH_LIMIT = 30
const CHILDREN_LIMIT = 60
const LONG_LIST = 1000
/** A card's height in the stand-in layout (px on a 375 px wide phone) */
const CARD_PX = 150

interface Measurement {
  name: string
  tree: TreeStats
  /** The most elements seen while scrolling (the long list), beside `tree` at the end */
  maxNodes?: number
  /** Elements at the list's end (the long list) */
  bottomNodes?: number
  setData: { calls: number; largestBytes: number; totalBytes: number; payloads: SetDataRecord[] }
}

/**
 * Opens `route`, lets `load` bring it to the state to measure, and measures the page's tree and the
 * setData payloads recorded since the page opened (or since `load` last cleared the log).
 */
async function measure(
  weapp: Weapp,
  name: string,
  route: string,
  query: Record<string, string>,
  load: (page: PageHandle) => Promise<void>,
): Promise<Measurement> {
  weapp.clearLogs()
  const page = await weapp.open(route, query)
  await load(page)
  await settled(weapp)
  const payloads = weapp.setDataLog.slice()
  const result: Measurement = {
    name,
    tree: treeStats(page.component.dom),
    setData: {
      calls: payloads.length,
      largestBytes: Math.max(0, ...payloads.map((entry) => entry.bytes)),
      totalBytes: payloads.reduce((sum, entry) => sum + entry.bytes, 0),
      payloads,
    },
  }
  page.unload()
  return result
}

/** The first render of a page: until every text in `expected` shows. */
const firstRender = (expected: string[]) => (page: PageHandle) => page.waitFor(expected, 15_000)

/**
 * The issue list at LONG_LIST issues: scrolled to the bottom (reach-bottom loads the next page) until
 * the list ends, then scrolled back to the top a page at a time, as a reader would. `trace` gets the
 * node count after every step; the payloads are those of the load-mores and the scrolling.
 */
const scrollLongList =
  (weapp: Weapp, layout: FakeLayout, trace: { bottom?: TreeStats; max: number }) => async (page: PageHandle) => {
    const loads = () => weapp.requests.filter((request) => request.startsWith('GET /api/issues?cursor=')).length
    const step = async () => {
      await settled(weapp)
      const stats = treeStats(page.component.dom)
      trace.max = Math.max(trace.max, stats.nodes)
      return stats
    }
    await page.waitFor(() => page.component.querySelectorAll('.issue-card').length === 20, 15_000)
    await settled(weapp)
    weapp.clearLogs()
    while (!page.text().includes('已经到底了')) {
      const before = loads()
      layout.scrollTo(page, layout.pageHeight())
      await step()
      page.call('onReachBottom')
      await page.waitFor(() => loads() > before, 15_000)
      await step()
    }
    if (loads() !== Math.ceil(LONG_LIST / 20) - 1) throw new Error(`${loads() + 1} pages loaded, not ${LONG_LIST / 20}`)
    layout.scrollTo(page, layout.pageHeight())
    await page.waitFor('已经到底了', 15_000)
    trace.bottom = await step()
    while (layout.scrollTop() > 0) {
      layout.scrollTo(page, layout.scrollTop() - CARD_PX * 20)
      await step()
    }
  }

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`

async function main(): Promise<number> {
  const api = await startApiServer()
  try {
    const layout = fakeLayout({ '.issue-card': CARD_PX })
    const weapp = bootWeapp({ apiOrigin: api.origin, wx: layout.wx })
    const query = { id: String(await seedIssueId(api)) }

    const results: Measurement[] = []
    results.push(await measure(weapp, 'issue list (首页)', HOME_PAGE, {}, firstRender(['中部城市群高质量发展'])))
    results.push(
      await measure(
        weapp,
        'seed article, free preview + paywall',
        ARTICLE_PAGE,
        query,
        firstRender(['二、深度解读', '本篇为VIP章节']),
      ),
    )
    weapp.storage.set('token', await api.vipToken())
    results.push(
      await measure(
        weapp,
        'seed article, whole issue (VIP)',
        ARTICLE_PAGE,
        query,
        firstRender(['三、实战应用', '参考作答']),
      ),
    )

    // Last, as it adds demo issues: the list at LONG_LIST issues, down to its end and back up.
    weapp.storage.delete('token')
    const started = Date.now()
    await api.cli('content-demo.ts', '--issues', String(LONG_LIST - SAMPLE_ISSUES))
    console.log(`${LONG_LIST - SAMPLE_ISSUES} demo issues made in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    const trace: { bottom?: TreeStats; max: number } = { max: 0 }
    const long = await measure(
      weapp,
      `issue list at ${LONG_LIST} issues, scrolled to its end and back to the top (payloads: load-mores and scrolling)`,
      HOME_PAGE,
      {},
      scrollLongList(weapp, layout, trace),
    )
    long.maxNodes = trace.max
    long.bottomNodes = trace.bottom?.nodes
    results.push(long)

    let failed = false
    console.log('weapp render cost (miniprogram-simulate on dist/, real API)')
    for (const result of results) {
      const { tree, setData } = result
      const nodesOk =
        tree.nodes < NODE_BUDGET &&
        (result.maxNodes ?? 0) < NODE_BUDGET &&
        tree.depth < DEPTH_LIMIT &&
        tree.maxChildren <= CHILDREN_LIMIT
      const setDataOk = setData.largestBytes <= SETDATA_BUDGET
      failed ||= !nodesOk || !setDataOk
      console.log(`\n  ${result.name}`)
      console.log(
        `    nodes      ${String(tree.nodes).padStart(6)} elements (+${tree.textNodes} text), depth ${tree.depth}, ` +
          `max ${tree.maxChildren} children   goal < ${NODE_BUDGET}, depth < ${DEPTH_LIMIT}, ≤ ${CHILDREN_LIMIT}: ${nodesOk ? 'met' : 'NOT met'}`,
      )
      console.log(
        `    setData    ${String(setData.calls).padStart(6)} calls, largest ${kb(setData.largestBytes)}, ` +
          `total ${kb(setData.totalBytes)}   goal ≤ ${kb(SETDATA_BUDGET)}: ${setDataOk ? 'met' : 'NOT met'}`,
      )
      if (result.maxNodes !== undefined) {
        console.log(
          `    scrolling  most ${result.maxNodes} elements at any step (${((result.maxNodes / NODE_BUDGET) * 100).toFixed(0)} % of ${NODE_BUDGET}); ` +
            `at the end ${result.bottomNodes ?? '?'}, back at the top ${tree.nodes} (${((tree.nodes / NODE_BUDGET) * 100).toFixed(0)} %)`,
        )
      }
      const shown = setData.payloads.length > 12 ? setData.payloads.slice(0, 12) : setData.payloads
      console.log(
        `    payloads   ${shown.map((entry) => kb(entry.bytes)).join(', ')}${shown.length < setData.payloads.length ? ', …' : ''}`,
      )
    }

    const resultsDir = path.join(ROOT, 'bench', 'results')
    fs.mkdirSync(resultsDir, { recursive: true })
    fs.writeFileSync(
      path.join(resultsDir, 'weapp.json'),
      `${JSON.stringify({ measuredAt: new Date().toISOString(), budgets: { nodes: NODE_BUDGET, setDataBytes: SETDATA_BUDGET }, results }, null, 2)}\n`,
    )
    return failed ? 1 : 0
  } finally {
    await api.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
