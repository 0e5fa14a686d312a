import type { Kysely } from 'kysely'
import type { Database } from '../db/schema'
import { ApiError } from '../errors'
import type { MediaStorage } from '../infra/media-storage'
import { courseProductId } from '../payments/payments'
import {
  MAX_COURSE_SORT,
  MAX_COURSE_SUBTITLE,
  MAX_COURSE_TITLE,
  MAX_GRANTS_LISTED,
  type AdminCourseDto,
  type CourseGrantListDto,
} from '../schemas/admin-courses'
import { INT4_MAX } from '../schemas/common'
import type { Audit, AuditActor } from './audit'
import { importCourseFolder, type CourseImportReport } from './course-import'
import type { CourseRow } from './courses'
import type { OperatorRole } from './operators'
import { MAX_PRICE_FEN } from './store'

/**
 * The operator's side of video courses (docs/courses.md#the-console-and-the-cli): every course with
 * its lessons, sales and learners, changes to its shelf, text and price, who bought it, and importing
 * course folders. `npm run admin -- course …` and /api/admin/courses call these same methods, and
 * every change is audited here, before → after, in the name of whoever made it.
 */

/** What an operator may change of a course; absent fields stay as they are */
export interface CourseChange {
  title?: string
  subtitle?: string
  onShelf?: boolean
  sortOrder?: number
  priceFen?: number
  /** null takes the 原价 away */
  originalPriceFen?: number | null
}

/** Who made a change and why */
export interface CourseActor {
  operator: AuditActor
  reason?: string
}

/** A course's fields as the audit trail keeps them */
export interface CourseFields {
  title: string
  subtitle: string
  access: 'vip' | 'sale'
  priceFen: number | null
  originalPriceFen: number | null
  onShelf: boolean
  sortOrder: number
}

/** One course of an import: its id, whether it is new, and its fields before (null when new) and after */
export interface ImportedCourse {
  id: number
  slug: string
  before: CourseFields | null
  after: CourseFields
}

export interface CourseDeskDeps {
  db: Kysely<Database>
  /** Where course media go (services.courseMedia) */
  storage: MediaStorage
  audit: Audit
  now: () => number
}

const TEXT_FIELDS = ['title', 'subtitle', 'onShelf', 'sortOrder'] as const
const PRICE_FIELDS = ['priceFen', 'originalPriceFen'] as const

/**
 * The roles a change needs (any one of each entry, admin always): the shelf and the text are an
 * editor's, the price finance's; both at once therefore admin's.
 */
export function rolesForChange(change: CourseChange): OperatorRole[][] {
  const needs: OperatorRole[][] = []
  if (TEXT_FIELDS.some((field) => change[field] !== undefined)) needs.push(['editor'])
  if (PRICE_FIELDS.some((field) => change[field] !== undefined)) needs.push(['finance'])
  return needs
}

export function courseFields(row: CourseRow): CourseFields {
  return {
    title: row.title,
    subtitle: row.subtitle,
    access: row.access,
    priceFen: row.price_fen,
    originalPriceFen: row.original_price_fen,
    onShelf: row.on_shelf === 1,
    sortOrder: row.sort_order,
  }
}

