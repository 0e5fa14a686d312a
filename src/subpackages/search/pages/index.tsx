import { useCallback, useEffect, useRef, useState } from 'react'
import { Input, Text, View } from '@tarojs/components'
import Taro, { usePullDownRefresh, useRouter, useShareAppMessage } from '@tarojs/taro'
import ListEnd, { listEndState } from '../../../components/ListEnd'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import WindowedList, { type WindowLayout } from '../../../components/WindowedList'
import { BRAND, routes } from '../../../constants'
import { useLoadMore } from '../../../hooks/useLoadMore'
import { usePageTheme } from '../../../hooks/usePageTheme'
import { searchIssues, toApiError, type ApiError, type SearchHit } from '../../../services/api'
import './index.scss'

/** Wait this long after the last keystroke before searching */
export const SEARCH_DEBOUNCE_MS = 300
const MAX_QUERY_CHARS = 50
export const SEARCH_HISTORY_KEY = 'searchHistory'
const HISTORY_SIZE = 10

/** The server's page of results (20); a hit is about 130 px on a phone until its page is measured */
const SEARCH_LAYOUT: WindowLayout = { scope: 'search', pageSize: 20, itemHeight: 130, pageClassName: 'search-group' }

/** Something to search for: a letter or a digit of any script (emoji and symbols alone are not). */
const SEARCHABLE = /[\p{L}\p{N}]/u

function readHistory(): string[] {
  try {
    const stored: unknown = Taro.getStorageSync(SEARCH_HISTORY_KEY)
    return Array.isArray(stored) ? stored.filter((q): q is string => typeof q === 'string').slice(0, HISTORY_SIZE) : []
  } catch {
    return []
  }
}

function saveHistory(history: string[]): void {
  try {
    if (history.length === 0) Taro.removeStorageSync(SEARCH_HISTORY_KEY)
    else Taro.setStorageSync(SEARCH_HISTORY_KEY, history)
  } catch {
    // Storage full or unavailable: history is a convenience only.
  }
}

/** The title cut into pieces, the query's words marked (case-insensitively), as the snippet is. */
export function markTitle(title: string, q: string): { text: string; hit: boolean }[] {
  const words = q.split(/[\s\u3000]+/).filter(Boolean)
  if (words.length === 0) return [{ text: title, hit: false }]
  const escaped = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  const pattern = new RegExp(`(${escaped.join('|')})`, 'giu')
  return title
    .split(pattern)
    .filter(Boolean)
    .map((text) => ({ text, hit: words.some((word) => word.toLowerCase() === text.toLowerCase()) }))
}

type SearchState =
  | { status: 'idle' }
  | { status: 'loading'; q: string }
  | { status: 'ready'; q: string; items: SearchHit[]; nextCursor: string | null; more: boolean }
  | { status: 'error'; q: string; error: ApiError }
  | { status: 'unsearchable'; q: string }

/** A query parameter as written: WeChat hands it over encoded, a browser may not. */
function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * 搜索: titles and the free part of issues, searched as the reader types (300 ms after the last
 * key), matches highlighted from the server's segments (text, never HTML), more at the bottom.
 */
