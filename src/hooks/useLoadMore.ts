import type { MutableRefObject } from 'react'
import Taro, { useReachBottom } from '@tarojs/taro'

/** A list on screen with its cursor; `more` while the next page is on its way. */
export interface PagedList<T> {
  status: 'ready'
  items: T[]
  nextCursor: string | null
  more: boolean
}

export interface CursorPage<T> {
  items: T[]
  nextCursor: string | null
}

/**
 * On reaching the bottom of a ready list that has a next page: fetches it (one at a time) and
 * appends it. An answer is dropped when the list was loaded again meanwhile (`generation` moved
 * on); a failure keeps the list and says so in a toast.
 */
export function useLoadMore<T, L extends PagedList<T>>(
  list: L | null,
  setList: (next: L) => void,
  generation: MutableRefObject<number>,
  fetchPage: (cursor: string) => Promise<CursorPage<T>>,
): void {
  useReachBottom(() => {
    if (!list || !list.nextCursor || list.more) return
    const mine = generation.current
    setList({ ...list, more: true })
    fetchPage(list.nextCursor).then(
      (page) => {
        if (mine !== generation.current) return
        setList({ ...list, items: [...list.items, ...page.items], nextCursor: page.nextCursor, more: false })
      },
      () => {
        if (mine !== generation.current) return
        setList({ ...list, more: false })
        void Taro.showToast({ title: '加载失败，请稍后重试', icon: 'none' })
      },
    )
  })
}
