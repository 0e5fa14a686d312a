import { useCallback, useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter, useShareAppMessage } from '@tarojs/taro'
import ListEnd, { listEndState } from '../../../components/ListEnd'
import RegionChips from '../../../components/RegionChips'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import WindowedList, { type WindowLayout } from '../../../components/WindowedList'
import { BRAND, routes } from '../../../constants'
import { useLoadMore } from '../../../hooks/useLoadMore'
import { usePageTheme } from '../../../hooks/usePageTheme'
import {
  listNavigatorRegions,
  listRegionIssues,
  onProgressAnnounced,
  toApiError,
  type ApiError,
  type NavigatorIssue,
  type NavigatorRegion,
} from '../../../services/api'
import './index.scss'

/** Cells per request: about five elements each, so a page stays far below the weapp node budget. */
export const NAVIGATOR_PAGE_SIZE = 60

/** A grid per page of cells; a cell's share of a row of two is about 45 px on a phone until measured */
const GRID_LAYOUT: WindowLayout = {
  scope: 'nav',
  pageSize: NAVIGATOR_PAGE_SIZE,
  itemHeight: 45,
  pageClassName: 'nav-grid',
}

type Load<T> = { status: 'loading' } | { status: 'error'; error: ApiError } | ({ status: 'ready' } & T)

type GridState = Load<{ items: NavigatorIssue[]; nextCursor: string | null; more: boolean }>

/** Marks the issues read on this page's watch, whatever a reload raced with (the server has them). */
function withReads(items: NavigatorIssue[], reads: Map<number, string>): NavigatorIssue[] {
  return items.map((issue) => {
    const sectionId = reads.get(issue.id)
    return sectionId && issue.readState !== null ? { ...issue, readState: 'read', lastSectionId: sectionId } : issue
  })
}

function ReadMark({ issue }: { issue: NavigatorIssue }) {
  if (issue.readState === 'read') return <Text className='nav-read'>已读</Text>
  if (issue.readState === 'unread') return <Text className='nav-unread'>未读</Text>
  return null
}

function IssueCell({ issue }: { issue: NavigatorIssue }) {
  const open = () => void Taro.navigateTo({ url: routes.article(issue.id) })
  return (
    <View
      className={`nav-cell${issue.readState === 'read' ? ' nav-cell-read' : ''}`}
      hoverClass='nav-cell-hover'
      onClick={open}
    >
      <View className='nav-cell-top'>
        <Text className='nav-cell-num'>第{issue.number}期</Text>
        {issue.vip ? <Text className='badge-vip nav-cell-vip'>VIP</Text> : null}
      </View>
      <Text className='nav-cell-title'>{issue.title}</Text>
      <ReadMark issue={issue} />
    </View>
  )
}

/**
 * 往期导航: regions (全部 lists every region with its count and latest issue), then a region's issues
 * as a grid of 第N期 cells with VIP and 已读 / 未读 marks, oldest first. The read marks come back
 * fresh every time the page shows, so an issue read meanwhile shows 已读. Each page of 60 cells is a grid
 * of its own (an even count, so rows stay whole), and pages far from the viewport collapse (WindowedList).
 */
