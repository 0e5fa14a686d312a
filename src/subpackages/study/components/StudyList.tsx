import { useCallback, useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import IssueCard from '../../../components/IssueCard'
import ListEnd, { listEndState } from '../../../components/ListEnd'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import StateView, { LoadFailed } from '../../../components/StateView'
import WindowedList, { type WindowLayout } from '../../../components/WindowedList'
import { routes } from '../../../constants'
import { useLoadMore } from '../../../hooks/useLoadMore'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { toApiError, type ApiError, type IssueSummary } from '../../../services/api'
import { signIn, useSession } from '../../../store/session'
import './StudyList.scss'

/** The server's page of 我的收藏 and 阅读记录 (20); a card with its note is about 180 px on a phone */
const STUDY_LAYOUT: WindowLayout = { scope: 'study', pageSize: 20, itemHeight: 180, pageClassName: 'study-group' }

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

type ListState<T> =
  | { status: 'loading' }
  | { status: 'ready'; items: T[]; nextCursor: string | null; more: boolean }
  | { status: 'error'; error: ApiError }

export interface StudyListProps<T extends IssueSummary> {
  load: (cursor?: string) => Promise<Page<T>>
  /** The line under a card, e.g. 收藏于 2026-01-01 */
  note: (item: T) => string
  signedOutText: string
  emptyTitle: string
  emptyText: string
  /** A header action, e.g. 清空 for the history; called with a reload */
  action?: { text: string; run: (reload: () => void) => void }
}

/**
 * A reader's list of issues (我的收藏, 阅读记录): newest first, more on reaching the bottom, pull down to
 * refresh, loaded again when the page shows (an issue read or unfavorited meanwhile). Pages of items
 * far from the viewport collapse into placeholders (WindowedList), so a long history stays light.
 */
export default function StudyList<T extends IssueSummary>(props: StudyListProps<T>) {
  const theme = usePageTheme()
  const { load, note, signedOutText, emptyTitle, emptyText, action } = props
  const { status: session } = useSession()
  const signedOut = session === 'signed-out'
  const [state, setState] = useState<ListState<T>>({ status: 'loading' })
  const generation = useRef(0)
  const shown = useRef(false)

  const reload = useCallback(
    (quiet: boolean) => {
      const mine = ++generation.current
      if (!quiet) setState({ status: 'loading' })
      return load().then(
        (page) => {
          if (mine === generation.current)
            setState({ status: 'ready', items: page.items, nextCursor: page.nextCursor, more: false })
        },
        (error: unknown) => {
          if (mine === generation.current) setState({ status: 'error', error: toApiError(error) })
        },
      )
    },
    [load],
  )

  useEffect(() => {
    if (!signedOut) void reload(false)
    return () => {
      generation.current += 1
    }
  }, [reload, signedOut])

  useDidShow(() => {
    // The first show is the load above; later ones pick up changes made on other pages.
    if (shown.current && !signedOut) void reload(true)
    shown.current = true
  })

  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    if (signedOut) return done()
    reload(true).then(done, done)
  })

  useLoadMore(state.status === 'ready' ? state : null, setState, generation, load)

  const open = useCallback((issue: IssueSummary) => void Taro.navigateTo({ url: routes.article(issue.id) }), [])

  if (signedOut) {
    return (
      <StateView
        kind='empty'
        title='登录后查看'
        description={signedOutText}
        actionText='微信一键登录'
        onAction={() => void signIn().catch(() => undefined)}
        footer={<LoginConsent />}
      />
    )
  }
  if (state.status === 'loading') {
    return (
      <View className={`study-list ${theme}`}>
        <TextSkeleton lines={6} />
      </View>
    )
  }
  if (state.status === 'error') {
    return <LoadFailed error={state.error} onRetry={() => void reload(false)} />
  }
  if (state.items.length === 0) {
    return (
      <StateView
        kind='empty'
        title={emptyTitle}
        description={emptyText}
        actionText='去首页看看'
        onAction={() => void Taro.switchTab({ url: routes.home }).catch(() => undefined)}
      />
    )
  }
  return (
    <View className={`study-list ${theme}`}>
      {action ? (
        <View className='study-head'>
          <Text className='study-action' onClick={() => action.run(() => void reload(false))}>
            {action.text}
          </Text>
        </View>
      ) : null}
      <WindowedList
        layout={STUDY_LAYOUT}
        items={state.items}
        renderItem={(item) => (
          <View key={item.id} className='study-item'>
            <IssueCard issue={item} onOpen={open} />
            <Text className='study-note'>{note(item)}</Text>
          </View>
        )}
      />
      <ListEnd state={listEndState(state)} />
    </View>
  )
}
