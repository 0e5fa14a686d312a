import type { SearchHitDto, SearchPageDto, SnippetSegmentDto } from '../../../server/src/schemas'
import { request } from './http'

export type SearchHit = SearchHitDto
export type SearchPage = SearchPageDto
export type SnippetSegment = SnippetSegmentDto

export interface SearchParams {
  q: string
  region?: string
  cursor?: string
  limit?: number
}

/**
 * GET /api/search: titles and free text of published issues, newest first. The results are the
 * same for every reader (never VIP text), so no token is sent and no sign-in is asked for.
 */
export function searchIssues(params: SearchParams): Promise<SearchPage> {
  return request<SearchPage>('/api/search', { query: { ...params }, auth: false })
}
