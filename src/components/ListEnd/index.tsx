import { Text, View } from '@tarojs/components'
import './index.scss'

/** Where a list stands at its bottom: fetching the next page, more to pull up, its end, or failed. */
export type ListEndState = 'loading' | 'more' | 'end' | 'failed'

const WORDS: Record<ListEndState, string> = {
  loading: '正在加载…',
  more: '上拉加载更多',
  end: '— 已经到底了 —',
  failed: '加载失败，点击重试',
}

/** The one footer of every list, so each says the same thing in the same place. */
export default function ListEnd({ state, onRetry }: { state: ListEndState; onRetry?: () => void }) {
  return (
    <View className='list-end'>
      <Text
        className={state === 'failed' ? 'list-end-retry' : undefined}
        onClick={state === 'failed' ? onRetry : undefined}
      >
        {WORDS[state]}
      </Text>
    </View>
  )
}

/** The state of a list that loads pages with a cursor */
export function listEndState(page: { nextCursor: string | null; more: boolean }): ListEndState {
  if (!page.nextCursor) return 'end'
  return page.more ? 'loading' : 'more'
}
