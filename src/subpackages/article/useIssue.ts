import { useCallback, useEffect, useRef, useState } from 'react'
import { getIssue, toApiError, type ApiError, type IssueDetail } from '../../services/api'

export type IssueState =
  | { status: 'loading' }
  | { status: 'ready'; issue: IssueDetail }
  | { status: 'not-found' }
  | { status: 'error'; error: ApiError }

const MAX_ID = 2147483647

/** The `id` query parameter as a positive integer, or null when it is missing or malformed. */
export function parseIssueId(raw: string | undefined): number | null {
  if (!raw) return null
  const text = decodeURIComponent(raw).trim()
  if (!/^\d{1,10}$/.test(text)) return null
  const id = Number(text)
  return id >= 1 && id <= MAX_ID ? id : null
}

/**
 * Loads one issue; 404 (or a bad id) is its own state so the page can say so plainly. `retry` shows
 * the skeleton again; `refresh` keeps the issue on screen until the new one replaces it (e.g. the
 * reader's access changed).
 */
export function useIssue(id: number | null): { state: IssueState; retry: () => void; refresh: () => void } {
  const [state, setState] = useState<IssueState>(id === null ? { status: 'not-found' } : { status: 'loading' })
  const [attempt, setAttempt] = useState(0)
  const quiet = useRef(false)

  useEffect(() => {
    if (id === null) {
      setState({ status: 'not-found' })
      return undefined
    }
    let alive = true
    const keep = quiet.current
    quiet.current = false
    setState((current) =>
      current.status === 'loading' || (keep && current.status === 'ready') ? current : { status: 'loading' },
    )
    getIssue(id).then(
      (issue) => alive && setState({ status: 'ready', issue }),
      (error: unknown) => {
        if (!alive) return
        const apiError = toApiError(error)
        setState(apiError.isNotFound ? { status: 'not-found' } : { status: 'error', error: apiError })
      },
    )
    return () => {
      alive = false
    }
  }, [id, attempt])

  const retry = useCallback(() => setAttempt((n) => n + 1), [])
  const refresh = useCallback(() => {
    quiet.current = true
    setAttempt((n) => n + 1)
  }, [])
  return { state, retry, refresh }
}
