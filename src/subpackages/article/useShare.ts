import { useEffect, useRef, useState } from 'react'
import { getShareCode, reportShareOpen, SHARE_CODE_RE, shareCardUrl, type IssueDetail } from '../../services/api'
import { getEnterScene } from '../../services/wechat'
import { BRAND, routes } from '../../constants'
import { issueFullTitle } from '../../utils/format'

/** The signed-in reader's share code, fetched once per session (per reader id). */
let codeOf: { readerId: number; code: Promise<string | null> } | null = null

function shareCodeFor(readerId: number): Promise<string | null> {
  if (codeOf?.readerId !== readerId) {
    const code = getShareCode().then(
      (answer) => answer.code,
      () => {
        // Shares go out without a sharer this time; the next page asks again.
        if (codeOf?.code === code) codeOf = null
        return null
      },
    )
    codeOf = { readerId, code }
  }
  return codeOf.code
}

/** Forgets the fetched code; for tests. */
export function resetShareCode(): void {
  codeOf = null
}

/** The reader's share code while signed in (`readerId` is the reader's id, null when signed out). */
export function useShareCode(readerId: number | null): string | null {
  const [code, setCode] = useState<string | null>(null)
  useEffect(() => {
    setCode(null)
    if (readerId === null) return
    let live = true
    void shareCodeFor(readerId).then((found) => {
      if (live) setCode(found)
    })
    return () => {
      live = false
    }
  }, [readerId])
  return code
}

/** The title of a share or a favorite: built from the free fields only (【山西·第32期】…), the brand until loaded. */
export function shareTitle(issue: IssueDetail | null): string {
  return issue ? issueFullTitle(issue) : `${BRAND}·热点精讲`
}

/** What a chat share carries besides its title: the path with the sharer, and the card image. */
export function shareAppMessageParts(issueId: number | null, code: string | null): { path: string; imageUrl?: string } {
  if (issueId === null) return { path: routes.home }
  const path = routes.article(issueId)
  return { path: code ? `${path}&sharer=${code}` : path, imageUrl: shareCardUrl(issueId) }
}

/** What a Moments share carries besides its title: the query with the sharer, and the square card image. */
export function shareTimelineParts(issueId: number | null, code: string | null): { query: string; imageUrl?: string } {
  if (issueId === null) return { query: '' }
  return { query: code ? `id=${issueId}&sharer=${code}` : `id=${issueId}`, imageUrl: shareCardUrl(issueId, 'moments') }
}

/**
 * Opened from a share (`sharer` in the page's parameters): tells the server once per page open, with
 * WeChat's scene, so the publisher sees which shares are read. Failures are ignored: reading comes first.
 */
export function useShareOpenReport(issueId: number | null, sharer: string | undefined): void {
  const reported = useRef(false)
  useEffect(() => {
    if (reported.current || issueId === null || !sharer || !SHARE_CODE_RE.test(sharer)) return
    reported.current = true
    reportShareOpen({ issueId, sharer, scene: getEnterScene() }).catch(() => undefined)
  }, [issueId, sharer])
}
