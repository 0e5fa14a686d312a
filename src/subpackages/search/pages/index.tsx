import { useCallback, useEffect, useRef, useState } from 'react'
import { Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import { routes } from '../../../constants'
import { useLoadMore } from '../../../hooks/useLoadMore'
import { searchIssues, toApiError, type ApiError, type SearchHit } from '../../../services/api'
import './index.scss'

/** Wait this long after the last keystroke before searching */
export const SEARCH_DEBOUNCE_MS = 300
const MAX_QUERY_CHARS = 50

type SearchState =
  | { status: 'idle' }
  | { status: 'loading'; q: string }
  | { status: 'ready'; q: string; items: SearchHit[]; nextCursor: string | null; more: boolean }
  | { status: 'error'; q: string; error: ApiError }

/**
 * 搜索: titles and the free part of issues, searched as the reader types (300 ms after the last
 * key), matches highlighted from the server's segments (text, never HTML), more at the bottom.
 */
export default function SearchPage() {
  const [text, setText] = useState('')
  const [state, setState] = useState<SearchState>({ status: 'idle' })
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const generation = useRef(0)

  const run = useCallback((q: string) => {
    const mine = ++generation.current
    if (q === '') return setState({ status: 'idle' })
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
    (value: string) => {
      setText(value)
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => run(value.trim()), SEARCH_DEBOUNCE_MS)
    },
    [run],
  )

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
      generation.current += 1
    },
    [],
  )

  const ready = state.status === 'ready' ? state : null
  useLoadMore(ready, setState, generation, (cursor) => searchIssues({ q: ready?.q ?? '', cursor }))

  const open = (hit: SearchHit) => void Taro.navigateTo({ url: routes.article(hit.id) })

  let body
  if (state.status === 'idle') {
    body = <StateView kind='empty' title='搜索期刊' description='输入标题或正文中的关键词，如“城市群”“山西”' />
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
        {state.items.map((hit) => (
          <View key={hit.id} className='search-hit' hoverClass='search-hit-hover' onClick={() => open(hit)}>
            <Text className='search-hit-title'>
              {hit.vip ? <Text className='badge-vip search-hit-badge'>VIP</Text> : null}
              {hit.fullTitle}
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
        ))}
        <View className='search-footer'>
          <Text>{state.more ? '正在加载…' : state.nextCursor ? '上拉加载更多' : '— 已经到底了 —'}</Text>
        </View>
      </View>
    )
  }

  return (
    <View className='search'>
      <View className='search-bar'>
        <Input
          className='search-input'
          value={text}
          focus
          confirmType='search'
          maxlength={MAX_QUERY_CHARS}
          placeholder='搜索期刊、热点关键词'
          onInput={(event) => schedule(event.detail.value)}
          onConfirm={(event) => {
            if (timer.current) clearTimeout(timer.current)
            run(event.detail.value.trim())
          }}
        />
      </View>
      {body}
    </View>
  )
}
