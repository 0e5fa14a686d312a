/**
 * 文档PDF下载: the whole issue as a PDF, a VIP benefit. The file comes through the WeChat adapter
 * (wx.downloadFile + wx.openDocument; a browser download on H5), since Taro.request cannot hand a
 * binary answer to the document viewer; refusals are turned into the client's ApiError here.
 */
import { openIssuePdf } from '../wechat'
import { ApiError, clientError, readerMessage } from './errors'
import { API_BASE, errorFromBody, withSession } from './http'
import type { IssueDetail } from './types'

export type PdfIssue = Pick<IssueDetail, 'id' | 'region' | 'number' | 'title'>

/** GET /api/issues/:id/pdf (Bearer) */
export function issuePdfUrl(issueId: number): string {
  return `${API_BASE}/api/issues/${encodeURIComponent(String(issueId))}/pdf`
}

/** 山西第32期-中部城市群高质量发展.pdf, as the server names it. */
export function issuePdfFileName(issue: PdfIssue): string {
  return `${issue.region.name}第${issue.number}期-${issue.title}.pdf`.replace(/[\\/:*?"<>|]+/g, '')
}

/**
 * Downloads and opens the issue's PDF with the reader's token, through the HTTP client's session
 * handling (a refused token signs in again once, shared with every other call). Rejects with an
 * ApiError: 401 LOGIN_REQUIRED / INVALID_TOKEN when signing in did not help, 403 VIP_REQUIRED (show
 * the paywall), 404, or NETWORK_ERROR when no answer came or the document could not be opened.
 */
export function downloadIssuePdf(issue: PdfIssue): Promise<void> {
  return withSession(true, true, async (token) => {
    if (!token) throw new ApiError('LOGIN_REQUIRED', readerMessage('LOGIN_REQUIRED', 401), 401)
    let result
    try {
      result = await openIssuePdf(issuePdfUrl(issue.id), token, issuePdfFileName(issue))
    } catch {
      throw clientError('NETWORK_ERROR')
    }
    if (!result.ok) throw errorFromBody(result.statusCode, result.body)
  })
}
