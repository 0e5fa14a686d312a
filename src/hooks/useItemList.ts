import { useCallback, useEffect, useRef, useState } from 'react'
import { toApiError, type ApiError, type ItemList } from '../services/api'

export type ItemListState<T> =
  { status: 'loading' } | { status: 'ready'; items: T[] } | { status: 'error'; error: ApiError }

/**
 * A list the server answers whole (the store's shelf, the courses), loaded when the page opens.
 * `load(true)` asks again with the list kept on screen (pull-down, back on the page): a failure
 * then keeps it too; `load(false)` shows the loading state first (a retry).
 */
export function useItemList<T>(fetch: () => Promise<ItemList<T>>): {
  state: ItemListState<T>
  load: (quiet: boolean) => Promise<void>
} {
  const [state, setState] = useState<ItemListState<T>>({ status: 'loading' })
  const alive = useRef(true)
  const latest = useRef(fetch)
  latest.current = fetch

  const load = useCallback(async (quiet: boolean) => {
    if (!quiet) setState({ status: 'loading' })
    try {
      const { items } = await latest.current()
      if (alive.current) setState({ status: 'ready', items })
    } catch (error) {
      if (alive.current)
        setState((current) =>
          quiet && current.status === 'ready' ? current : { status: 'error', error: toApiError(error) },
        )
    }
  }, [])

  useEffect(() => {
    alive.current = true
    void load(false)
    return () => {
      alive.current = false
    }
  }, [load])

  return { state, load }
}
