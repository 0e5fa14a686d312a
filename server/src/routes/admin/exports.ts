import { Readable } from 'node:stream'
import type { FastifyReply } from 'fastify'
import type { Operator } from '../../domain/operators'
import { csvLine, UTF8_BOM } from '../../infra/csv'
import { shanghaiMidnight } from '../../infra/time'
import type { App } from '../../plugins/types'
import { CsvResponse, EXPORT_MAX_ROWS, OrdersCsvQuery, ReadersCsvQuery } from '../../schemas/admin-members'
import { errorResponses } from '../../schemas/common'
import { phoneFor } from './views'

const DAY_MS = 86400000
const CST_OFFSET_MS = 8 * 3600000
const BATCH = 1000

/** Epoch ms as Excel reads a time: 2026-12-06 18:45:31, Asia/Shanghai */
const cstTime = (ms: number | null) =>
  ms === null ? '' : new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
const yuan = (fen: number) => (fen / 100).toFixed(2)
const vipStatus = (expiresAt: number | null, now: number) =>
  expiresAt === null ? '非会员' : expiresAt > now ? '会员' : '已过期'

/** A from/to pair of Asia/Shanghai days as [start, end) in epoch ms */
export function dayRange(from?: string, to?: string): { createdFrom?: number; createdUntil?: number } {
  return {
    createdFrom: from === undefined ? undefined : shanghaiMidnight(from),
    createdUntil: to === undefined ? undefined : shanghaiMidnight(to) + DAY_MS,
  }
}

const ORDER_HEADER = [
  '订单ID',
  '商户订单号',
  '读者ID',
  '套餐',
  '月数',
  '金额（元）',
  '已退款（元）',
  '支付通道',
  '状态',
  '平台',
  '微信交易号',
  '下单时间',
  '支付时间',
  '开通时间',
  '退款时间',
  '退款失败原因',
]
const READER_HEADER = ['读者ID', '昵称', '手机号', '会员', '会员到期', '注册时间', '最近登录']

/**
 * CSV exports of the console: the orders list's filters and readers, streamed batch by batch
 * (nothing buffers the whole table), at most EXPORT_MAX_ROWS rows, with a BOM so Excel reads the
 * Chinese. Each export is audited when it ends: who, the filters and how many rows.
 */
export async function adminExportRoutes(app: App): Promise<void> {
  const { services } = app
  const { payments, readers, audit } = services

  /** Sends `lines` as an attachment and records the export once the last line went out (or the download stopped) */
  function sendCsv(
    reply: FastifyReply,
    fileName: string,
    operator: Operator,
    action: string,
    filters: Record<string, unknown>,
    lines: (count: (rows: number) => void) => AsyncGenerator<string>,
  ) {
    let rows = 0
    let complete = false
    async function* body() {
      try {
        yield UTF8_BOM
        for await (const chunk of lines((more) => (rows += more))) yield chunk
        complete = true
      } finally {
        await audit.record({
          operator: { id: operator.id, name: operator.name },
          action,
          target: fileName,
          after: { filters, rows, complete, truncated: rows >= EXPORT_MAX_ROWS },
        })
      }
    }
    const stamp = new Date(services.clock() + CST_OFFSET_MS).toISOString().slice(0, 10)
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${fileName}-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(body()))
  }

  app.get(
    '/admin/orders.csv',
    {
      // A HEAD would run (and audit) the whole export only to drop it.
      exposeHeadRoute: false,
      schema: {
        summary: `Orders as CSV with the list's filters, newest first, at most ${EXPORT_MAX_ROWS} rows; audited (finance, admin)`,
        tags: ['admin'],
        querystring: OrdersCsvQuery,
        response: { 200: CsvResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = app.requireOperator(request, ['finance'])
      const { from, to, ...filter } = request.query
      const names = await payments.planNames()
      return sendCsv(reply, 'orders', operator, 'order.export', request.query, async function* (count) {
        yield csvLine(ORDER_HEADER)
        let before: { createdAt: number; id: number } | undefined
        for (let left = EXPORT_MAX_ROWS; left > 0;) {
          const rows = await payments.listOrders({
            ...filter,
            ...dayRange(from, to),
            before,
            limit: Math.min(BATCH, left),
          })
          count(rows.length)
          const courses = await services.courses.titles(rows)
          const plan = (order: (typeof rows)[number]) => {
            const name = names.get(order.plan_id) ?? order.plan_id
            const course = order.course_id === null ? undefined : courses.get(order.course_id)
            return course === undefined ? name : `${name}《${course}》`
          }
          yield rows
            .map((order) =>
              csvLine([
                order.id,
                order.out_trade_no,
                order.user_id,
                plan(order),
                order.months,
                yuan(order.amount_fen),
                yuan(order.refunded_fen),
                order.rail,
                order.status,
                order.platform,
                order.transaction_id,
                cstTime(order.created_at),
                cstTime(order.paid_at),
                cstTime(order.fulfilled_at),
                cstTime(order.refunded_at),
                order.refund_failure,
              ]),
            )
            .join('')
          if (rows.length < Math.min(BATCH, left)) return
          left -= rows.length
          const last = rows[rows.length - 1]
          before = { createdAt: last.created_at, id: last.id }
        }
      })
    },
  )

  app.get(
    '/admin/readers.csv',
    {
      // A HEAD would run (and audit) the whole export only to drop it.
      exposeHeadRoute: false,
      schema: {
        summary: `Readers as CSV, newest first, at most ${EXPORT_MAX_ROWS} rows; phones masked unless admin; audited (finance, admin)`,
        tags: ['admin'],
        querystring: ReadersCsvQuery,
        response: { 200: CsvResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const operator = app.requireOperator(request, ['finance'])
      const { vip, from, to } = request.query
      const now = services.clock()
      return sendCsv(reply, 'readers', operator, 'reader.export', request.query, async function* (count) {
        yield csvLine(READER_HEADER)
        for await (const batch of readers.exportBatches({ vip, ...dayRange(from, to), now }, EXPORT_MAX_ROWS, BATCH)) {
          count(batch.length)
          yield batch
            .map((reader) =>
              csvLine([
                reader.id,
                reader.nickname,
                phoneFor(reader.phone, operator.role),
                vipStatus(reader.vipExpiresAt, now),
                cstTime(reader.vipExpiresAt),
                cstTime(reader.createdAt),
                cstTime(reader.lastLoginAt),
              ]),
            )
            .join('')
        }
      })
    },
  )
}