const notFound = (ref: string | number) =>
  new ApiError(404, 'COURSE_NOT_FOUND', `没有课程 ${typeof ref === 'number' ? `#${ref}` : `“${ref}”`}`)
const invalid = (message: string) => new ApiError(400, 'INVALID_COURSE', message)

/** The fields of `after` that differ from `before`, each side */
function difference(
  before: CourseFields,
  after: CourseFields,
): { before: Partial<CourseFields>; after: Partial<CourseFields> } {
  const keys = (Object.keys(after) as (keyof CourseFields)[]).filter((key) => before[key] !== after[key])
  return {
    before: Object.fromEntries(keys.map((key) => [key, before[key]])),
    after: Object.fromEntries(keys.map((key) => [key, after[key]])),
  }
}

/** The fields after a change, checked; ApiError when they cannot be */
function applyChange(before: CourseRow, change: CourseChange, reason: string): CourseFields {
  const current = courseFields(before)
  const next: CourseFields = { ...current }
  if (change.title !== undefined) {
    const title = change.title.trim()
    if (title.length === 0 || [...title].length > MAX_COURSE_TITLE || /\p{Cc}/u.test(title))
      throw invalid(`标题为 1–${MAX_COURSE_TITLE} 个字，不含换行等控制字符`)
    next.title = title
  }
  if (change.subtitle !== undefined) {
    const subtitle = change.subtitle.trim()
    if ([...subtitle].length > MAX_COURSE_SUBTITLE || /\p{Cc}/u.test(subtitle))
      throw invalid(`副标题最多 ${MAX_COURSE_SUBTITLE} 个字，不含换行等控制字符`)
    next.subtitle = subtitle
  }
  if (change.onShelf !== undefined) next.onShelf = change.onShelf
  if (change.sortOrder !== undefined) {
    if (!Number.isInteger(change.sortOrder) || Math.abs(change.sortOrder) > MAX_COURSE_SORT)
      throw invalid(`排序为 -${MAX_COURSE_SORT} 到 ${MAX_COURSE_SORT} 的整数`)
    next.sortOrder = change.sortOrder
  }
  if (change.priceFen !== undefined || change.originalPriceFen !== undefined) {
    if (before.access !== 'sale')
      throw new ApiError(
        409,
        'COURSE_INCLUDED_IN_VIP',
        `《${before.title}》包含在VIP会员中，没有单独售价（单独购买与否由 course.yaml 的 access 决定）`,
      )
    const fen = (value: number) => Number.isInteger(value) && value >= 1 && value <= MAX_PRICE_FEN
    next.priceFen = change.priceFen ?? current.priceFen
    next.originalPriceFen = change.originalPriceFen !== undefined ? change.originalPriceFen : current.originalPriceFen
    if (next.priceFen === null || !fen(next.priceFen)) throw invalid('售价为 ¥0.01 到 ¥100000.00')
    if (next.originalPriceFen !== null && (!fen(next.originalPriceFen) || next.originalPriceFen <= next.priceFen))
      throw invalid('原价需高于售价（或不设原价）')
    if (
      (next.priceFen !== current.priceFen || next.originalPriceFen !== current.originalPriceFen) &&
      reason.trim().length === 0
    )
      throw new ApiError(400, 'REASON_REQUIRED', '修改价格需要填写原因')
  }
  return next
}

export class CourseDesk {
  constructor(private readonly deps: CourseDeskDeps) {}

  /** Every course, on the shelf or not, in the reader's order, with lessons, sales and learners */
  async all(): Promise<AdminCourseDto[]> {
    const rows = await this.deps.db.selectFrom('courses').selectAll().orderBy('sort_order').orderBy('id').execute()
    return this.views(rows)
  }

  /** One course as all() shows it */
  async one(ref: string | number): Promise<AdminCourseDto> {
    const [view] = await this.views([await this.find(ref)])
    return view as AdminCourseDto
  }

  /**
   * A course by id (a number, `#12` or `12`) or slug; `12` is the slug "12" when no course has the
   * id 12. 404 COURSE_NOT_FOUND.
   */
  async find(ref: string | number): Promise<CourseRow> {
    const courses = () => this.deps.db.selectFrom('courses').selectAll()
    const digits = typeof ref === 'number' ? ref : Number(/^#?([1-9]\d{0,9})$/.exec(ref)?.[1])
    const id = Number.isInteger(digits) && digits <= INT4_MAX ? digits : undefined
    const row =
      (id !== undefined ? await courses().where('id', '=', id).executeTakeFirst() : undefined) ??
      (typeof ref === 'string' && !ref.startsWith('#')
        ? await courses().where('slug', '=', ref).executeTakeFirst()
        : undefined)
    if (!row) throw notFound(ref)
    return row
  }

  /**
   * Changes a course's shelf, title, subtitle, order or price, and audits it: `course.price` when
   * the price changed (a reason is required), else `course.shelf` when 上架 changed, else
   * `course.update`, with the fields that changed before → after. A change that changes nothing is
   * neither written nor audited. Orders already made keep the price they were made at.
   */
  async update(ref: string | number, change: CourseChange, actor: CourseActor): Promise<AdminCourseDto> {
    if (rolesForChange(change).length === 0) throw new ApiError(400, 'NOTHING_TO_CHANGE', '没有要修改的内容')
    const before = await this.find(ref)
    const reason = actor.reason?.trim() ?? ''
    const next = applyChange(before, change, reason)
    const diff = difference(courseFields(before), next)
    if (Object.keys(diff.after).length === 0) return this.one(before.id)
    await this.deps.db
      .updateTable('courses')
      .set({
        title: next.title,
        subtitle: next.subtitle,
        on_shelf: next.onShelf ? 1 : 0,
        sort_order: next.sortOrder,
        price_fen: next.priceFen,
        original_price_fen: next.originalPriceFen,
        updated_at: this.deps.now(),
      })
      .where('id', '=', before.id)
      .execute()
    const action =
      'priceFen' in diff.after || 'originalPriceFen' in diff.after
        ? 'course.price'
        : 'onShelf' in diff.after
          ? 'course.shelf'
          : 'course.update'
    await this.deps.audit.record({
      operator: actor.operator,
      action,
      target: `course:${before.id}`,
      reason,
      before: diff.before,
      after: diff.after,
    })
    return this.one(before.id)
  }

  /** Who bought a course: its grants (one per paid order), newest first, with the order and the reader */
  async grants(ref: string | number): Promise<CourseGrantListDto> {
    const course = await this.find(ref)
    const rows = await this.deps.db
      .selectFrom('course_grants')
      .innerJoin('orders', 'orders.id', 'course_grants.order_id')
      .innerJoin('users', 'users.id', 'course_grants.user_id')
      .select([
        'course_grants.order_id',
        'course_grants.user_id',
        'course_grants.granted_at',
        'course_grants.revoked_at',
        'orders.out_trade_no',
        'orders.amount_fen',
        'orders.refunded_fen',
        'orders.status',
        'orders.rail',
        'users.nickname',
        'users.name',
      ])
      .where('course_grants.course_id', '=', course.id)
      .orderBy('course_grants.granted_at', 'desc')
      .orderBy('course_grants.order_id', 'desc')
      .limit(MAX_GRANTS_LISTED)
      .execute()
    return {
      course: { id: course.id, slug: course.slug, title: course.title },
      items: rows.map((row) => ({
        orderId: row.order_id,
        outTradeNo: row.out_trade_no,
        userId: row.user_id,
        reader: row.nickname || row.name || '',
        amountFen: row.amount_fen,
        refundedFen: row.refunded_fen,
        status: row.status,
        rail: row.rail,
        grantedAt: new Date(Number(row.granted_at)).toISOString(),
        revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)).toISOString(),
      })),
    }
  }

  /**
   * Imports course folders (each one course folder or a folder of them, domain/course-import.ts)
   * and audits each course imported as `course.import`, its fields before (null when new) → after.
   * A new course comes on the shelf; importing again updates it in place from course.yaml (title,
   * subtitle, access, price, 原价, order and lessons) and leaves 上架 as it was.
   */
  async import(
    folders: string[],
    actor: CourseActor,
  ): Promise<{ report: CourseImportReport; courses: ImportedCourse[] }> {
    const { db, storage, now } = this.deps
    const snapshot = async () =>
      new Map((await db.selectFrom('courses').selectAll().execute()).map((row) => [row.slug, row]))
    const before = await snapshot()
    const report: CourseImportReport = { imported: [], problems: [] }
    for (const folder of folders) {
      const one = await importCourseFolder(db, storage, folder, now())
      report.imported.push(...one.imported)
      report.problems.push(...one.problems)
    }
    const after = await snapshot()
    const courses: ImportedCourse[] = []
    for (const slug of new Set(report.imported)) {
      const row = after.get(slug)
      if (!row) continue
      const was = before.get(slug)
      const imported = { id: row.id, slug, before: was ? courseFields(was) : null, after: courseFields(row) }
      courses.push(imported)
      await this.deps.audit.record({
        operator: actor.operator,
        action: 'course.import',
        target: `course:${row.id}`,
        reason: actor.reason ?? '',
        before: imported.before,
        after: imported.after,
      })
    }
    return { report, courses }
  }

  private async views(rows: CourseRow[]): Promise<AdminCourseDto[]> {
    if (rows.length === 0) return []
    const { db } = this.deps
    const ids = rows.map((row) => row.id)
    const [lessons, sales, learners] = await Promise.all([
      db
        .selectFrom('course_lessons')
        .select((eb) => [
          'course_id',
          eb.fn.countAll<number | string>().as('count'),
          eb.fn.sum<number | string>('duration_seconds').as('seconds'),
          eb.fn.sum<number | string>('preview').as('previews'),
        ])
        .where('course_id', 'in', ids)
        .groupBy('course_id')
        .execute(),
      // Paid and not refunded, as the store counts its sales
      db
        .selectFrom('orders')
        .select((eb) => [
          'course_id',
          eb.fn.countAll<number | string>().as('count'),
          eb.fn.sum<number | string>(eb('amount_fen', '-', eb.ref('refunded_fen'))).as('revenue'),
        ])
        .where('kind', '=', 'course')
        .where('course_id', 'in', ids)
        .where('paid_at', 'is not', null)
        .where('status', '!=', 'refunded')
        .groupBy('course_id')
        .execute(),
      db
        .selectFrom('lesson_progress')
        .select((eb) => ['course_id', eb.fn.count<number | string>('user_id').distinct().as('count')])
        .where('course_id', 'in', ids)
        .groupBy('course_id')
        .execute(),
    ])
    const lessonsOf = new Map(lessons.map((row) => [row.course_id, row]))
    const salesOf = new Map(sales.map((row) => [row.course_id, row]))
    const learnersOf = new Map(learners.map((row) => [row.course_id, Number(row.count)]))
    return rows.map((row) => {
      const lesson = lessonsOf.get(row.id)
      const sale = salesOf.get(row.id)
      return {
        id: row.id,
        slug: row.slug,
        title: row.title,
        subtitle: row.subtitle,
        teacher: row.teacher,
        cover: row.cover,
        access: row.access,
        priceFen: row.access === 'sale' ? row.price_fen : null,
        originalPriceFen: row.access === 'sale' ? row.original_price_fen : null,
        onShelf: row.on_shelf === 1,
        sortOrder: row.sort_order,
        lessonCount: Number(lesson?.count ?? 0),
        durationSeconds: Number(lesson?.seconds ?? 0),
        previewCount: Number(lesson?.previews ?? 0),
        purchases: Number(sale?.count ?? 0),
        revenueFen: Number(sale?.revenue ?? 0),
        learners: learnersOf.get(row.id) ?? 0,
        productId: row.access === 'sale' ? courseProductId(row.id) : null,
        updatedAt: new Date(Number(row.updated_at)).toISOString(),
      }
    })
  }
}
