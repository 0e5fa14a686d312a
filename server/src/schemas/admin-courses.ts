import { Type, type Static } from '@sinclair/typebox'
import { MAX_PRICE_FEN } from '../domain/store'
import { OrderStatus, Rail } from './admin'
import { BoundedInteger, Nullable } from './common'
import { CourseAccess } from './courses'

/** Schemas of the console's course routes (/api/admin/courses*; docs/api.md#operator-console, docs/courses.md). */

const Time = Type.String({ description: 'ISO 8601, UTC' })

/** The longest title and subtitle a course has (migration 019's columns) */
export const MAX_COURSE_TITLE = 100
export const MAX_COURSE_SUBTITLE = 200
export const MAX_COURSE_SORT = 1_000_000
/** The most grants one answer lists, newest first */
export const MAX_GRANTS_LISTED = 500

/** A course as the operator sees it: on the shelf or not, with its lessons, sales and learners */
export const AdminCourse = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  title: Type.String(),
  subtitle: Type.String(),
  teacher: Type.String(),
  /** Its public cover (a path of this API or an https URL), or null */
  cover: Nullable(Type.String()),
  access: CourseAccess,
  /** The price of a course sold alone (fen); null for a course included in VIP */
  priceFen: Nullable(Type.Integer()),
  /** 原价 (fen), null when none */
  originalPriceFen: Nullable(Type.Integer()),
  onShelf: Type.Boolean(),
  /** Smaller first on the reader's shelf */
  sortOrder: Type.Integer(),
  lessonCount: Type.Integer(),
  /** All lessons together, in seconds */
  durationSeconds: Type.Integer(),
  /** 试看 lessons */
  previewCount: Type.Integer(),
  /** 购买: paid course orders not refunded */
  purchases: Type.Integer(),
  /** What those orders brought (paid less refunded), fen */
  revenueFen: Type.Integer(),
  /** 学习人数: readers with progress saved in any lesson */
  learners: Type.Integer(),
  /** The 道具 of WeChat's virtual payment that sells it (course_<id>), registered at the same price; null when included in VIP */
  productId: Nullable(Type.String()),
  updatedAt: Time,
})
export type AdminCourseDto = Static<typeof AdminCourse>

export const AdminCourseList = Type.Object({ items: Type.Array(AdminCourse) })

const Fen = BoundedInteger({ minimum: 1, maximum: MAX_PRICE_FEN })

/**
 * What an operator changes of a course; at least one field. title, subtitle, onShelf and sortOrder
 * are an editor's; priceFen and originalPriceFen (a course sold alone only) finance's, with a reason.
 */
export const CourseChangeBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_COURSE_TITLE })),
    subtitle: Type.Optional(Type.String({ maxLength: MAX_COURSE_SUBTITLE })),
    onShelf: Type.Optional(Type.Boolean()),
    sortOrder: Type.Optional(BoundedInteger({ minimum: -MAX_COURSE_SORT, maximum: MAX_COURSE_SORT })),
    priceFen: Type.Optional(Fen),
    /** null takes the 原价 away */
    originalPriceFen: Type.Optional(Nullable(Fen)),
    /** Why, in the operator's words: required when the price changes */
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type CourseChangeBodyDto = Static<typeof CourseChangeBody>

/** A reader's purchase of a course sold alone: one grant per paid order, ended by its refund */
export const CourseGrant = Type.Object({
  orderId: Type.Integer(),
  outTradeNo: Type.String(),
  userId: Type.Integer(),
  /** The reader's nickname (or an operator-made user's name); empty when none */
  reader: Type.String(),
  amountFen: Type.Integer(),
  refundedFen: Type.Integer(),
  status: OrderStatus,
  rail: Rail,
  grantedAt: Time,
  /** When its refund ended it; null while the reader may watch */
  revokedAt: Nullable(Time),
})
export type CourseGrantDto = Static<typeof CourseGrant>

export const CourseGrantList = Type.Object({
  course: Type.Object({ id: Type.Integer(), slug: Type.String(), title: Type.String() }),
  /** Newest first, at most MAX_GRANTS_LISTED */
  items: Type.Array(CourseGrant),
})
export type CourseGrantListDto = Static<typeof CourseGrantList>
