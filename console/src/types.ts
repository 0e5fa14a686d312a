/**
 * What the console reads from /api/admin, as the API's TypeBox schemas describe it
 * (server/src/schemas/admin.ts and admin-session.ts). Written out here until those schemas are
 * committed; then these become `import type` of them, so nothing of the server reaches the bundle.
 * Screens still render tolerantly (a missing field shows —): the console and the API of one deploy
 * can be a build apart while a new version rolls out.
 */

export type Role = 'editor' | 'finance' | 'admin'
export interface Operator {
  id: number
  name: string
  role: Role
}
export interface Session {
  operator: Operator
  csrfToken: string
}
export interface ScanTicket {
  ticket: string
  codeUrl: string
  expiresAt: string
}
export interface ScanStatus {
  status: 'waiting' | 'confirmed' | 'refused' | 'expired'
  operator?: Operator
  csrfToken?: string
}

export interface Period {
  views: number
  orders: number
  paid: number
  revenueFen: number
  refundedFen: number
  newVips: number
}
export interface Dashboard {
  today: Period
  week: Period
  payments: {
    rail: 'xpay' | 'wechatpay'
    sells: boolean
    safeMode: boolean
    notificationsLastHour: number
    lastReconcile: { running: boolean; leaseExpiresAt: string | null; lastSweepEntryAt: string | null }
  }
  jobs: Array<{ name: string; holder: string; expiresAt: string }>
}

export type OrderStatus = 'created' | 'pending' | 'paid' | 'fulfilled' | 'closed' | 'refunding' | 'refunded'
export interface OrderRow {
  id: number
  outTradeNo: string
  userId: number
  planId: string
  planName: string
  months: number
  amountFen: number
  refundedFen: number
  rail: 'xpay' | 'wechatpay'
  status: OrderStatus
  platform: string
  transactionId: string | null
  createdAt: string
  paidAt: string | null
  fulfilledAt: string | null
  refundedAt: string | null
  refundFailure: string | null
}
export interface OrderPage {
  items: OrderRow[]
  nextCursor: string | null
}
export interface LedgerRow {
  id: number
  orderId: number | null
  userId: number
  event: string
  amountFen: number
  source: string
  detail: string
  createdAt: string
}
export interface OrderDetail {
  order: OrderRow
  ledger: LedgerRow[]
}

export interface ReaderRow {
  id: number
  nickname: string
  phone: string | null
  vip: { active: boolean; expiresAt: string | null }
  createdAt: string
  lastLoginAt: string | null
}
export interface ReaderPage {
  items: ReaderRow[]
}
export interface ReaderDetail {
  reader: ReaderRow & { shareCode: string | null }
  vipHistory: LedgerRow[]
  orders: OrderRow[]
}
export interface VipResult {
  reader: ReaderRow
  before: string | null
  after: string
}

export type IssueStatus = 'draft' | 'scheduled' | 'published' | 'archived'
export interface IssueRow {
  id: number
  slug: string
  title: string
  region: { code: string; name: string }
  column: { slug: string; name: string }
  number: number
  status: IssueStatus
  vip: boolean
  date: string
  publishedAt: string
  updatedAt: string
  views: number
}
export interface IssuePage {
  items: IssueRow[]
  nextCursor: string | null
}
export interface CheckResult {
  problems: string[]
  issue?: { slug: string; title: string; region: string; number: number; status: IssueStatus; vip: boolean }
  diff?: { created: boolean; changed: boolean; fields: string[] }
}
export type ImportResult = CheckResult & {
  saved: boolean
  id: number | null
  outcome: 'created' | 'updated' | 'unchanged' | null
}

export interface AuditRow {
  id: number
  operatorId: number | null
  operatorName: string
  action: string
  target: string
  reason: string
  before: unknown
  after: unknown
  createdAt: string
}
export interface AuditPageData {
  items: AuditRow[]
  nextCursor: string | null
}

export type Loose = Record<string, unknown>
