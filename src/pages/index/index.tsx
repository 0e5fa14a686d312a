import { useCallback, type ReactNode } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useReachBottom, useShareAppMessage } from '@tarojs/taro'
import IssueCard from '../../components/IssueCard'
import ListEnd from '../../components/ListEnd'
import RegionChips from '../../components/RegionChips'
import { IssueListSkeleton } from '../../components/Skeleton'
import StateView, { LoadFailed } from '../../components/StateView'
import WindowedList, { type WindowLayout } from '../../components/WindowedList'
import { BRAND, routes } from '../../constants'
import { FEED_PAGE_SIZE, takeFeedFilter, useFeedProgress, useIssueFeed } from '../../hooks/useIssueFeed'
import { useRegions } from '../../hooks/useRegions'
import { usePageTheme, useTabBarTheme } from '../../hooks/usePageTheme'
import type { IssueSummary } from '../../services/api'
import { useSession } from '../../store/session'
import './index.scss'

/** One group per page of results; a card is about 150 px high on a phone until its page is measured */
const ISSUE_LAYOUT: WindowLayout = {
  scope: 'issue',
  pageSize: FEED_PAGE_SIZE,
  itemHeight: 150,
  pageClassName: 'issue-group',
}

/** Under the search box: 往期导航, then 图书 and 课程 (their subpackages) */
const HERO_LINKS = [
  ['往期导航 · 按期浏览 ›', routes.navigator],
  ['图书 ›', routes.store],
  ['课程 ›', routes.courses],
] as const

export default function IssueListPage() {
  const theme = usePageTheme()
  useTabBarTheme()
  const { regions, reload: reloadRegions } = useRegions()
  const { state, selectRegion, selectFilter, refresh, loadMore, retry } = useIssueFeed()
  const { items, loaded, loading, error, moreError, nextCursor, region, column, columnName } = state
  // The signed-in reader's 已读42% / 读完 on the cards, asked again when back from reading.
  const { percents, refresh: refreshPercents } = useFeedProgress(items, useSession().status === 'signed-in')

  // Back from an article's crumbs (首页 › 热点精讲 › 山西): the list they named.
  useDidShow(() => {
    const filter = takeFeedFilter()
    if (filter) selectFilter(filter)
    else refreshPercents()
  })

  usePullDownRefresh(() => {
    reloadRegions()
    refreshPercents()
    refresh()
      .catch(() => Taro.showToast({ title: '刷新失败，请稍后重试', icon: 'none' }))
      .finally(() => Taro.stopPullDownRefresh())
  })

  useReachBottom(loadMore)

  useShareAppMessage(() => ({ title: `${BRAND}·热点精讲`, path: routes.home }))

  const openIssue = useCallback((issue: IssueSummary) => {
    void Taro.navigateTo({ url: routes.article(issue.id) })
  }, [])

  const openSearch = useCallback(() => void Taro.navigateTo({ url: routes.search }), [])

  let body: ReactNode
  if (!loaded && (loading === 'initial' || (loading === null && !error))) {
    body = <IssueListSkeleton />
  } else if (!loaded && error) {
    body = <LoadFailed error={error} onRetry={retry} />
  } else if (items.length === 0) {
    body = <StateView kind='empty' title='暂无内容' description='本栏目还没有发布期刊，稍后再来看看' />
  } else {
    body = (
      <View className='issue-list'>
        {/* One group per page of results; the groups far from the viewport collapse to one node each. */}
        <WindowedList
          layout={ISSUE_LAYOUT}
          items={items}
          renderItem={(issue) => (
            <IssueCard key={issue.id} issue={issue} onOpen={openIssue} percent={percents.get(issue.id)} />
          )}
        />
        <ListEnd
          state={loading === 'more' ? 'loading' : moreError ? 'failed' : nextCursor ? 'more' : 'end'}
          onRetry={retry}
        />
      </View>
    )
  }

  return (
    <View className={`home ${theme}`}>
      <View className='home-hero'>
        <Text className='home-hero-title'>热点精讲</Text>
        <Text className='home-hero-sub'>省市遴选 · 每周一期 · 申论热点深度解读</Text>
        <View className='home-search' hoverClass='home-search-hover' onClick={openSearch}>
          <Text className='home-search-text'>搜索期刊、热点关键词</Text>
        </View>
        {HERO_LINKS.map(([text, url], index) => (
          <View
            key={url}
            className={index > 0 ? 'home-navigator home-store' : 'home-navigator'}
            hoverClass='home-search-hover'
            onClick={() => void Taro.navigateTo({ url })}
          >
            <Text>{text}</Text>
          </View>
        ))}
      </View>
      <RegionChips regions={regions} active={region} onChange={selectRegion} />
      {column ? (
        <View className='home-column'>
          <Text>栏目：{columnName || column}</Text>
          <Text className='home-column-clear' onClick={() => selectFilter({ region })}>
            全部栏目 ✕
          </Text>
        </View>
      ) : null}
      {body}
    </View>
  )
}
