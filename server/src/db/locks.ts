import type { Transaction } from 'kysely'
import type { Database } from './schema'

/**
 * Holds the reader's row until the transaction ends, so checks-then-writes about one reader (a
 * cap on their rows, replacing their avatar) run one at a time. A no-op update, which both
 * dialects understand: PostgreSQL takes the row lock (a concurrent one waits for the commit);
 * SQLite makes the transaction a writer (one at a time anyway). False when there is no such user.
 */
export async function lockUser(trx: Transaction<Database>, userId: number): Promise<boolean> {
  const result = await trx
    .updateTable('users')
    .set((eb) => ({ nickname: eb.ref('nickname') }))
    .where('id', '=', userId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
