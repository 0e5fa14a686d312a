/**
 * What the console reads from /api/admin. The API's TypeBox schemas (server/src/schemas/admin.ts)
 * are the truth; these types are the parts the screens rely on, kept loose (optional fields,
 * index signatures) so a renamed or added field degrades a cell instead of breaking a screen.
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

export type Loose = Record<string, unknown>

export interface Page<T> {
  items: T[]
  nextCursor?: string | null
}

export interface Period {
  views?: number
  orders?: number
  paid?: number
  revenueFen?: number
  refundedFen?: number
  newVips?: number
}

export interface Dashboard {
  today?: Period
  week?: Period
  payments?: {
    rail?: string | null
    sells?: boolean
    safeMode?: boolean
    notificationsLastHour?: number
    lastReconcile?: unknown
  } & Loose
  jobs?: Loose[]
}

export type OrderStatus = 'created' | 'pending' | 'paid' | 'fulfilled' | 'closed' | 'refunding' | 'refunded'

export interface OrderRow extends Loose {
  id: number
  status: OrderStatus | string
  amountFen?: number
  rail?: string
}

export interface OrderDetail {
  order: OrderRow
  ledger?: Loose[]
}

export interface ReaderRow extends Loose {
  id: number
}

export interface ReaderDetail {
  reader: ReaderRow
  membership?: Loose | null
  history?: Loose[]
  orders?: OrderRow[]
}

export interface IssueRow extends Loose {
  id: number
  status?: string
}

export interface CheckResult {
  problems: string[]
  issue?: Loose | null
  diff?: unknown
}
