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

export const RecordProgressBody = Type.Object({ sectionId: SectionId }, { additionalProperties: false })

export const Progress = Type.Object({
  sectionId: Type.String(),
  /** ISO 8601 instant */
  readAt: Type.String(),
})
export type ProgressDto = Static<typeof Progress>

export const HistoryItem = Type.Object({
  ...IssueSummary.properties,
  sectionId: Type.String(),
  readAt: Type.String(),
})
export type HistoryItemDto = Static<typeof HistoryItem>

export const HistoryPage = Type.Object({
  items: Type.Array(HistoryItem),
  nextCursor: Nullable(Type.String()),
})
export type HistoryPageDto = Static<typeof HistoryPage>

export const FontSize = Type.Union([Type.Literal('small'), Type.Literal('medium'), Type.Literal('large')])
export const Theme = Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')], {
  description: 'system follows the phone’s dark mode',
})

export const ReaderSettings = Type.Object({ fontSize: FontSize, theme: Theme })
export type ReaderSettingsDto = Static<typeof ReaderSettings>

export const UpdateSettingsBody = Type.Object(
  { fontSize: Type.Optional(FontSize), theme: Type.Optional(Theme) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateSettingsBodyDto = Static<typeof UpdateSettingsBody>
