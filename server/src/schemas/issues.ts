import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'
import { Section } from './content'
import { Plan } from './plans'

const RegionRef = Type.Object({ code: Type.String(), name: Type.String() })

export const IssueSummary = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String({ description: '中部城市群高质量发展' }),
  /** 【山西·第32期】中部城市群高质量发展 */
  fullTitle: Type.String(),
  region: RegionRef,
  number: Type.Integer(),
  /** Publication date in Asia/Shanghai, YYYY-MM-DD */
  date: Type.String(),
  author: Type.String(),
  /** Taken from the free part only */
  summary: Type.String(),
  cover: Nullable(Type.String()),
  views: Type.Integer(),
  vip: Type.Boolean({ description: 'true when part of the issue is for VIP members' }),
})
export type IssueSummaryDto = Static<typeof IssueSummary>

export const IssuePage = Type.Object({
  items: Type.Array(IssueSummary),
  /** Pass back as `cursor` for the next page; null on the last page */
  nextCursor: Nullable(Type.String()),
})
export type IssuePageDto = Static<typeof IssuePage>

export const ListIssuesQuery = Type.Object(
  {
    column: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 50, default: 20 })),
  },
  { additionalProperties: false },
)
export type ListIssuesQueryDto = Static<typeof ListIssuesQuery>

export const IssueParams = Type.Object({
  id: IdInteger(),
})

export const LockedSummary = Type.Object(
  {
    sections: Type.Array(Type.String(), {
      description: 'Headings of the locked sections, e.g. 三、实战应用; one the cut falls inside is 三、实战应用（续）',
    }),
    questions: Type.Integer({ description: '例题 in the locked part' }),
    answers: Type.Integer({ description: '参考作答 in the locked part' }),
  },
  { description: 'What is locked, by headings and counts only: never text of the locked part' },
)

export const Paywall = Type.Object({
  title: Type.String({ description: 'The operator’s copy (GET /api/admin/settings), e.g. 本篇为VIP章节' }),
  message: Type.String({ description: 'e.g. 抱歉哦,本篇为vip章节,需要本站VIP会员才可以继续阅读哦~' }),
  button: Type.String({ description: '开通VIP会员' }),
  plans: Type.Array(Plan),
  preselectedPlan: Type.String({ description: 'The plan id the purchase page preselects (an operator setting)' }),
  locked: LockedSummary,
})

export const AccessGranted = Type.Object({
  granted: Type.Literal(true),
  reason: Type.Union([Type.Literal('free'), Type.Literal('member')]),
})
export const AccessDenied = Type.Object({
  granted: Type.Literal(false),
  reason: Type.Union([
    Type.Literal('login_required'),
    Type.Literal('membership_required'),
    Type.Literal('membership_expired'),
  ]),
  paywall: Paywall,
})
export const Access = Type.Union([AccessGranted, AccessDenied])
export type AccessDto = Static<typeof Access>

export const Breadcrumb = Type.Array(Type.Object({ slug: Type.String(), name: Type.String() }))

export const IssueDetail = Type.Object({
  ...IssueSummary.properties,
  breadcrumb: Breadcrumb,
  sections: Type.Array(Section),
  access: Access,
  /** Neighbours in the same region by number, for 上一期 / 下一期 */
  previous: Nullable(Type.Object({ id: Type.Integer(), number: Type.Integer(), title: Type.String() })),
  next: Nullable(Type.Object({ id: Type.Integer(), number: Type.Integer(), title: Type.String() })),
})
export type IssueDetailDto = Static<typeof IssueDetail>
