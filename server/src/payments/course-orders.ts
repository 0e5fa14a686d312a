import type { Kysely, Transaction } from 'kysely'
import type { Database, OrderRow } from '../db/schema'
import { lockUser } from '../db/locks'
import type { Accounts } from '../domain/accounts'
import type { Courses } from '../domain/courses'
import type { OrderSource } from '../domain/funnel'
import { ApiError } from '../errors'
import { ledger } from './ledger'
import type { Payments } from './payments'

/**
 * Courses sold alone (docs/courses.md): virtual goods, so they are sold on the rail that sells VIP
 * (小程序虚拟支付 in production, which iOS may use too). A course order is a row of `orders` with
 * kind 'course' and the course in `course_id`; the one state machine settles it, and settling
 * writes the reader's grant (payments.ts) in the same transaction as the order's move.
 */

/** The reserved plan every course order names (migration 019): orders.plan_id is not null */
export const COURSE_PLAN_ID = 'course'

/** What WeChat's cashier and the bill say the reader is paying for */
export const courseOrderDescription = (title: string) => `北辰遴选课程-${title}`.slice(0, 127)

export interface CourseCheckout {
  platform: string
  requestKey: string
  source?: OrderSource
}

export interface CourseOrdersDeps {
  db: Kysely<Database>
  payments: Payments
  courses: Courses
  /** Who pays: the buyer's openid (403 WECHAT_ACCOUNT_REQUIRED without one) */
  accounts: Pick<Accounts, 'openidOf'>
  now: () => number
}

/** Rolls the checkout's transaction back: another order is the answer */
class Answered extends Error {
  constructor(readonly order: OrderRow) {
    super('answered by an existing order')
  }
}

export class CourseOrders {
  constructor(private readonly deps: CourseOrdersDeps) {}

  /**
   * Makes (or, for the same request key, returns) an order for a course sold alone, at the
   * course's price, and what the client pays it with. A reader's unpaid, unexpired order for the
   * same course is answered again rather than a second one made; 409 COURSE_OWNED once bought,
   * 409 COURSE_INCLUDED_IN_VIP for a course VIP opens.
   */
  async checkout(userId: number, courseId: number, input: CourseCheckout) {
    const { db, payments, courses } = this.deps
    const purchase = payments.purchaseFor(input.platform)
    if (!purchase.available) throw new ApiError(403, 'PURCHASE_UNAVAILABLE', purchase.notice)
    const course = await courses.onShelf(courseId)
    const description = courseOrderDescription(course.title)

    const existing = await this.byRequestKey(userId, input.requestKey)
    if (existing) {
      if (existing.course_id !== course.id)
        throw new ApiError(409, 'REQUEST_KEY_REUSED', 'this request key was used for another order')
      return payments.payable(existing, description)
    }
    if (course.access !== 'sale' || course.price_fen === null)
      throw new ApiError(409, 'COURSE_INCLUDED_IN_VIP', `《${course.title}》包含在VIP会员中，开通会员即可观看全部课时`)
    if (await courses.owns(userId, course.id))
      throw new ApiError(409, 'COURSE_OWNED', `你已购买《${course.title}》，可直接观看全部课时`)
    const openid = await this.deps.accounts.openidOf(userId, 'buying')
    const price = course.price_fen

    const now = this.deps.now()
    let order: OrderRow
    try {
      order = await db.transaction().execute(async (trx) => {
        // One checkout per reader at a time: the look for an unpaid order below then holds.
        await lockUser(trx, userId)
        const unpaid = await this.unpaidOrder(trx, userId, course.id, input.requestKey, now)
        if (unpaid) throw new Answered(unpaid)
        const inserted = await trx
          .insertInto('orders')
          .values(
            payments.newOrder(
              {
                user_id: userId,
                plan_id: COURSE_PLAN_ID,
                months: 0,
                amount_fen: price,
                rail: payments.rail,
                openid,
                platform: input.platform,
                request_key: input.requestKey,
                kind: 'course',
                course_id: course.id,
                ...input.source,
              },
              now,
            ),
          )
          .returningAll()
          .executeTakeFirstOrThrow()
        await ledger(
          trx,
          {
            orderId: inserted.id,
            userId,
            event: 'order_created',
            amountFen: price,
            source: 'client',
            detail: `course ${course.slug} at ${price} fen via ${payments.rail}`,
          },
          now,
        )
        return inserted
      })
    } catch (error) {
      if (!(error instanceof Answered)) throw error
      order = error.order
      if (order.course_id !== course.id)
        throw new ApiError(409, 'REQUEST_KEY_REUSED', 'this request key was used for another order')
    }
    return payments.payable(order, description)
  }

  private byRequestKey(userId: number, requestKey: string): Promise<OrderRow | undefined> {
    return this.deps.db
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('request_key', '=', requestKey)
      .executeTakeFirst()
  }

  /** This reader's order of the request key (a double tap), else one for the course still payable */
  private async unpaidOrder(
    trx: Transaction<Database>,
    userId: number,
    courseId: number,
    requestKey: string,
    now: number,
  ): Promise<OrderRow | undefined> {
    const twin = await trx
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('request_key', '=', requestKey)
      .executeTakeFirst()
    if (twin) return twin
    return trx
      .selectFrom('orders')
      .selectAll()
      .where('user_id', '=', userId)
      .where('kind', '=', 'course')
      .where('course_id', '=', courseId)
      .where('status', 'in', ['created', 'pending'])
      .where('expires_at', '>', now + 60000)
      .orderBy('id', 'desc')
      .executeTakeFirst()
  }
}
