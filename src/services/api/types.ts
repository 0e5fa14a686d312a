/**
 * The API's types, taken from the server's TypeBox schemas. `import type` is erased at
 * build time, so none of the server's code reaches the mini-program package.
 */
import type {
  AccessDto,
  BindPhoneResultDto,
  CreateOrderResultDto,
  BlockDto,
  ColumnDto,
  IssueDetailDto,
  IssuePageDto,
  IssueSummaryDto,
  LoginResultDto,
  MeDto,
  OrderDto,
  PlanDto,
  PlansWithPurchaseDto,
  RegionDto,
  SectionDto,
  ShippingAddressDto,
} from '../../../server/src/schemas'
import type {
  CourseDetailDto,
  CourseSummaryDto,
  LessonDto,
  LessonPlaybackDto,
  LessonProgressDto,
} from '../../../server/src/schemas/courses'
import type { ProductDto } from '../../../server/src/schemas/store'

export type Access = AccessDto
export type AccessDenied = Extract<AccessDto, { granted: false }>
export type Paywall = AccessDenied['paywall']
export type Block = BlockDto
export type BlockOf<T extends Block['type']> = Extract<Block, { type: T }>
export type Column = ColumnDto
export type IssueDetail = IssueDetailDto
export type IssueNeighbour = NonNullable<IssueDetailDto['previous']>
export type IssuePage = IssuePageDto
export type IssueSummary = IssueSummaryDto
export type Plan = PlanDto
export type Region = RegionDto
export type Section = SectionDto
export type Me = MeDto
export type Membership = MeDto['membership']
export type LoginResult = LoginResultDto
export type BindPhoneResult = BindPhoneResultDto

export type Order = OrderDto
export type CreateOrderResult = CreateOrderResultDto
export type PaymentParams = NonNullable<CreateOrderResultDto['payment']>
export type XpayParams = Extract<PaymentParams, { rail: 'xpay' }>['xpay']
export type RequestPaymentParams = Extract<PaymentParams, { rail: 'wechatpay' }>['wechatpay']
export type PaymentRail = PaymentParams['rail']
export type PlansWithPurchase = PlansWithPurchaseDto
export type PurchaseRules = PlansWithPurchaseDto['purchase']

/** A book or magazine on the store's shelf (docs/store.md) */
export type Product = ProductDto
/** The seven fields of wx.chooseAddress a goods order ships to */
export type ShippingAddress = ShippingAddressDto
export type GoodsOrder = NonNullable<OrderDto['goods']>
export type GoodsStage = GoodsOrder['stage']
export type Shipment = NonNullable<GoodsOrder['shipment']>

/** POST /api/store/orders: no price: the server sets it */
export interface CreateGoodsOrderInput {
  productId: number
  quantity: number
  address: ShippingAddress
  platform: Platform
  requestKey: string
}

/** 视频课程: a course in the list, and its page with the lessons (server/src/schemas/courses.ts) */
export type CourseSummary = CourseSummaryDto
export type CourseDetail = CourseDetailDto
export type Lesson = LessonDto
/** What opens a lesson the viewer cannot play */
export type LessonLock = NonNullable<LessonDto['lockedBy']>
export type LessonProgress = LessonProgressDto
/** Where the reader stopped last in a course */
export type CourseResume = NonNullable<CourseDetailDto['resume']>
/** A lesson's signed, short-lived video (and poster, subtitles) URLs and where to start */
export type LessonPlayback = LessonPlaybackDto

/** PUT /api/courses/lessons/:id/progress */
export interface SaveLessonProgressInput {
  positionSeconds: number
  /** The player said it ended: the lesson is done */
  ended?: boolean
}

/** POST /api/courses/:id/orders: no price: the server sets it */
export interface CreateCourseOrderInput {
  courseId: number
  platform: Platform
  requestKey: string
}

/** Where the reader is: wx.getDeviceInfo().platform in the mini-program, 'h5' in the browser (the server's Platform). */
export type Platform = 'ios' | 'android' | 'devtools' | 'windows' | 'mac' | 'ohos' | 'h5' | 'other'

/** The server's order statuses (server/src/schemas/orders.ts) */
export type OrderStatus = 'created' | 'pending' | 'paid' | 'fulfilled' | 'closed' | 'refunding' | 'refunded'

export interface CreateOrderInput {
  planId: string
  platform: Platform
  /** 8–64 of [A-Za-z0-9_-], made once per purchase attempt: the same key gets the same order */
  requestKey: string
  /** The issue the reader bought from, for the paywall funnel; never changes the price */
  source?: OrderSource
}

/** Where an order was bought from: the issue, and the share code and WeChat launch scene that led there */
export interface OrderSource {
  issueId: number
  share?: string
  scene?: number
}

export interface ItemList<T> {
  items: T[]
}

export interface ListIssuesParams {
  region?: string
  column?: string
  cursor?: string
  /** 1..50; the server defaults to 20 */
  limit?: number
}
