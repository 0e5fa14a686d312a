import { useEffect, useMemo } from 'react'
import { SHARE_CODE_RE, type IssueDetail } from '../../services/api'
import { trackFunnel, type FunnelSource } from '../../services/funnel'
import { getEnterScene } from '../../services/wechat'

/**
 * The paywall funnel's first steps (docs/funnel.md): this issue opened, and its paywall shown when the
 * reader may not read on, each with the share code and launch scene the reader came in through.
 */
export function useFunnelReport(issue: IssueDetail | null, sharer: string | undefined): void {
  const issueId = issue ? issue.id : null
  const locked = issue ? !issue.access.granted : false
  const source = useMemo<FunnelSource | null>(() => {
    if (issueId === null) return null
    const scene = getEnterScene()
    return {
      issueId,
      ...(sharer && SHARE_CODE_RE.test(sharer) ? { share: sharer } : {}),
      ...(scene !== null && scene >= 1000 && scene <= 9999 ? { scene } : {}),
    }
  }, [issueId, sharer])
  useEffect(() => {
    if (source) trackFunnel('opened', source)
  }, [source])
  useEffect(() => {
    if (source && locked) trackFunnel('paywall', source)
  }, [source, locked])
}
