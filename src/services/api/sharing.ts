/**
 * Sharing: the reader's share code (put into share paths as sharer=<code>), share-open reports, and
 * the server-drawn share card image (free fields only, the same for every viewer).
 */
import type { ShareCodeDto, ShareOpenBodyDto } from '../../../server/src/schemas/sharing'
import { API_BASE, request } from './http'

export type ShareCode = ShareCodeDto
export type ShareOpen = ShareOpenBodyDto

/** The shape of a share code the server hands out; anything else in a path is not reported. */
export const SHARE_CODE_RE = /^[a-z2-9]{12}$/

/** GET /api/share-code: the signed-in reader's code, the same every time. */
export function getShareCode(): Promise<ShareCode> {
  return request<ShareCode>('/api/share-code')
}

/** POST /api/share-opens: resolves (204) whether or not the server counted it. */
export function reportShareOpen(open: ShareOpen): Promise<void> {
  return request<void>('/api/share-opens', { method: 'POST', data: { ...open } })
}

/** The PNG share card of an issue, for imageUrl: 5:4 for chats, square for Moments (WeChat shows it 1:1). */
export function shareCardUrl(issueId: number, shape: 'chat' | 'moments' = 'chat'): string {
  const card = `${API_BASE}/api/issues/${encodeURIComponent(String(issueId))}/share-card.png`
  return shape === 'moments' ? `${card}?shape=moments` : card
}
