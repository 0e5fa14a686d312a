/**
 * The API's types, taken from the server's TypeBox schemas. `import type` is erased at
 * build time, so none of the server's code reaches the mini-program package.
 */
import type {
  AccessDto,
  BindPhoneResultDto,
  BlockDto,
  ColumnDto,
  IssueDetailDto,
  IssuePageDto,
  IssueSummaryDto,
  LoginResultDto,
  MeDto,
  PlanDto,
  RegionDto,
  SectionDto,
} from '../../../server/src/schemas'

export type Access = AccessDto
export type AccessDenied = Extract<AccessDto, { granted: false }>
export type Paywall = AccessDenied['paywall']
export type Block = BlockDto
export type BlockOf<T extends Block['type']> = Extract<Block, { type: T }>
export type Column = ColumnDto
export type IssueDetail = IssueDetailDto
export type IssueNeighbour = NonNullable<IssueDetailDto['previous']>
export type IssuePage = IssuePageDto
export type IssueSummary = IssueSummaryDto
export type Plan = PlanDto
export type Region = RegionDto
export type Section = SectionDto
export type Me = MeDto
export type Membership = MeDto['membership']
export type LoginResult = LoginResultDto
export type BindPhoneResult = BindPhoneResultDto

export interface ItemList<T> {
  items: T[]
}

export interface ListIssuesParams {
  region?: string
  column?: string
  cursor?: string
  /** 1..50; the server defaults to 20 */
  limit?: number
}
