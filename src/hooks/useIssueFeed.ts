import { useCallback, useEffect, useReducer, useRef } from 'react'
import { listIssues, toApiError, type ApiError, type IssueSummary } from '../services/api'

export const FEED_PAGE_SIZE = 20

/** What the feed is doing: one request at a time, tagged by why it was sent. */
export type FeedLoad = 'initial' | 'refresh' | 'more' | null

export interface FeedState {
  region: string
  items: IssueSummary[]
  nextCursor: string | null
  /** The first page of the current region has arrived */
  loaded: boolean
  loading: FeedLoad
  /** Failure of the first page (the list shows an error state) */
  error: ApiError | null
  /** Failure of a later page (the footer offers a retry) */
  moreError: ApiError | null
}

type FeedAction =
  | { type: 'start'; load: Exclude<FeedLoad, null>; region: string }
  | { type: 'page'; load: Exclude<FeedLoad, null>; items: IssueSummary[]; nextCursor: string | null }
  | { type: 'fail'; load: Exclude<FeedLoad, null>; error: ApiError }

export const initialFeedState = (region = ''): FeedState => ({
  region,
  items: [],
  nextCursor: null,
  loaded: false,
  loading: null,
  error: null,
  moreError: null,
})

/** Appends without duplicates (a refresh may overlap a page already shown). */
function mergeById(current: IssueSummary[], incoming: IssueSummary[]): IssueSummary[] {
  const seen = new Set(current.map((item) => item.id))
  const fresh = incoming.filter((item) => !seen.has(item.id))
  return fresh.length > 0 ? current.concat(fresh) : current
}

export function feedReducer(state: FeedState, action: FeedAction): FeedState {
  switch (action.type) {
    case 'start':
      if (action.load === 'initial') return { ...initialFeedState(action.region), loading: 'initial' }
      return { ...state, loading: action.load, moreError: null }
    case 'page':
      if (action.load === 'more') {
        return { ...state, items: mergeById(state.items, action.items), nextCursor: action.nextCursor, loading: null }
      }
      return { ...state, items: action.items, nextCursor: action.nextCursor, loaded: true, loading: null, error: null }
    case 'fail':
      if (action.load === 'more') return { ...state, loading: null, moreError: action.error }
      // A failed refresh keeps what is on screen; a failed first page shows the error state.
      if (action.load === 'refresh' && state.loaded) return { ...state, loading: null }
      return { ...state, loading: null, error: action.error }
  }
}

export interface IssueFeed {
  state: FeedState
  /** Shows a region from its first page (skeleton while loading) */
  selectRegion: (region: string) => void
  /** Pull-down refresh: reloads the first page, keeps the list visible; rejects with the error */
  refresh: () => Promise<void>
  /** Next page; ignored while any request is in flight or on the last page */
  loadMore: () => void
  /** Retries whatever failed */
  retry: () => void
}

/**
 * The issue list: cursor pagination with one request in flight at a time. Fast scrolling
 * fires reach-bottom many times; only the first call sends a request. Switching region
 * or refreshing supersedes an older request, whose late answer is dropped.
 */
export function useIssueFeed(initialRegion = ''): IssueFeed {
  const [state, dispatch] = useReducer(feedReducer, initialRegion, initialFeedState)
  const stateRef = useRef(state)
  stateRef.current = state
  const inFlight = useRef<FeedLoad>(null)
  const generation = useRef(0)

  const run = useCallback(async (load: Exclude<FeedLoad, null>, region: string, cursor?: string) => {
    const ticket = ++generation.current
    inFlight.current = load
    dispatch({ type: 'start', load, region })
    try {
      const page = await listIssues({ region: region || undefined, cursor, limit: FEED_PAGE_SIZE })
      if (ticket !== generation.current) return
      dispatch({ type: 'page', load, items: page.items, nextCursor: page.nextCursor })
    } catch (error) {
      if (ticket !== generation.current) return
      const apiError = toApiError(error)
      dispatch({ type: 'fail', load, error: apiError })
      if (load === 'refresh') throw apiError
    } finally {
      if (ticket === generation.current) inFlight.current = null
    }
  }, [])

  const selectRegion = useCallback((region: string) => void run('initial', region).catch(() => undefined), [run])

  const refresh = useCallback(() => {
    const { loaded, region } = stateRef.current
    return run(loaded ? 'refresh' : 'initial', region)
  }, [run])

  const loadMore = useCallback(() => {
    const { loaded, nextCursor, region, moreError } = stateRef.current
    if (inFlight.current !== null || !loaded || !nextCursor || moreError) return
    void run('more', region, nextCursor)
  }, [run])

  const retry = useCallback(() => {
    const { loaded, nextCursor, region } = stateRef.current
    if (inFlight.current !== null) return
    if (loaded && nextCursor) void run('more', region, nextCursor)
    else void run('initial', region).catch(() => undefined)
  }, [run])

  useEffect(() => {
    selectRegion(initialRegion)
    // The first page of the initial region, once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  return { state, selectRegion, refresh, loadMore, retry }
}