export default function SearchPage() {
  const theme = usePageTheme()
  const [text, setText] = useState('')
  const [cut, setCut] = useState(false)
  const [history, setHistory] = useState(readHistory)
  const [state, setState] = useState<SearchState>({ status: 'idle' })
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const generation = useRef(0)
  const { params } = useRouter()

  const run = useCallback((q: string) => {
    const mine = ++generation.current
    if (q === '') return setState({ status: 'idle' })
    if (!SEARCHABLE.test(q)) return setState({ status: 'unsearchable', q })
    setState({ status: 'loading', q })
    searchIssues({ q }).then(
      (page) => {
        if (mine === generation.current)
          setState({ status: 'ready', q, items: page.items, nextCursor: page.nextCursor, more: false })
      },
      (error: unknown) => {
        if (mine === generation.current) setState({ status: 'error', q, error: toApiError(error) })
      },
    )
  }, [])

  const schedule = useCallback(
    (typed: string) => {
      // The field takes any length, so a long paste is cut here, where the reader can be told.
      const value = [...typed].slice(0, MAX_QUERY_CHARS).join('')
      setCut(value !== typed)
      setText(value)
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => run(value.trim()), SEARCH_DEBOUNCE_MS)
    },
    [run],
  )

  // A shared search opens on its words (?q=), searched at once.
  const shared = useRef(
    typeof params.q === 'string' ? [...safeDecode(params.q)].slice(0, MAX_QUERY_CHARS).join('') : '',
  )
  useEffect(() => {
    if (shared.current) {
      setText(shared.current)
      run(shared.current.trim())
    }
  }, [run])

  // Shared to a chat: the words searched, so the friend sees the same results.
  useShareAppMessage(() => {
    const q = state.status === 'idle' ? '' : state.q
    return q
      ? { title: `${BRAND}·搜索「${q}」`, path: `${routes.search}?q=${encodeURIComponent(q)}` }
      : { title: `${BRAND}·搜索热点精讲`, path: routes.search }
  })

  /** Searches `q` at once (a history chip, the keyboard's 搜索) and remembers it. */
  const searchNow = (q: string) => {
    if (timer.current) clearTimeout(timer.current)
    setText(q)
    setCut(false)
    run(q.trim())
    remember(q.trim())
  }

  const remember = (q: string) => {
    if (!q || !SEARCHABLE.test(q)) return
    const next = [q, ...history.filter((item) => item !== q)].slice(0, HISTORY_SIZE)
    setHistory(next)
    saveHistory(next)
  }

  const clearHistory = () => {
    setHistory([])
    saveHistory([])
  }

  const clearText = () => {
    if (timer.current) clearTimeout(timer.current)
    setText('')
    setCut(false)
    run('')
  }

  const cancel = () => void Taro.navigateBack().catch(() => Taro.switchTab({ url: routes.home }).catch(() => undefined))

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
      generation.current += 1
    },
    [],
  )

  usePullDownRefresh(() => {
    run(text.trim())
    void Taro.stopPullDownRefresh()
  })

  const ready = state.status === 'ready' ? state : null
  useLoadMore(ready, setState, generation, (cursor) => searchIssues({ q: ready?.q ?? '', cursor }))

  const open = (hit: SearchHit, q: string) => {
    remember(q)
    void Taro.navigateTo({ url: routes.article(hit.id) })
  }

  let body
  if (state.status === 'idle' && history.length > 0) {
    body = (
      <View className='search-history'>
        <View className='search-history-head'>
          <Text className='search-history-title'>搜索历史</Text>
          <Text className='search-history-clear' onClick={clearHistory}>
            清除
          </Text>
        </View>
        <View className='search-history-items'>
          {history.map((q) => (
            <Text key={q} className='search-history-item' onClick={() => searchNow(q)}>
              {q}
            </Text>
          ))}
        </View>
      </View>
    )
  } else if (state.status === 'idle') {
    body = <StateView kind='empty' title='搜索期刊' description='输入标题或正文中的关键词，如“城市群”“山西”' />
  } else if (state.status === 'unsearchable') {
    body = (
      <StateView
        kind='empty'
        title='请输入文字或数字'
        description='搜索只认文字和数字，表情和符号（如 % 、 # ）不能作为关键词'
      />
    )
  } else if (state.status === 'loading') {
    body = <TextSkeleton lines={6} />
  } else if (state.status === 'error') {
    body =
      state.error.code === 'INVALID_QUERY' ? (
        <StateView kind='empty' title='换个关键词试试' description='请输入文字或数字，不超过50个字' />
      ) : (
        <LoadFailed error={state.error} title='搜索失败' actionText='重试' onRetry={() => run(state.q)} />
      )
  } else if (state.items.length === 0) {
    body = (
      <StateView kind='empty' title='没有找到相关内容' description={`没有与“${state.q}”相关的期刊，换个关键词试试`} />
    )
  } else {
    body = (
      <View className='search-results'>
        <WindowedList
          layout={SEARCH_LAYOUT}
          items={state.items}
          renderItem={(hit) => (
            <View key={hit.id} className='search-hit' hoverClass='search-hit-hover' onClick={() => open(hit, state.q)}>
              <Text className='search-hit-title'>
                {hit.vip ? <Text className='badge-vip search-hit-badge'>VIP</Text> : null}
                {markTitle(hit.fullTitle, state.q).map((segment, index) => (
                  <Text key={index} className={segment.hit ? 'search-hit-mark' : undefined}>
                    {segment.text}
                  </Text>
                ))}
              </Text>
              <Text className='search-hit-snippet'>
                {hit.snippet.map((segment, index) => (
                  <Text key={index} className={segment.hit ? 'search-hit-mark' : undefined}>
                    {segment.text}
                  </Text>
                ))}
              </Text>
              <Text className='search-hit-meta'>{`${hit.date} · ${hit.author}`}</Text>
            </View>
          )}
        />
        <ListEnd state={listEndState(state)} />
      </View>
    )
  }

  return (
    <View className={`search ${theme}`}>
      <View className='search-bar'>
        <View className='search-field'>
          <Input
            className='search-input'
            value={text}
            focus
            confirmType='search'
            maxlength={-1}
            placeholder='搜索期刊、热点关键词'
            onInput={(event) => schedule(event.detail.value)}
            onConfirm={(event) => searchNow([...event.detail.value].slice(0, MAX_QUERY_CHARS).join(''))}
          />
          {text ? (
            <Text className='search-clear' aria-label='清空' onClick={clearText}>
              ×
            </Text>
          ) : null}
        </View>
        <Text className='search-cancel' onClick={cancel}>
          取消
        </Text>
      </View>
      {cut ? (
        <Text className='search-cut'>
          关键词最多{MAX_QUERY_CHARS}个字，已截取前{MAX_QUERY_CHARS}个字
        </Text>
      ) : null}
      {body}
    </View>
  )
}
