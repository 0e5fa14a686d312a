import type { Kysely } from 'kysely'
import { lockUser } from '../db/locks'
import type { Database } from '../db/schema'
import { ApiError, badRequest } from '../errors'
import type { Catalog } from './catalog'

/** WeChat adds one message per 'accept'; more than this many waiting per region helps nobody. */
export const MAX_OPEN_OPT_INS = 20

export interface SubscriptionStatus {
  templateId: string
  available: boolean
  openOptIns: number
}

/** 通知我下一期 for one reader: the template the app asks WeChat for, and the reader's opt-ins per region. */
export class SubscriptionOptIns {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly catalog: Catalog,
    private readonly templateId: string,
  ) {}

  /** The publisher's report (subscriptionReport), as npm run admin -- subscriptions prints it */
  report(): Promise<SubscriptionReport> {
    return subscriptionReport(this.db)
  }

  /** Whether the feature is on, and how many unused opt-ins a signed-in reader has for the region. */
  async status(userId: number | null, regionCode: string, now: number): Promise<SubscriptionStatus> {
    const regionId = await this.regionId(regionCode, now)
    const openOptIns = userId === null ? 0 : await this.countOpen(userId, regionId)
    return { templateId: this.templateId, available: this.templateId !== '', openOptIns }
  }

  /** Records one 'accept' of the subscribe-message sheet for the reader and region. */
  async optIn(userId: number, regionCode: string, templateId: string, now: number): Promise<SubscriptionStatus> {
    if (this.templateId === '') {
      throw new ApiError(409, 'SUBSCRIPTIONS_OFF', 'notifications of new issues are not set up on this server')
    }
    const regionId = await this.regionId(regionCode, now)
    if (templateId !== this.templateId) {
      throw badRequest('UNKNOWN_TEMPLATE', 'templateId is not this mini-program’s template: ask GET /api/subscriptions')
    }
    const user = await this.db.selectFrom('users').select('openid').where('id', '=', userId).executeTakeFirst()
    if (!user?.openid) {
      throw badRequest(
        'WECHAT_LOGIN_REQUIRED',
        'only a reader signed in with WeChat can be notified: sign in with WeChat',
      )
    }
    // Count and insert under the reader's row lock: concurrent accepts take turns, so the cap holds.
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, userId)
      const open = await this.countOpen(userId, regionId, trx)
      if (open >= MAX_OPEN_OPT_INS) {
        throw new ApiError(
          409,
          'TOO_MANY_OPT_INS',
          `you will already be notified of the next ${MAX_OPEN_OPT_INS} issues of this region: no need to subscribe again`,
        )
      }
      await trx
        .insertInto('subscription_optins')
        .values({ user_id: userId, region_id: regionId, template_id: templateId, status: 'open', created_at: now })
        .execute()
      return { templateId: this.templateId, available: true, openOptIns: open + 1 }
    })
  }

  private async regionId(code: string, now: number): Promise<number> {
    const region = (await this.catalog.get(now)).regionsByCode.get(code)
    if (!region) throw badRequest('UNKNOWN_REGION', `region "${code}" does not exist: use a code from GET /api/regions`)
    return region.id
  }

  private async countOpen(userId: number, regionId: number, db: Kysely<Database> = this.db): Promise<number> {
    const row = await db
      .selectFrom('subscription_optins')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('user_id', '=', userId)
      .where('region_id', '=', regionId)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow()
    return Number(row.count)
  }
}

export interface SubscriptionReport {
  /** Opt-ins waiting for their region's next issue, per region */
  waiting: Array<{ region: string; optIns: number; readers: number }>
  /** Messages by outbox status */
  messages: Array<{ status: string; count: number }>
  /** The latest failed messages, newest first */
  failures: Array<{ id: number; issueId: number; errcode: number | null; attempts: number }>
}

/** What the publisher sees of 通知我下一期 (npm run admin -- subscriptions): counts only, no reader named. */
export async function subscriptionReport(db: Kysely<Database>, failuresShown = 10): Promise<SubscriptionReport> {
  const waiting = await db
    .selectFrom('subscription_optins')
    .innerJoin('regions', 'regions.id', 'subscription_optins.region_id')
    .select((eb) => [
      'regions.name as region',
      eb.fn.countAll<number | string>().as('optIns'),
      eb.fn.count<number | string>('subscription_optins.user_id').distinct().as('readers'),
    ])
    .where('subscription_optins.status', '=', 'open')
    .groupBy(['regions.id', 'regions.name'])
    .orderBy('regions.id')
    .execute()
  const messages = await db
    .selectFrom('subscription_messages')
    .select((eb) => ['status', eb.fn.countAll<number | string>().as('count')])
    .groupBy('status')
    .orderBy('status')
    .execute()
  const failures = await db
    .selectFrom('subscription_messages')
    .select(['id', 'issue_id as issueId', 'errcode', 'attempts'])
    .where('status', '=', 'failed')
    .orderBy('id', 'desc')
    .limit(failuresShown)
    .execute()
  return {
    // PostgreSQL counts are bigint, which pg returns as strings.
    waiting: waiting.map((row) => ({ region: row.region, optIns: Number(row.optIns), readers: Number(row.readers) })),
    messages: messages.map((row) => ({ status: row.status, count: Number(row.count) })),
    failures,
  }
}
