import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'
import { IssueSummary } from './issues'

export const StudyIssueParams = Type.Object({ issueId: IdInteger() }, { additionalProperties: false })

export const StudyPageQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
)
export type StudyPageQueryDto = Static<typeof StudyPageQuery>

/** A section id as the issue detail gives it: "s0" (before the first heading) … "s99" */
export const SectionId = Type.String({ pattern: '^s(0|[1-9][0-9]?)$', maxLength: 3 })

export const Favorite = Type.Object({
  ...IssueSummary.properties,
  /** ISO 8601 instant */
  favoritedAt: Type.String(),
})
export type FavoriteDto = Static<typeof Favorite>

export const FavoritePage = Type.Object({
  items: Type.Array(Favorite),
  /** Pass back as `cursor` for the next page; null on the last page */
  nextCursor: Nullable(Type.String()),
})
export type FavoritePageDto = Static<typeof FavoritePage>

export const FavoriteState = Type.Object({
  issueId: Type.Integer(),
  favorited: Type.Boolean(),
  /** ISO 8601 instant of the first time it was favorited; null when it is not a favorite */
  favoritedAt: Nullable(Type.String()),
})
export type FavoriteStateDto = Static<typeof FavoriteState>

/** The most blocks an issue body may have is far below this; a larger index is malformed, not unknown. */
export const MAX_BLOCK_INDEX = 9999

export const RecordProgressBody = Type.Object(
  {
    sectionId: SectionId,
    /** The block reached: its place among the body's blocks, headings not counted (0 is the first) */
    block: Type.Optional(BoundedInteger({ minimum: 0, maximum: MAX_BLOCK_INDEX })),
  },
  { additionalProperties: false },
)
export type RecordProgressBodyDto = Static<typeof RecordProgressBody>

const Percent = Type.Integer({ minimum: 0, maximum: 100, description: 'How far through the whole issue, 0–100' })

export const Progress = Type.Object({
  sectionId: Type.String(),
  /** The block reached (headings not counted); null when only the section was recorded */
  block: Nullable(Type.Integer()),
  /** Null when only the section was recorded */
  percent: Nullable(Percent),
  /**
   * True when the place recorded lies past what this reader may read now (a membership ended):
   * the place given is the last block before the paywall, never one behind it.
   */
  atPaywall: Type.Boolean(),
  /** ISO 8601 instant */
  readAt: Type.String(),
})
export type ProgressDto = Static<typeof Progress>

export const HistoryItem = Type.Object({
  ...IssueSummary.properties,
  sectionId: Type.String(),
  /** How far through the issue the reader was; null when only the section was recorded */
  percent: Nullable(Percent),
  readAt: Type.String(),
})
export type HistoryItemDto = Static<typeof HistoryItem>

export const HistoryPage = Type.Object({
  items: Type.Array(HistoryItem),
  nextCursor: Nullable(Type.String()),
})
export type HistoryPageDto = Static<typeof HistoryPage>

/** The most issues one progress query names: a page of the home list. */
export const MAX_PROGRESS_IDS = 50

export const ProgressOfQuery = Type.Object(
  {
    /** Issue ids, comma-separated: "32,31,30" */
    ids: Type.String({ minLength: 1, maxLength: 600, pattern: '^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9}){0,49}$' }),
  },
  { additionalProperties: false },
)
export type ProgressOfQueryDto = Static<typeof ProgressOfQuery>

export const IssuePercent = Type.Object({ issueId: Type.Integer(), percent: Nullable(Percent) })
export const ProgressOfPage = Type.Object({
  /** The named issues the reader has read; an issue not read is left out */
  items: Type.Array(IssuePercent),
})
export type ProgressOfPageDto = Static<typeof ProgressOfPage>

export const FontSize = Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large')])
export const Theme = Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')], {
  description: 'system follows the phone’s dark mode',
})

export const AnswersDisplay = Type.Union([Type.Literal('folded'), Type.Literal('shown')], {
  description: '参考作答 under each 例题: folded behind 先作答 / 查看参考作答, or always shown',
})

export const ReaderSettings = Type.Object({ fontSize: FontSize, theme: Theme, answers: AnswersDisplay })
export type ReaderSettingsDto = Static<typeof ReaderSettings>

export const UpdateSettingsBody = Type.Object(
  { fontSize: Type.Optional(FontSize), theme: Type.Optional(Theme), answers: Type.Optional(AnswersDisplay) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateSettingsBodyDto = Static<typeof UpdateSettingsBody>
