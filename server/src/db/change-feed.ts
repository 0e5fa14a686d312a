import { sql } from 'kysely'
import pg from 'pg'
import type { Db } from './database'

/** What changed, so each replica drops only the caches it must */
export type ChangeTopic = 'membership' | 'session' | 'content'

const CHANNEL = 'beichen_changes'
const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['membership', 'session', 'content'])

export interface ChangeFeedLog {
  warn(object: object, message: string): void
  info(object: object, message: string): void
}

/**
 * Tells every API replica on one PostgreSQL what another one changed (a purchase, a refund, a VIP
 * grant, a sign-out, an import or a publish), so caches are dropped at once rather than when a
 * TTL runs out. PostgreSQL LISTEN/NOTIFY on a dedicated connection; while that connection is down
 * nothing can be trusted, so every cache is dropped when it comes back (and listeners hear every
 * topic). Without PostgreSQL (SQLite, one file) publishing is a no-op: other processes' commits are
 * seen through SQLite's data_version instead.
 */
export class ChangeFeed {
  private client: pg.Client | null = null
  private readonly listeners: Array<(topic: ChangeTopic) => void> = []
  private stopped = true
  private retry: NodeJS.Timeout | null = null
  private retryMs = 100

  private readonly databaseUrl: string | null

  constructor(
    private readonly db: Db,
    databaseUrl: string,
    private readonly log: ChangeFeedLog,
  ) {
    this.databaseUrl = db.dialect === 'postgres' ? databaseUrl : null
  }

  onChange(listener: (topic: ChangeTopic) => void): void {
    this.listeners.push(listener)
  }

  /** Tells the other replicas (and this one) that something changed; after the change committed. */
  async publish(topic: ChangeTopic): Promise<void> {
    try {
      await notifyChange(this.db, topic)
    } catch (error) {
      // The change itself is committed; replicas that miss this hear it as a reconnect or a TTL.
      this.log.warn({ err: error, topic }, 'change notification not sent')
    }
  }

  async start(): Promise<void> {
    if (!this.databaseUrl || !this.stopped) return
    this.stopped = false
    await this.connect()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.retry) clearTimeout(this.retry)
    this.retry = null
    const client = this.client
    this.client = null
    await client?.end().catch(() => undefined)
  }

  /** True while the dedicated connection is listening */
  get listening(): boolean {
    return this.client !== null
  }

  private emit(topics: Iterable<ChangeTopic>): void {
    for (const topic of topics) for (const listener of this.listeners) listener(topic)
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.databaseUrl) return
    const client = new pg.Client({ connectionString: this.databaseUrl })
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload && TOPICS.has(message.payload))
        this.emit([message.payload as ChangeTopic])
    })
    const lost = (error?: Error) => {
      if (this.client !== client) return
      this.client = null
      if (error) this.log.warn({ err: error }, 'change feed connection lost; reconnecting')
      this.schedule()
    }
    client.on('error', lost)
    client.on('end', () => lost())
    try {
      await client.connect()
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (error) {
      await client.end().catch(() => undefined)
      this.log.warn({ err: error }, 'change feed cannot listen; retrying')
      this.schedule()
      return
    }
    if (this.stopped) {
      await client.end().catch(() => undefined)
      return
    }
    this.client = client
    this.retryMs = 100
    // Whatever changed while nobody listened is unknown: drop everything.
    this.emit(TOPICS as ReadonlySet<ChangeTopic>)
  }

  private schedule(): void {
    if (this.stopped || this.retry) return
    this.retry = setTimeout(() => {
      this.retry = null
      void this.connect()
    }, this.retryMs)
    this.retry.unref()
    this.retryMs = Math.min(this.retryMs * 2, 5000)
  }
}

/**
 * Tells every replica listening on this PostgreSQL database that something changed (no-op on
 * SQLite). For processes that change data without listening themselves, e.g. the admin CLI.
 */
export async function notifyChange(db: Db, topic: ChangeTopic): Promise<void> {
  if (db.dialect !== 'postgres') return
  await sql`select pg_notify(${CHANNEL}, ${topic})`.execute(db.kysely)
}
