import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { shanghaiDate } from '../infra/time'

const MAX_PENDING = 100000

/**
 * Counts at most one view per viewer, issue and day without writing on every read:
 * reads are buffered in memory and flushed in one transaction. The unique key of
 * issue_views keeps the count right across flushes, restarts and replicas.
 */
export class ViewCounter {
  private pending = new Map<string, { issueId: number; viewerKey: string; day: string }>()
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.flush(), intervalMs)
    this.timer.unref()
  }

  record(issueId: number, viewerKey: string, now: number): void {
    const day = shanghaiDate(now)
    const key = `${issueId}|${viewerKey}|${day}`
    if (this.pending.size >= MAX_PENDING || this.pending.has(key)) return
    this.pending.set(key, { issueId, viewerKey, day })
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing
    if (this.pending.size === 0) return
    const batch = [...this.pending.values()]
    this.pending = new Map()
    this.flushing = this.write(batch)
      .catch((error) => this.onError(error))
      .finally(() => {
        this.flushing = null
      })
    return this.flushing
  }

  /** Stops the timer and writes everything recorded so far (after a flush in progress, what came since) */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    while (this.flushing || this.pending.size > 0) await (this.flushing ?? this.flush())
  }

  private async write(batch: { issueId: number; viewerKey: string; day: string }[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const added = new Map<number, number>()
      for (let start = 0; start < batch.length; start += 500) {
        const inserted = await trx
          .insertInto('issue_views')
          .values(
            batch.slice(start, start + 500).map((v) => ({ issue_id: v.issueId, viewer_key: v.viewerKey, day: v.day })),
          )
          .onConflict((oc) => oc.doNothing())
          .returning('issue_id')
          .execute()
        for (const row of inserted) added.set(row.issue_id, (added.get(row.issue_id) ?? 0) + 1)
      }
      for (const [issueId, count] of added) {
        await trx
          .updateTable('issues')
          .set((eb) => ({ view_count: eb('view_count', '+', count) }))
          .where('id', '=', issueId)
          .execute()
      }
    })
  }
}
