import { Type, type Static } from '@sinclair/typebox'
import { AdminGoods } from './admin-store'
import { BoundedInteger, IdInteger, INT4_MAX, Nullable } from './common'

/** Schemas of the operator console's business routes (/api/admin/*; docs/api.md#operator-console). */

export const OrderStatus = Type.Union([
  Type.Literal('created'),
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('fulfilled'),
  Type.Literal('closed'),
  Type.Literal('refunding'),
  Type.Literal('refunded'),
])
export const Rail = Type.Union([Type.Literal('xpay'), Type.Literal('wechatpay')])
const Time = Type.String({ description: 'ISO 8601, UTC' })
const Cursor = Type.String({ minLength: 1, maxLength: 128 })

export const DayCounts = Type.Object({
  /** One per viewer, issue and day, as flushed (VIEW_FLUSH_INTERVAL_MS) */
  views: Type.Integer(),
  /** Viewers who reached a paywall, one per viewer, issue and day (the app's funnel reports) */
  paywall: Type.Integer(),
  /** Orders sent to a rail */
  orders: Type.Integer(),
  paid: Type.Integer(),
  revenueFen: Type.Integer(),
  refundedFen: Type.Integer(),
  /** Readers whose first VIP (a fulfilled order or an operator grant) came in the span */
  newVips: Type.Integer(),
})

export const Dashboard = Type.Object({
  /** Today in Asia/Shanghai */
  today: DayCounts,
  /** The last seven Asia/Shanghai days, today included */
  week: DayCounts,
  payments: Type.Object({
    rail: Rail,
    /** The rail is configured: readers can buy */
    sells: Type.Boolean(),
    /** 消息推送 in 安全模式 (MSG_PUSH_AES_KEY set) */
    safeMode: Type.Boolean(),
    notificationsLastHour: Type.Integer(),
    lastReconcile: Type.Object({
      /** A sweep holds the lease now */
      running: Type.Boolean(),
      leaseExpiresAt: Nullable(Time),
      /** The newest ledger row a sweep wrote */
      lastSweepEntryAt: Nullable(Time),
    }),
  }),
  jobs: Type.Array(Type.Object({ name: Type.String(), holder: Type.String(), expiresAt: Time })),
})
export type DashboardDto = Static<typeof Dashboard>

// ---- orders -----------------------------------------------------------------------------------

export const AdminOrder = Type.Object({
  id: Type.Integer(),
  outTradeNo: Type.String(),
  userId: Type.Integer(),
  planId: Type.String(),
  planName: Type.String(),
  /** vip: a membership plan; goods: the store's books; course: a course sold alone */
  kind: Type.Union([Type.Literal('vip'), Type.Literal('goods'), Type.Literal('course')]),
  /** The course a course order buys (its title now); absent for other orders */
  course: Type.Optional(Type.Object({ id: Type.Integer(), title: Type.String() })),
  months: Type.Integer(),
  amountFen: Type.Integer(),
  refundedFen: Type.Integer(),
  rail: Rail,
  status: OrderStatus,
  platform: Type.String(),
  transactionId: Nullable(Type.String()),
  createdAt: Time,
  paidAt: Nullable(Time),
  fulfilledAt: Nullable(Time),
  refundedAt: Nullable(Time),
  /** Why the latest refund failed; null when none did */
  refundFailure: Nullable(Type.String()),
})
export type AdminOrderDto = Static<typeof AdminOrder>

export const LedgerEntry = Type.Object({
  id: Type.Integer(),
  orderId: Nullable(Type.Integer()),
  userId: Type.Integer(),
  event: Type.String(),
  amountFen: Type.Integer(),
  source: Type.String(),
  detail: Type.String(),
  createdAt: Time,
})
export type LedgerEntryDto = Static<typeof LedgerEntry>

/** An Asia/Shanghai calendar day */
export const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  minLength: 10,
  maxLength: 10,
  description: 'YYYY-MM-DD',
})

