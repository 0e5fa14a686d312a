/**
 * The reader's study tools, kept on the server per reader: favorites (收藏), reading history with
 * resume, and reader settings. Every call needs a signed-in reader (the server answers 401 otherwise).
 */
import type {
  FavoritePageDto,
  FavoriteStateDto,
  HistoryPageDto,
  ProgressDto,
  ProgressOfPageDto,
  ReaderSettingsDto,
} from '../../../server/src/schemas'
import { request } from './http'

export type FavoritePage = FavoritePageDto
export type Favorite = FavoritePageDto['items'][number]
export type FavoriteState = FavoriteStateDto
export type HistoryPage = HistoryPageDto
export type HistoryItem = HistoryPageDto['items'][number]
export type ReadingProgress = ProgressDto
export type ReaderSettings = ReaderSettingsDto
export type FontSize = ReaderSettingsDto['fontSize']
export type Theme = ReaderSettingsDto['theme']
export type AnswersDisplay = ReaderSettingsDto['answers']
export type IssuePercent = ProgressOfPageDto['items'][number]

export interface StudyPageParams {
  cursor?: string
  /** 1..50; the server defaults to 20 */
  limit?: number
}

const issuePath = (base: string, issueId: number) => `${base}/${encodeURIComponent(String(issueId))}`

/** PUT /api/favorites/:issueId: favoriting twice is one favorite. */
export function addFavorite(issueId: number): Promise<FavoriteState> {
  return request<FavoriteState>(issuePath('/api/favorites', issueId), { method: 'PUT' })
}

/** GET /api/favorites/:issueId: whether the reader favorited this issue. */
export function getFavorite(issueId: number): Promise<FavoriteState> {
  return request<FavoriteState>(issuePath('/api/favorites', issueId))
}

/** DELETE /api/favorites/:issueId: resolves whether or not it was a favorite. */
export function removeFavorite(issueId: number): Promise<void> {
  return request<void>(issuePath('/api/favorites', issueId), { method: 'DELETE' })
}

/** GET /api/favorites: most recently favorited first; pass `nextCursor` back as `cursor`. */
export function listFavorites(params: StudyPageParams = {}): Promise<FavoritePage> {
  return request<FavoritePage>('/api/favorites', { query: { ...params } })
}

/**
 * PUT /api/history/:issueId: the last section reached ("s1" …) and the block there (counted over the
 * sections' blocks); a section or block the reader may not read is a 400. The server works out the percent.
 */
export function recordProgress(issueId: number, sectionId: string, block?: number): Promise<ReadingProgress> {
  const data = block === undefined ? { sectionId } : { sectionId, block }
  return request<ReadingProgress>(issuePath('/api/history', issueId), { method: 'PUT', data })
}

/** GET /api/history/progress: how far the reader has read each of these issues (those read only). */
export function getProgressOf(issueIds: number[]): Promise<IssuePercent[]> {
  return request<ProgressOfPageDto>('/api/history/progress', { query: { ids: issueIds.join(',') } }).then(
    (page) => page.items,
  )
}

/** GET /api/history/:issueId: where to resume, or null (204) when the reader has not read this issue. */
export function getProgress(issueId: number): Promise<ReadingProgress | null> {
  return request<ReadingProgress | undefined>(issuePath('/api/history', issueId)).then((progress) => progress ?? null)
}

/** GET /api/history: the issues read, most recent first, with the last section reached. */
export function listHistory(params: StudyPageParams = {}): Promise<HistoryPage> {
  return request<HistoryPage>('/api/history', { query: { ...params } })
}

/** DELETE /api/history: clears the reading history. */
export function clearHistory(): Promise<void> {
  return request<void>('/api/history', { method: 'DELETE' })
}

/** GET /api/settings: medium / system until the reader saves settings. */
export function getSettings(): Promise<ReaderSettings> {
  return request<ReaderSettings>('/api/settings')
}

/** PUT /api/settings: fields left out keep their value; resolves with the saved settings. */
export function updateSettings(change: Partial<ReaderSettings>): Promise<ReaderSettings> {
  return request<ReaderSettings>('/api/settings', { method: 'PUT', data: { ...change } })
}
