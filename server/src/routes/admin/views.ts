import type { LedgerRow, OrderRow } from '../../payments/payments'
import type { ReaderRow } from '../../domain/reader-directory'
import { maskPhone } from '../../domain/accounts'
import type { OperatorRole } from '../../domain/operators'
import type { AdminOrderDto, AdminReaderDto, LedgerEntryDto } from '../../schemas/admin'

/** Epoch ms as the API writes times */
export const iso = (ms: number): string => new Date(ms).toISOString()
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms))

/** An order for the console; `courses` names the courses of course orders (services.courses.titles) */
export function orderView(
  order: OrderRow,
  planNames: Map<string, string>,
  courses: Map<number, string> = new Map(),
): AdminOrderDto {
  const courseTitle = order.course_id === null ? undefined : courses.get(order.course_id)
  return {
    id: order.id,
    outTradeNo: order.out_trade_no,
    userId: order.user_id,
    planId: order.plan_id,
    planName: planNames.get(order.plan_id) ?? order.plan_id,
    kind: order.kind,
    ...(order.course_id !== null && courseTitle !== undefined
      ? { course: { id: order.course_id, title: courseTitle } }
      : {}),
    months: order.months,
    amountFen: order.amount_fen,
    refundedFen: order.refunded_fen,
    rail: order.rail,
    status: order.status,
    platform: order.platform,
    transactionId: order.transaction_id,
    createdAt: iso(order.created_at),
    paidAt: isoOrNull(order.paid_at),
    fulfilledAt: isoOrNull(order.fulfilled_at),
    refundedAt: isoOrNull(order.refunded_at),
    refundFailure: order.refund_failure,
  }
}

export function ledgerView(row: LedgerRow): LedgerEntryDto {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    event: row.event,
    amountFen: row.amount_fen,
    source: row.source,
    detail: row.detail,
    createdAt: iso(row.created_at),
  }
}

/** A phone as an operator of this role may see it: in full (national digits) for admin, else 138****5678 */
export function phoneFor(phone: string | null, role: OperatorRole): string | null {
  if (!phone) return null
  if (role !== 'admin') return maskPhone(phone)
  return phone.startsWith('86') && phone.length === 13 ? phone.slice(2) : phone
}

export function readerView(reader: ReaderRow, role: OperatorRole, now: number): AdminReaderDto {
  return {
    id: reader.id,
    nickname: reader.nickname,
    phone: phoneFor(reader.phone, role),
    vip: {
      active: reader.vipExpiresAt !== null && reader.vipExpiresAt > now,
      expiresAt: isoOrNull(reader.vipExpiresAt),
    },
    createdAt: iso(reader.createdAt),
    lastLoginAt: isoOrNull(reader.lastLoginAt),
  }
}