/** The filters of the orders list, shared by its CSV export */
export const ORDER_FILTERS = {
  status: Type.Optional(OrderStatus),
  rail: Type.Optional(Rail),
  userId: Type.Optional(IdInteger()),
  planId: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$' })),
  /** Created on or after this Asia/Shanghai day */
  from: Type.Optional(Day),
  /** Created on or before this Asia/Shanghai day */
  to: Type.Optional(Day),
}

export const AdminOrdersQuery = Type.Object(
  {
    ...ORDER_FILTERS,
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
)

export const AdminOrderPage = Type.Object({ items: Type.Array(AdminOrder), nextCursor: Nullable(Type.String()) })

export const AdminOrderDetail = Type.Object({
  order: AdminOrder,
  /** A goods order's lines, address, shipment and refund bound (docs/store.md); absent for VIP orders */
  goods: Type.Optional(AdminGoods),
  ledger: Type.Array(LedgerEntry),
  /** WeChat's answers: the payment and refund events recorded for the order, newest first */
  notifications: Type.Array(
    Type.Object({
      /** The notification's own id (or the refund's number), as WeChat sent it */
      key: Type.String(),
      rail: Type.String(),
      event: Type.String(),
      receivedAt: Time,
    }),
  ),
})

export const RefundBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 80, description: 'Why, in the operator’s words' }),
    /** A shipped goods order only: part of what is left (fen); without it, all that is left */
    amountFen: Type.Optional(BoundedInteger({ minimum: 1, maximum: INT4_MAX })),
  },
  { additionalProperties: false },
)

// ---- readers ----------------------------------------------------------------------------------

export const AdminReader = Type.Object({
  id: Type.Integer(),
  nickname: Type.String(),
  /** 138****5678, or in full for the admin role; null when none is bound */
  phone: Nullable(Type.String()),
  vip: Type.Object({ active: Type.Boolean(), expiresAt: Nullable(Time) }),
  createdAt: Time,
  lastLoginAt: Nullable(Time),
})
export type AdminReaderDto = Static<typeof AdminReader>

export const ReadersQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 64,
      description: '#<id>, a nickname fragment, the last 4+ digits of a phone, or a share code',
    }),
  },
  { additionalProperties: false },
)

export const ReaderList = Type.Object({ items: Type.Array(AdminReader) })

export const ReaderDetail = Type.Object({
  reader: Type.Intersect([AdminReader, Type.Object({ shareCode: Nullable(Type.String()) })]),
  /** Ledger rows that changed the VIP period (grants, revocations, fulfilments, refunds), newest first */
  vipHistory: Type.Array(LedgerEntry),
  orders: Type.Array(AdminOrder),
})

export const VipBody = Type.Object(
  {
    days: BoundedInteger({
      minimum: -3660,
      maximum: 3660,
      description: 'Days to add; negative takes days back (never below now); not 0',
    }),
    reason: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)

export const VipResult = Type.Object({
  reader: AdminReader,
  /** The expiry before the change, null when the reader never had VIP */
  before: Nullable(Time),
  after: Time,
})

// ---- issues -----------------------------------------------------------------------------------

const IssueStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('scheduled'),
  Type.Literal('published'),
  Type.Literal('archived'),
])

export const AdminIssue = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  region: Type.Object({ code: Type.String(), name: Type.String() }),
  column: Type.Object({ slug: Type.String(), name: Type.String() }),
  number: Type.Integer(),
  status: IssueStatus,
  vip: Type.Boolean(),
  /** Asia/Shanghai date of publication */
  date: Type.String(),
  publishedAt: Time,
  updatedAt: Time,
  views: Type.Integer(),
  /** When a scheduled issue goes live (定时发布); null for every other status */
  scheduledAt: Nullable(Time),
})