export default function NavigatorPage() {
  const theme = usePageTheme()
  const { params } = useRouter()
  const [regions, setRegions] = useState<Load<{ items: NavigatorRegion[] }>>({ status: 'loading' })
  const [region, setRegion] = useState(typeof params.region === 'string' ? params.region : '')
  // Shared to a chat: 往期导航 at the region on screen.
  useShareAppMessage(() => {
    const name = regions.status === 'ready' ? regions.items.find((item) => item.code === region)?.name : undefined
    return {
      title: name ? `${BRAND}·往期导航 · ${name}` : `${BRAND}·往期导航`,
      path: region ? `${routes.navigator}?region=${encodeURIComponent(region)}` : routes.navigator,
    }
  })
  const [grid, setGrid] = useState<GridState>({ status: 'loading' })
  const generation = useRef(0)
  const shown = useRef(false)
  // Progress recorded while this page is open (the reader went on to an article and came back).
  const reads = useRef(new Map<number, string>())

  useEffect(
    () =>
      onProgressAnnounced((issueId, sectionId) => {
        reads.current.set(issueId, sectionId)
        setGrid((current) =>
          current.status === 'ready' ? { ...current, items: withReads(current.items, reads.current) } : current,
        )
      }),
    [],
  )

  const loadRegions = useCallback((quiet: boolean) => {
    if (!quiet) setRegions({ status: 'loading' })
    return listNavigatorRegions().then(
      ({ items }) => setRegions({ status: 'ready', items: items.filter((item) => item.issueCount > 0) }),
      (error: unknown) => {
        if (!quiet) setRegions({ status: 'error', error: toApiError(error) })
      },
    )
  }, [])

  const loadGrid = useCallback(
    (quiet: boolean) => {
      const mine = ++generation.current
      if (!region) return Promise.resolve()
      if (!quiet) setGrid({ status: 'loading' })
      return listRegionIssues(region, { limit: NAVIGATOR_PAGE_SIZE }).then(
        (page) => {
          if (mine === generation.current)
            setGrid({
              status: 'ready',
              items: withReads(page.items, reads.current),
              nextCursor: page.nextCursor,
              more: false,
            })
        },
        (error: unknown) => {
          if (mine === generation.current && !quiet) setGrid({ status: 'error', error: toApiError(error) })
        },
      )
    },
    [region],
  )

  useEffect(() => {
    void loadRegions(false)
  }, [loadRegions])

  useEffect(() => {
    void loadGrid(false)
  }, [loadGrid])

  useDidShow(() => {
    // The first show is the load above; later ones bring the 已读 marks of issues read meanwhile.
    if (shown.current) void loadGrid(true)
    shown.current = true
  })

  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    Promise.all([loadRegions(true), loadGrid(true)]).then(done, done)
  })

  useLoadMore(grid.status === 'ready' ? grid : null, setGrid, generation, (cursor) =>
    listRegionIssues(region, { cursor, limit: NAVIGATOR_PAGE_SIZE }).then((page) => ({
      items: withReads(page.items, reads.current),
      nextCursor: page.nextCursor,
    })),
  )

  let body
  if (regions.status === 'error') {
    body = <LoadFailed error={regions.error} onRetry={() => void loadRegions(false)} />
  } else if (!region) {
    if (regions.status === 'loading') {
      body = <TextSkeleton lines={6} />
    } else if (regions.items.length === 0) {
      body = <StateView kind='empty' title='暂无期刊' description='还没有发布的期刊，稍后再来看看' />
    } else {
      body = (
        <View className='nav-regions'>
          {regions.items.map((item) => (
            <View
              key={item.code}
              className='nav-region'
              hoverClass='nav-cell-hover'
              onClick={() => setRegion(item.code)}
            >
              <Text className='nav-region-name'>{item.name}</Text>
              <Text className='nav-region-meta'>
                共{item.issueCount}期{item.latestNumber === null ? '' : ` · 最新第${item.latestNumber}期`}
              </Text>
            </View>
          ))}
        </View>
      )
    }
  } else if (grid.status === 'loading') {
    body = <TextSkeleton lines={6} />
  } else if (grid.status === 'error') {
    body = <LoadFailed error={grid.error} onRetry={() => void loadGrid(false)} />
  } else if (grid.items.length === 0) {
    body = <StateView kind='empty' title='本地区暂无期刊' description='换个地区看看，或稍后再来' />
  } else {
    body = (
      <View>
        <WindowedList
          layout={GRID_LAYOUT}
          items={grid.items}
          renderItem={(issue) => <IssueCell key={issue.id} issue={issue} />}
        />
        <ListEnd state={listEndState(grid)} />
      </View>
    )
  }

  return (
    <View className={`nav-page ${theme}`}>
      <RegionChips regions={regions.status === 'ready' ? regions.items : []} active={region} onChange={setRegion} />
      <View className='nav-body'>{body}</View>
    </View>
  )
}
