import type { Kysely, Transaction } from 'kysely'
import type { Database, LedgerEvent, LedgerSource } from '../db/schema'

type Executor = Kysely<Database> | Transaction<Database>

/** Appends one money or membership event to the ledger (append only: rows are never changed). */
export async function ledger(
  db: Executor,
  entry: {
    orderId: number | null
    userId: number
    event: LedgerEvent
    amountFen: number
    source: LedgerSource
    detail: string
  },
  now: number,
): Promise<void> {
  await db
    .insertInto('ledger')
    .values({
      order_id: entry.orderId,
      user_id: entry.userId,
      event: entry.event,
      amount_fen: entry.amountFen,
      source: entry.source,
      detail: entry.detail.slice(0, 300),
      created_at: now,
    })
    .execute()
}
