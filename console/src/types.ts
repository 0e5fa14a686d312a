/**
 * What the console reads from /api/admin: the API's own TypeBox schemas (server/src/schemas/admin*.ts),
 * imported as types only, so nothing of the server reaches the bundle.
 * Screens still render tolerantly (a missing field shows —), since the console and the API of one
 * deploy can be a build apart while a new version rolls out.
 */
import type { Static } from '@sinclair/typebox'
import type {
  AdminIssue,
  AdminIssuePage,
  AdminOrder,
  AdminOrderDetail,
  AdminOrderPage,
  AdminReader,
  AuditPage,
  Dashboard as DashboardSchema,
  IssueCheckResult,
  IssueImportResult,
  LedgerEntry,
  ReaderDetail as ReaderDetailSchema,
  ReaderList,
  ShareReport,
  SubscriptionReport,
  VipResult as VipResultSchema,
} from '../../server/src/schemas/admin'
import type {
  MemberImportReport as MemberImportReportSchema,
  PhoneConflictList,
  UnlinkResult as UnlinkResultSchema,
} from '../../server/src/schemas/admin-members'
import type {
  AdminProductList,
  AdminShipment,
  AdminShipmentList,
  AwaitingQueue,
  ShipCsvResult,
  TradeManaged,
} from '../../server/src/schemas/admin-store'
import type { AdminCourse, CourseGrantList as CourseGrantListSchema } from '../../server/src/schemas/admin-courses'
import type { AdminSessionDto, OperatorDto, ScanStatusDto, ScanTicketDto } from '../../server/src/schemas/admin-session'
import type { FunnelReport as FunnelReportSchema } from '../../server/src/schemas/funnel'
import type { AdminSettingsDto, UpdateSettingsBodyDto } from '../../server/src/schemas/site-settings'

export type Operator = Static<typeof OperatorDto>
export type Role = Operator['role']
export type Session = Static<typeof AdminSessionDto>
export type ScanTicket = Static<typeof ScanTicketDto>
export type ScanStatus = Static<typeof ScanStatusDto>

export type Dashboard = Static<typeof DashboardSchema>
export type Period = Dashboard['today']

export type OrderRow = Static<typeof AdminOrder>
export type OrderPage = Static<typeof AdminOrderPage>
export type OrderDetail = Static<typeof AdminOrderDetail>
export type LedgerRow = Static<typeof LedgerEntry>

export type ReaderRow = Static<typeof AdminReader>
export type ReaderPage = Static<typeof ReaderList>
export type ReaderDetail = Static<typeof ReaderDetailSchema>
export type VipResult = Static<typeof VipResultSchema>

export type IssueRow = Static<typeof AdminIssue>
export type IssuePage = Static<typeof AdminIssuePage>
export type CheckResult = Static<typeof IssueCheckResult>
export type ImportResult = Static<typeof IssueImportResult>

export type AuditPageData = Static<typeof AuditPage>
export type AuditRow = AuditPageData['items'][number]

export type FunnelReport = Static<typeof FunnelReportSchema>

export type SubscriptionReportData = Static<typeof SubscriptionReport>
export type ShareReportData = Static<typeof ShareReport>

export type MemberImportReport = Static<typeof MemberImportReportSchema>
export type PhoneConflict = Static<typeof PhoneConflictList>['items'][number]
export type UnlinkResult = Static<typeof UnlinkResultSchema>

export type ProductRow = Static<typeof AdminProductList>['items'][number]
export type AwaitingQueueData = Static<typeof AwaitingQueue>
export type AwaitingRow = AwaitingQueueData['items'][number]
export type ShipmentRow = Static<typeof AdminShipment>
export type ShipmentPage = Static<typeof AdminShipmentList>
export type ShipCsvReport = Static<typeof ShipCsvResult>
export type TradeManagedData = Static<typeof TradeManaged>
export type GoodsDetail = NonNullable<OrderDetail['goods']>
export type Address = NonNullable<GoodsDetail['address']>

export type CourseRow = Static<typeof AdminCourse>
export type CourseGrantList = Static<typeof CourseGrantListSchema>
export type CourseGrant = CourseGrantList['items'][number]

export type SiteSettings = AdminSettingsDto
export type SiteSettingsUpdate = UpdateSettingsBodyDto

export type Loose = Record<string, unknown>
