import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { cursorPage, decodeCursor } from '../infra/cursor'

/** Who did it: an operator of the console, or a command line (id null, name like "cli:root") */
export interface AuditActor {
  id: number | null
  name: string
}

export interface AuditEntry {
  operator: AuditActor
  /** What was done, dotted: `operator.sign_in`, `order.refund` */
  action: string
  /** What it was done to: `operator:7`, `order:42` */
  target: string
  /** Why, in the operator's words (may be empty for sign-ins) */
  reason?: string
  /** The state before and after, as JSON (secrets never go in) */
  before?: unknown
  after?: unknown
}

export interface AuditRecord {
  id: number
  operatorId: number | null
  operatorName: string
  action: string
  target: string
  reason: string
  before: unknown
  after: unknown
  createdAt: number
}

/** The longest before/after JSON kept; a longer one is kept as its start, marked truncated */
export const MAX_AUDIT_JSON = 8000

/** A value as stored: JSON, or null; past MAX_AUDIT_JSON characters `{"truncated":true,"json":"<start>"}` */
export function auditJson(value: unknown): string | null {
  if (value === undefined || value === null) return null
  let text: string
  try {
    text = JSON.stringify(value) ?? 'null'
  } catch {
    text = JSON.stringify({ unserializable: String(value) })
  }
  if (text.length <= MAX_AUDIT_JSON) return text
  return JSON.stringify({ truncated: true, length: text.length, json: text.slice(0, MAX_AUDIT_JSON - 100) })
}

const clip = (text: string, max: number) =>
  [...text].length <= max ? text : `${[...text].slice(0, max - 1).join('')}…`

function parse(text: string | null): unknown {
  if (text === null) return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * The audit trail of the console and the admin CLI: one row per thing an operator did, never
 * changed or removed (the table refuses updates and deletes, like the ledger).
 */
export class Audit {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('admin_audit')
      .values({
        operator_id: entry.operator.id,
        operator_name: clip(entry.operator.name, 32),
        action: clip(entry.action, 64),
        target: clip(entry.target, 128),
        reason: clip(entry.reason ?? '', 300),
        before_json: auditJson(entry.before),
        after_json: auditJson(entry.after),
        created_at: this.now(),
      })
      .execute()
  }

  /** Newest first, `limit` (1–200) a page; `cursor` is the previous page's nextCursor */
  async list(options: { cursor?: string; limit?: number } = {}): Promise<{
    items: AuditRecord[]
    nextCursor: string | null
  }> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 200)
    let query = this.db.selectFrom('admin_audit').selectAll()
    if (options.cursor) {
      const after = decodeCursor(options.cursor)
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', after.publishedAt),
          eb.and([eb('created_at', '=', after.publishedAt), eb('id', '<', after.id)]),
        ]),
      )
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute()
    return cursorPage(
      rows,
      limit,
      (row) => Number(row.created_at),
      (row) => ({
        id: row.id,
        operatorId: row.operator_id,
        operatorName: row.operator_name,
        action: row.action,
        target: row.target,
        reason: row.reason,
        before: parse(row.before_json),
        after: parse(row.after_json),
        createdAt: Number(row.created_at),
      }),
    )
  }
}
