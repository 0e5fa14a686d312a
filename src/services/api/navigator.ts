/**
 * The region × issue navigator (往期导航): regions with their issue counts, and a region's issues by
 * number with the signed-in reader's read / unread state (null for an anonymous viewer).
 */
import type { NavigatorIssueDto, NavigatorPageDto, NavigatorRegionDto } from '../../../server/src/schemas/navigator'
import type { ItemList } from './types'
import { request } from './http'

export type NavigatorRegion = NavigatorRegionDto
export type NavigatorIssue = NavigatorIssueDto
export type NavigatorPage = NavigatorPageDto

export interface NavigatorPageParams {
  cursor?: string
  /** 1..200; the server defaults to 100 */
  limit?: number
}

/** GET /api/navigator: every region with its number of published issues and latest issue number. */
export function listNavigatorRegions(): Promise<ItemList<NavigatorRegion>> {
  return request<ItemList<NavigatorRegion>>('/api/navigator')
}

/** GET /api/navigator/:region: oldest first; pass `nextCursor` back as `cursor`. */
export function listRegionIssues(region: string, params: NavigatorPageParams = {}): Promise<NavigatorPage> {
  return request<NavigatorPage>(`/api/navigator/${encodeURIComponent(region)}`, { query: { ...params } })
}

type ProgressListener = (issueId: number, sectionId: string) => void
const progressListeners = new Set<ProgressListener>()

/**
 * Called once the server has the reader's progress on an issue (the article's reading progress).
 * 往期导航 listens so a cell turns 已读 at once, even when its own reload raced the write.
 */
export function announceProgress(issueId: number, sectionId: string): void {
  progressListeners.forEach((listener) => listener(issueId, sectionId))
}

/** Subscribes to announceProgress; returns the unsubscribe function. */
export function onProgressAnnounced(listener: ProgressListener): () => void {
  progressListeners.add(listener)
  return () => void progressListeners.delete(listener)
}
