import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, Nullable } from './common'

/** The most issues one navigator page holds: a region publishes about 50 a year, so most regions fit in one page. */
export const NAVIGATOR_MAX_LIMIT = 200
export const NAVIGATOR_DEFAULT_LIMIT = 100

export const NavigatorRegion = Type.Object({
  code: Type.String({ description: 'e.g. shanxi' }),
  name: Type.String({ description: 'e.g. 山西' }),
  /** Published issues of the region */
  issueCount: Type.Integer(),
  /** The highest issue number published in the region; null when it has none yet */
  latestNumber: Nullable(Type.Integer()),
})
export type NavigatorRegionDto = Static<typeof NavigatorRegion>

export const NavigatorRegionList = Type.Object({ items: Type.Array(NavigatorRegion) })
export type NavigatorRegionListDto = Static<typeof NavigatorRegionList>

export const NavigatorRegionParams = Type.Object(
  { region: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' }) },
  { additionalProperties: false },
)

export const NavigatorQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(
      BoundedInteger({ minimum: 1, maximum: NAVIGATOR_MAX_LIMIT, default: NAVIGATOR_DEFAULT_LIMIT }),
    ),
  },
  { additionalProperties: false },
)
export type NavigatorQueryDto = Static<typeof NavigatorQuery>

/** 'read' / 'unread', or null: written out because Nullable takes a single-type schema. */
const NullableReadState = Type.Unsafe<'read' | 'unread' | null>({
  type: ['string', 'null'],
  enum: ['read', 'unread', null],
})

export const NavigatorIssue = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  title: Type.String({ description: '中部城市群高质量发展' }),
  /** Publication date in Asia/Shanghai, YYYY-MM-DD */
  date: Type.String(),
  vip: Type.Boolean({ description: 'true when part of the issue is for VIP members' }),
  /** 'read' when the signed-in reader has reading progress on the issue; null for an anonymous viewer */
  readState: NullableReadState,
  /** The last section the reader reached ("s2"), when read */
  lastSectionId: Nullable(Type.String()),
})
export type NavigatorIssueDto = Static<typeof NavigatorIssue>

export const NavigatorPage = Type.Object({
  region: Type.Object({ code: Type.String(), name: Type.String() }),
  /** Ordered by issue number, oldest first */
  items: Type.Array(NavigatorIssue),
  /** Pass back as `cursor` for the next page; null on the last page */
  nextCursor: Nullable(Type.String()),
})
export type NavigatorPageDto = Static<typeof NavigatorPage>
