import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, Nullable } from './common'
import { IssueSummary } from './issues'

export const SearchQuery = Type.Object(
  {
    /** 1–50 characters after trimming; words separated by spaces must all occur */
    q: Type.String({ minLength: 1, maxLength: 500, description: '城市群, 山西, 乡村振兴 共同富裕' }),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
)
export type SearchQueryDto = Static<typeof SearchQuery>

/** A piece of a snippet; `hit` marks text that matched the query. Rendered as text, never as HTML. */
export const SnippetSegment = Type.Object({ text: Type.String(), hit: Type.Boolean() })
export type SnippetSegmentDto = Static<typeof SnippetSegment>

export const SearchHit = Type.Object({
  ...IssueSummary.properties,
  /** About 60 characters around the first match, from the title or the free part only */
  snippet: Type.Array(SnippetSegment),
})
export type SearchHitDto = Static<typeof SearchHit>

export const SearchPage = Type.Object({
  items: Type.Array(SearchHit),
  /** Pass back as `cursor` for the next page; null on the last page */
  nextCursor: Nullable(Type.String()),
})
export type SearchPageDto = Static<typeof SearchPage>
