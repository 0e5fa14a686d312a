import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema'

type Executor = Kysely<Database> | Transaction<Database>

/**
 * Takes `quantity` copies off the shelf with one conditional update: never below zero, whatever
 * runs at the same time. False when there were not enough (or the product is off the shelf, when
 * `onShelf` asks for it).
 */
export async function takeStock(db: Executor, productId: number, quantity: number, onShelf: boolean): Promise<boolean> {
  let update = db
    .updateTable('products')
    .set((eb) => ({ stock: eb('stock', '-', quantity) }))
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
  if (onShelf) update = update.where('on_shelf', '=', 1)
  const result = await update.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

type Line = { product_id: number; quantity: number }

const linesOf = (trx: Transaction<Database>, orderId: number): Promise<Line[]> =>
  trx.selectFrom('order_lines').select(['product_id', 'quantity']).where('order_id', '=', orderId).execute()

async function putBack(trx: Transaction<Database>, lines: Line[]): Promise<void> {
  for (const line of lines) {
    await trx
      .updateTable('products')
      .set((eb) => ({ stock: eb('stock', '+', line.quantity) }))
      .where('id', '=', line.product_id)
      .execute()
  }
}

/** Sets an order's stock_held flag from `from` to `to`; false when it was not `from` */
async function flipHeld(trx: Transaction<Database>, orderId: number, from: number, to: number): Promise<boolean> {
  const result = await trx
    .updateTable('orders')
    .set({ stock_held: to })
    .where('id', '=', orderId)
    .where('stock_held', '=', from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Puts an unpaid goods order's copies back on the shelf, once: the order's `stock_held` flag is
 * cleared by a conditional update first, so a second close, a retry or a racing sweep adds nothing.
 * Runs in the transaction that closes the order.
 */
export async function releaseStock(trx: Transaction<Database>, orderId: number): Promise<boolean> {
  if (!(await flipHeld(trx, orderId, 1, 0))) return false
  await putBack(trx, await linesOf(trx, orderId))
  return true
}

/**
 * A goods order paid after it was closed (its copies went back to the shelf): takes them again,
 * all or none, never below zero. False when they are gone; the order is then paid but short, for
 * the operator to restock or refund (docs/store.md). Runs in the transaction that settles it.
 */
export async function retakeStock(trx: Transaction<Database>, orderId: number): Promise<boolean> {
  if (!(await flipHeld(trx, orderId, 0, 1))) return true
  const taken: Line[] = []
  for (const line of await linesOf(trx, orderId)) {
    if (!(await takeStock(trx, line.product_id, line.quantity, false))) {
      await putBack(trx, taken)
      await flipHeld(trx, orderId, 1, 0)
      return false
    }
    taken.push(line)
  }
  return true
}
