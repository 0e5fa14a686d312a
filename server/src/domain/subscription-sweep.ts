import type { Logger } from '../infra/log'
import type { Kysely } from 'kysely'
import type { Database, IssueRow } from '../db/schema'
import type { AccessTokenCache } from '../wechat/access-token'
import { WeChatError, type SubscribeMessage, type WeChatApi } from '../wechat/api'
import { LeasedJob } from '../infra/leased-job'
import { shanghaiDate } from '../infra/time'

/** A message being sent is not picked up by another sweep for this long (a crash mid-send retries after it). */
const SEND_CLAIM_MS = 5 * 60 * 1000
/** Attempts on a busy or unreachable WeChat before the message is given up */
export const MAX_SEND_ATTEMPTS = 5
/** Waits after the 1st, 2nd, … failed attempt */
const BACKOFF_MS = [30_000, 120_000, 480_000, 1_920_000]
/** The reader refused this template or has no accept left: WeChat will not deliver, and that is not our fault. */
const NO_QUOTA = 43101
/** WeChat's 'thing' fields hold at most 20 characters. */
const THING_MAX = 20
const ISSUES_PER_SWEEP = 50
const MESSAGES_PER_BATCH = 200
/** A sweep sends batch after batch while they come full, up to this many (the next sweep goes on) */
const BATCHES_PER_SWEEP = 25

/** What announcing an issue needs of it (never its body) */
type AnnouncedIssue = Pick<IssueRow, 'id' | 'region_id' | 'created_at' | 'published_at'>

export const ARTICLE_PAGE = 'subpackages/article/pages/index'
export const NOTIFY_TIP = '新一期热点精讲已更新，点击阅读'

export interface SweepOptions {
  intervalMs: number
  miniprogramState: SubscribeMessage['miniprogram_state']
  /** WeChat's client and token cache, or null when WeChat is not configured (messages then wait) */
  clients: () => { wechat: WeChatApi; accessTokens: AccessTokenCache } | null
  now: () => number
}

export interface SweepReport {
  announced: number
  queued: number
  sent: number
  failed: number
  retrying: number
}

/**
 * 通知我下一期, the sending side. An issue counts as published once its status is published and
 * published_at has come; it may arrive from another process (npm run content:import), so a
 * periodic sweep finds it rather than the importer. Exactly once by construction:
 * - an issue is announced by the one transaction that inserts its issue_announcements row;
 * - an opt-in is used by the one conditional update that moves it from open to used, in the same
 *   transaction as its outbox row (unique per opt-in);
 * - an outbox row is sent by whoever claims it with a conditional update on its attempt count.
 * The lease only keeps several processes from doing the same work at the same time.
 */
export class SubscriptionSweep {
  private readonly job: LeasedJob<SweepReport>

  constructor(
    private readonly db: Kysely<Database>,
    private readonly log: Logger,
    private readonly options: SweepOptions,
  ) {
    this.job = new LeasedJob(db, {
      name: 'subscription-sweep',
      intervalMs: options.intervalMs,
      now: options.now,
      log,
      work: () => this.sweep(),
      idle: () => ({ announced: 0, queued: 0, sent: 0, failed: 0, retrying: 0 }),
    })
  }

  start(): void {
    this.job.start()
  }

  stop(): Promise<void> {
    return this.job.stop()
  }

  /** One sweep under the lease: announce newly published issues, then send due messages. */
  runOnce(): Promise<SweepReport> {
    return this.job.runOnce()
  }

  private async sweep(): Promise<SweepReport> {
    const { announced, queued } = await this.announceNew()
    const report = { announced, queued, sent: 0, failed: 0, retrying: 0 }
    for (let batch = 0; batch < BATCHES_PER_SWEEP; batch++) {
      const { due, ...counts } = await this.sendDue()
      report.sent += counts.sent
      report.failed += counts.failed
      report.retrying += counts.retrying
      if (due < MESSAGES_PER_BATCH) break
    }
    return report
  }

  /** Announces every published issue not announced yet: uses its region's open opt-ins and queues their messages. */
  async announceNew(): Promise<{ announced: number; queued: number }> {
    const now = this.options.now()
    const issues = await this.db
      .selectFrom('issues')
      .leftJoin('issue_announcements', 'issue_announcements.issue_id', 'issues.id')
      .select(['issues.id', 'issues.region_id', 'issues.created_at', 'issues.published_at'])
      .where('issue_announcements.issue_id', 'is', null)
      .where('issues.status', '=', 'published')
      .where('issues.published_at', '<=', now)
      .orderBy('issues.published_at')
      .orderBy('issues.id')
      .limit(ISSUES_PER_SWEEP)
      .execute()
    let announced = 0
    let queued = 0
    for (const issue of issues) {
      const result = await this.announce(issue, now)
      if (result === null) continue
      announced += 1
      queued += result
    }
    if (queued > 0) this.log.info({ issues: announced, messages: queued }, 'new issues announced to subscribers')
    return { announced, queued }
  }