export const AdminIssuesQuery = Type.Object(
  {
    status: Type.Optional(IssueStatus),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
)

export const AdminIssuePage = Type.Object({ items: Type.Array(AdminIssue), nextCursor: Nullable(Type.String()) })

export const IssueSourceBody = Type.Object(
  {
    /** The issue file (docs/content-format.md), at most 200 KB */
    markdown: Type.String({ minLength: 1, maxLength: 200 * 1024 }),
    /** Named in problems ("file:line: …"); issue.md when left out */
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\u0000-\\u001f]+$' })),
  },
  { additionalProperties: false },
)

export const IssueCheckResult = Type.Object({
  /** "file:line: what to fix", as npm run content:import prints them; empty when the file checks */
  problems: Type.Array(Type.String()),
  issue: Type.Optional(
    Type.Object({
      slug: Type.String(),
      title: Type.String(),
      region: Type.String(),
      number: Type.Integer(),
      status: IssueStatus,
      vip: Type.Boolean(),
    }),
  ),
  diff: Type.Optional(
    Type.Object({
      /** No issue has this slug yet */
      created: Type.Boolean(),
      /** Importing would write */
      changed: Type.Boolean(),
      /** Stored fields that differ from the file */
      fields: Type.Array(Type.String()),
    }),
  ),
})

export const IssueImportResult = Type.Intersect([
  IssueCheckResult,
  Type.Object({
    saved: Type.Boolean(),
    id: Nullable(Type.Integer()),
    outcome: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged'), Type.Null()]),
  }),
])

const IssueState = Type.Object({ status: IssueStatus, publishedAt: Time })
export const IssueStatusChange = Type.Object({ id: Type.Integer(), before: IssueState, after: IssueState })

export const IssueScheduleBody = Type.Object(
  {
    publishAt: Type.String({
      minLength: 16,
      maxLength: 29,
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2})$',
      description:
        'When the issue goes live: ISO 8601 with an offset, e.g. 2026-12-07T09:00:00+08:00; at least 10 s and at most a year ahead',
    }),
    /** Why, for the audit trail */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

const ScheduleState = Type.Object({ status: IssueStatus, publishedAt: Time, scheduledAt: Nullable(Time) })
export const IssueScheduleChange = Type.Object({ id: Type.Integer(), before: ScheduleState, after: ScheduleState })

// ---- audit and reports ------------------------------------------------------------------------

export const AuditQuery = Type.Object(
  {
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(BoundedInteger({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)

export const AuditPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      operatorId: Nullable(Type.Integer()),
      operatorName: Type.String(),
      action: Type.String(),
      target: Type.String(),
      reason: Type.String(),
      before: Type.Unknown(),
      after: Type.Unknown(),
      createdAt: Time,
    }),
  ),
  nextCursor: Nullable(Type.String()),
})

export const SubscriptionReport = Type.Object({
  waiting: Type.Array(Type.Object({ region: Type.String(), optIns: Type.Integer(), readers: Type.Integer() })),
  messages: Type.Array(Type.Object({ status: Type.String(), count: Type.Integer() })),
  failures: Type.Array(
    Type.Object({
      id: Type.Integer(),
      issueId: Type.Integer(),
      errcode: Nullable(Type.Integer()),
      attempts: Type.Integer(),
    }),
  ),
})

export const SharesQuery = Type.Object(
  {
    days: Type.Optional(BoundedInteger({ minimum: 1, maximum: 3660, default: 30 })),
    issueId: Type.Optional(IdInteger()),
  },
  { additionalProperties: false },
)

export const ShareReport = Type.Object({
  since: Time,
  days: Type.Integer(),
  total: Type.Integer(),
  byIssue: Type.Array(Type.Object({ issueId: Type.Integer(), title: Type.String(), opens: Type.Integer() })),
  /** Share codes masked */
  bySharer: Type.Array(Type.Object({ sharer: Type.String(), opens: Type.Integer() })),
  byScene: Type.Array(
    Type.Object({ scene: Nullable(Type.Integer()), sceneName: Type.String(), opens: Type.Integer() }),
  ),
})
