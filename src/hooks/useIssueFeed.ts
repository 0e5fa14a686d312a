import { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import {
  getProgressOf,
  listIssues,
  onProgressAnnounced,
  toApiError,
  type ApiError,
  type IssueSummary,
} from '../services/api'

export const FEED_PAGE_SIZE = 20

/** What the list shows: a region ('' for 全部) within a column ('' for every column). */
export interface FeedFilter {
  region: string
  /** Column slug, e.g. redian-jingjiang */
  column: string
  /** The column's name for the chip that clears it (热点精讲) */
  columnName: string
}

const NO_FILTER: FeedFilter = { region: '', column: '', columnName: '' }

/**
 * A filter asked for from another page (the article's crumbs): the home tab is opened with
 * switchTab, which carries no query, so the list takes it when it shows next.
 */
let requestedFilter: FeedFilter | null = null

export function requestFeedFilter(filter: Partial<FeedFilter>): void {
  requestedFilter = { ...NO_FILTER, ...filter }
}

/** The filter asked for since the list last showed, once. */
export function takeFeedFilter(): FeedFilter | null {
  const filter = requestedFilter
  requestedFilter = null
  return filter
}

/** What the feed is doing: one request at a time, tagged by why it was sent. */
export type FeedLoad = 'initial' | 'refresh' | 'more' | null

export interface FeedState extends FeedFilter {
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
  | { type: 'start'; load: Exclude<FeedLoad, null>; filter: FeedFilter }
  | { type: 'page'; load: Exclude<FeedLoad, null>; items: IssueSummary[]; nextCursor: string | null }
  | { type: 'fail'; load: Exclude<FeedLoad, null>; error: ApiError }

export const initialFeedState = (filter: Partial<FeedFilter> = {}): FeedState => ({
  ...NO_FILTER,
  ...filter,
  items: [],
  nextCursor: null,
  loaded: false,
  loading: null,
  error: null,
  moreError: null,
})

const filterOf = (current: FeedState): FeedFilter => ({
  region: current.region,
  column: current.column,
  columnName: current.columnName,
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
      if (action.load === 'initial') return { ...initialFeedState(action.filter), loading: 'initial' }
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
  /** Shows a region (in the current column) from its first page (skeleton while loading) */
  selectRegion: (region: string) => void
  /** Shows a region and a column from the first page */
  selectFilter: (filter: Partial<FeedFilter>) => void
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
  const [state, dispatch] = useReducer(feedReducer, { region: initialRegion }, initialFeedState)
  const stateRef = useRef(state)
  stateRef.current = state
  const inFlight = useRef<FeedLoad>(null)
  const generation = useRef(0)

  const run = useCallback(async (load: Exclude<FeedLoad, null>, filter: FeedFilter, cursor?: string) => {
    const ticket = ++generation.current
    inFlight.current = load
    dispatch({ type: 'start', load, filter })
    try {
      const { region, column } = filter
      const page = await listIssues({
        region: region || undefined,
        column: column || undefined,
        cursor,
        limit: FEED_PAGE_SIZE,
      })
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

  const selectFilter = useCallback(
    (filter: Partial<FeedFilter>) => void run('initial', { ...NO_FILTER, ...filter }).catch(() => undefined),
    [run],
  )
  const selectRegion = useCallback(
    (region: string) => void run('initial', { ...filterOf(stateRef.current), region }).catch(() => undefined),
    [run],
  )

  const refresh = useCallback(() => {
    const current = stateRef.current
    return run(current.loaded ? 'refresh' : 'initial', filterOf(current))
  }, [run])

  const loadMore = useCallback(() => {
    const current = stateRef.current
    const { loaded, nextCursor, moreError } = current
    if (inFlight.current !== null || !loaded || !nextCursor || moreError) return
    void run('more', filterOf(current), nextCursor)
  }, [run])

  const retry = useCallback(() => {
    const current = stateRef.current
    const { loaded, nextCursor } = current
    if (inFlight.current !== null) return
    if (loaded && nextCursor) void run('more', filterOf(current), nextCursor)
    else void run('initial', filterOf(current)).catch(() => undefined)
  }, [run])

  useEffect(() => {
    selectRegion(initialRegion)
    // The first page of the initial region, once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  return { state, selectRegion, selectFilter, refresh, loadMore, retry }
}

/** The most issues one GET /api/history/progress names (the server's limit). */
const PROGRESS_IDS_PER_REQUEST = 50

/**
 * How far the signed-in reader has read each issue on the list (已读42% / 读完 on the cards), by
 * issue id; empty when signed out. The list is the same for everyone (and cached so), so the
 * reader's own figures come from their own request, for the issues not asked about yet. `refresh`
 * asks again for all of them (back from an article).
 */
export function useFeedProgress(
  items: IssueSummary[],
  active: boolean,
): { percents: ReadonlyMap<number, number | null>; refresh: () => void } {
  const [percents, setPercents] = useState<ReadonlyMap<number, number | null>>(new Map())
  const asked = useRef(new Set<number>())
  const [round, setRound] = useState(0)

  useEffect(() => {
    asked.current = new Set()
    setPercents(new Map())
  }, [active])

  useEffect(() => {
    if (!active) return
    const ids = items.map((item) => item.id).filter((id) => !asked.current.has(id))
    for (const id of ids) asked.current.add(id)
    for (let start = 0; start < ids.length; start += PROGRESS_IDS_PER_REQUEST) {
      getProgressOf(ids.slice(start, start + PROGRESS_IDS_PER_REQUEST)).then(
        (found) =>
          setPercents((current) => {
            const next = new Map(current)
            for (const { issueId, percent } of found) next.set(issueId, percent)
            return next
          }),
        () => undefined,
      )
    }
  }, [items, active, round])

  // Progress recorded while reading marks the issue at once; its figure comes with the next refresh.
  useEffect(
    () =>
      onProgressAnnounced((issueId) =>
        setPercents((current) => (current.has(issueId) ? current : new Map(current).set(issueId, null))),
      ),
    [],
  )

  const refresh = useCallback(() => {
    asked.current = new Set()
    setRound((n) => n + 1)
  }, [])
  return { percents, refresh }
}