  /** Null when another sweep announced the issue first; else how many messages were queued. */
  private async announce(issue: AnnouncedIssue, now: number): Promise<number | null> {
    return this.db.transaction().execute(async (trx) => {
      // The write comes first: SQLite then takes its write lock at once, and PostgreSQL makes a
      // concurrent announcer of the same issue wait here and then insert nothing.
      const claimed = await trx
        .insertInto('issue_announcements')
        .values({ issue_id: issue.id, announced_at: now })
        .onConflict((oc) => oc.column('issue_id').doNothing())
        .returning('issue_id')
        .execute()
      if (claimed.length === 0) return null
      // An opt-in is for issues the reader could not read yet when opting in: ones imported or
      // dated after that moment.
      const visibleSince = Math.max(issue.created_at, issue.published_at)
      const candidates = await trx
        .selectFrom('subscription_optins')
        .select(['id', 'user_id', 'template_id'])
        .where('region_id', '=', issue.region_id)
        .where('status', '=', 'open')
        .where('created_at', '<=', visibleSince)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      const firstPerReader = new Map<number, (typeof candidates)[number]>()
      for (const optIn of candidates) if (!firstPerReader.has(optIn.user_id)) firstPerReader.set(optIn.user_id, optIn)
      let queued = 0
      for (const optIn of firstPerReader.values()) {
        const used = await trx
          .updateTable('subscription_optins')
          .set({ status: 'used', used_for_issue_id: issue.id, used_at: now })
          .where('id', '=', optIn.id)
          .where('status', '=', 'open')
          .executeTakeFirst()
        if (Number(used.numUpdatedRows) !== 1) continue
        await trx
          .insertInto('subscription_messages')
          .values({
            optin_id: optIn.id,
            user_id: optIn.user_id,
            issue_id: issue.id,
            template_id: optIn.template_id,
            status: 'pending',
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
          })
          .execute()
        queued += 1
      }
      return queued
    })
  }

  /** Sends a batch of the outbox's due messages once each; WeChat's answer decides sent, failed or retry later. */
  async sendDue(): Promise<Omit<SweepReport, 'announced' | 'queued'> & { due: number }> {
    const report = { sent: 0, failed: 0, retrying: 0, due: 0 }
    const clients = this.options.clients()
    if (!clients) return report
    const now = this.options.now()
    const due = await this.db
      .selectFrom('subscription_messages as m')
      .innerJoin('users', 'users.id', 'm.user_id')
      .innerJoin('issues', 'issues.id', 'm.issue_id')
      .innerJoin('regions', 'regions.id', 'issues.region_id')
      .select([
        'm.id',
        'm.attempts',
        'm.template_id',
        'users.openid',
        'issues.id as issueId',
        'issues.title',
        'issues.number',
        'issues.published_at',
        'regions.name as regionName',
      ])
      .where('m.status', '=', 'pending')
      .where('m.next_attempt_at', '<=', now)
      .orderBy('m.next_attempt_at')
      .orderBy('m.id')
      .limit(MESSAGES_PER_BATCH)
      .execute()
    report.due = due.length
    for (const message of due) {
      const attempt = message.attempts + 1
      const claimed = await this.db
        .updateTable('subscription_messages')
        .set({ attempts: attempt, next_attempt_at: now + SEND_CLAIM_MS })
        .where('id', '=', message.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', message.attempts)
        .executeTakeFirst()
      if (Number(claimed.numUpdatedRows) !== 1) continue
      if (!message.openid) {
        await this.finish(message.id, 'failed', null)
        report.failed += 1
        continue
      }
      const body: SubscribeMessage = {
        touser: message.openid,
        template_id: message.template_id,
        page: `${ARTICLE_PAGE}?id=${message.issueId}`,
        data: subscribeData(message),
        miniprogram_state: this.options.miniprogramState,
        lang: 'zh_CN',
      }
      try {
        await clients.accessTokens.withToken((token) => clients.wechat.sendSubscribeMessage(token, body))
        await this.finish(message.id, 'sent', null)
        report.sent += 1
      } catch (error) {
        const errcode = error instanceof WeChatError ? error.errcode : null
        const retry = error instanceof WeChatError && error.busy && attempt < MAX_SEND_ATTEMPTS
        if (retry) {
          await this.db
            .updateTable('subscription_messages')
            .set({ errcode, next_attempt_at: this.options.now() + BACKOFF_MS[attempt - 1] })
            .where('id', '=', message.id)
            .execute()
          this.log.warn({ messageId: message.id, errcode, attempt }, 'subscribe message not sent yet: will retry')
          report.retrying += 1
          continue
        }
        await this.finish(message.id, 'failed', errcode)
        report.failed += 1
        if (errcode === NO_QUOTA) {
          this.log.info({ messageId: message.id, errcode }, 'subscribe message refused: the reader has no accept left')
        } else {
          this.log.error({ messageId: message.id, errcode, attempt }, 'subscribe message failed')
        }
      }
    }
    return report
  }

  private async finish(id: number, status: 'sent' | 'failed', errcode: number | null): Promise<void> {
    await this.db
      .updateTable('subscription_messages')
      .set({ status, errcode, ...(status === 'sent' ? { sent_at: this.options.now() } : {}) })
      .where('id', '=', id)
      .execute()
  }
}

/** The template's fields, from what every reader may see: title, region and number, date, a tip. Never body text. */
export function subscribeData(issue: {
  title: string
  number: number
  published_at: number
  regionName: string
}): SubscribeMessage['data'] {
  const [year, month, day] = shanghaiDate(issue.published_at).split('-').map(Number)
  return {
    thing1: { value: thing(issue.title) },
    thing2: { value: thing(`${issue.regionName}·第${issue.number}期`) },
    date3: { value: `${year}年${month}月${day}日` },
    thing4: { value: NOTIFY_TIP },
  }
}

function thing(text: string): string {
  const characters = [...text]
  return characters.length <= THING_MAX ? text : `${characters.slice(0, THING_MAX - 1).join('')}…`
}
