import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** Times are epoch milliseconds in both dialects (bigint in PostgreSQL, parsed back to number). */
type Millis = number

export interface RegionTable {
  id: Generated<number>
  code: string
  name: string
  sort_order: number
}

export interface ColumnTable {
  id: Generated<number>
  slug: string
  name: string
  parent_id: number | null
  sort_order: number
}

export type IssueStatus = 'draft' | 'scheduled' | 'published' | 'archived'
export type IssueAccess = 'free' | 'vip'

export interface IssueTable {
  id: Generated<number>
  slug: string
  column_id: number
  region_id: number
  number: number
  title: string
  topic: string
  published_at: Millis
  author: string
  summary: string
  cover: string | null
  tags_json: string
  status: IssueStatus
  access: IssueAccess
  /** JSON array of BodyNode: section headings and typed blocks, in reading order */
  body_json: string
  /** Index in body_json where the VIP part starts; null when the issue has no marker */
  paywall_at: number | null
  /** 1 when part of the body is for members only (derived from access and paywall_at) */
  vip: number
  /** Text of the part every viewer may read, for summaries and search */
  free_text: string
  /** Content hash, changes on every re-import that changes the issue */
  content_hash: string
  view_count: ColumnType<number, number | undefined, number>
  created_at: Millis
  updated_at: Millis
  /** When a scheduled issue goes live (set with scheduled_by by the console; null otherwise) */
  publish_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>
  /** The operator who scheduled it: the due-publish job publishes and audits in their name */
  scheduled_by: ColumnType<number | null, number | null | undefined, number | null>
}

export interface IssueViewTable {
  issue_id: number
  viewer_key: string
  day: string
}

export interface UserTable {
  id: Generated<number>
  /** Operator-made users (npm run admin -- token <name>) have a name and no openid */
  name: string | null
  openid: string | null
  unionid: string | null
  /** AES-256-GCM of the reader's current WeChat session_key */
  session_key_enc: string | null
  nickname: ColumnType<string, string | undefined, string>
  /** File name under MEDIA_DIR/avatars */
  avatar: string | null
  /** Bound phone, digits only with country code, e.g. 8613800138000 */
  phone: string | null
  last_login_at: Millis | null
  created_at: Millis
}

export interface SessionTable {
  token_hash: string
  user_id: number
  created_at: Millis
  expires_at: Millis
  revoked_at: Millis | null
  last_used_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>
}

export interface MemberTable {
  id: Generated<number>
  phone: string
  name: string
  vip_expires_at: Millis | null
  imported_at: Millis
  linked_user_id: number | null
  linked_at: Millis | null
  vip_carried_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>
}

export interface MemberLinkTable {
  id: Generated<number>
  member_id: number | null
  user_id: number | null
  phone: string
  action: 'linked' | 'refused' | 'unlinked'
  detail: string
  created_at: Millis
}

export interface MembershipTable {
  user_id: number
  expires_at: Millis
  updated_at: Millis
}

export interface MembershipGrantTable {
  id: Generated<number>
  user_id: number
  days: number
  reason: string
  source: string
  expires_at_before: Millis | null
  expires_at_after: Millis
  created_at: Millis
}

export interface PlanTable {
  id: string
  name: string
  months: number
  price_fen: number
  original_price_fen: number | null
  benefits_json: string
  active: number
  sort_order: number
}

export type OrderStatus = 'created' | 'pending' | 'paid' | 'fulfilled' | 'closed' | 'refunding' | 'refunded'
export type PaymentRail = 'xpay' | 'wechatpay'

export interface OrderTable {
  id: Generated<number>
  out_trade_no: string
  user_id: number
  plan_id: string
  months: number
  amount_fen: number
  rail: PaymentRail
  status: OrderStatus
  openid: string
  platform: string
  request_key: string
  prepay_id: string | null
  sign_data: string | null
  transaction_id: string | null
  created_at: Millis
  expires_at: Millis
  paid_at: Millis | null
  fulfilled_at: Millis | null
  closed_at: Millis | null
  refunded_at: Millis | null
  last_queried_at: Millis | null
  granted_from: Millis | null
  granted_until: Millis | null
  refund_no: string | null
  /** When the rail is next asked about this order; null: never again (settled, or given up) */
  next_query_at: Millis | null
  /** How often the rail was asked without the order settling: spaces the next query out */
  query_attempts: ColumnType<number, number | undefined, number>
  /** Fen refunded so far, by us or elsewhere (merchant console, complaints) */
  refunded_fen: ColumnType<number, number | undefined, number>
  /** Why the latest refund failed, for the operator; null when none did */
  refund_failure: string | null
  refund_requested_at: Millis | null
  /** The issue the order was bought from (domain/funnel.ts), set once at creation; never read for the price */
  source_issue_id: ColumnType<number | null, number | null | undefined, never>
  /** The reader whose share led here, when a known share code came with the order */
  source_sharer_user_id: ColumnType<number | null, number | null | undefined, never>
  /** The scene bucket of the reader's entry (chat, group, moments, code, search, other) */
  source_scene: ColumnType<string | null, string | null | undefined, never>
  /** 'goods': books and magazines (order_lines, order_addresses; docs/store.md); 'course': a course sold alone (course_id; docs/courses.md); 'vip' otherwise */
  kind: ColumnType<OrderKind, OrderKind | undefined, never>
  /** The course a 'course' order buys (019); null for other kinds */
  course_id: ColumnType<number | null, number | null | undefined, never>
  /** Goods orders: 1 while their lines hold stock, 0 once it went back to the shelf; null for VIP */
  stock_held: ColumnType<number | null, number | null | undefined, number | null>
  /** The fen asked for by the refund under way (partial refunds of goods, 018); null: all that is left */
  refund_amount_fen: ColumnType<number | null, number | null | undefined, number | null>
}

export type OrderKind = 'vip' | 'goods' | 'course'
export type ProductKind = 'in_stock' | 'preorder' | 'subscription'

/** A book or magazine of the store (domain/store.ts) */
export interface ProductTable {
  id: Generated<number>
  slug: string
  title: string
  cover: string | null
  price_fen: number
  original_price_fen: number | null
  kind: ProductKind
  /** Asia/Shanghai YYYY-MM-DD a preorder is expected to ship */
  ship_date: string | null
  /** How many issues a subscription ships */
  issues_count: number | null
  stock: number
  limit_per_reader: number
  on_shelf: number
  sort_order: ColumnType<number, number | undefined, number>
  view_count: ColumnType<number, number | undefined, number>
  created_at: Millis
  updated_at: Millis
}

export type CourseAccess = 'vip' | 'sale'

/** A video course (019, domain/courses.ts): included in VIP, or sold alone */
export interface CourseTable {
  id: Generated<number>
  slug: string
  title: string
  subtitle: ColumnType<string, string | undefined, string>
  teacher: ColumnType<string, string | undefined, string>
  description: ColumnType<string, string | undefined, string>
  cover: string | null
  access: CourseAccess
  /** The price of a course sold alone; null when included in VIP (a check says so) */
  price_fen: number | null
  original_price_fen: number | null
  on_shelf: ColumnType<number, number | undefined, number>
  sort_order: ColumnType<number, number | undefined, number>
  created_at: Millis
  updated_at: Millis
}

export interface CourseLessonTable {
  id: Generated<number>
  course_id: number
  position: number
  title: string
  outline: ColumnType<string, string | undefined, string>
  duration_seconds: number
  /** 1: 试看, anyone may watch it */
  preview: ColumnType<number, number | undefined, number>
  /** Names in media storage (or paths under the CDN's base), handed out only signed */
  video: string
  poster: string | null
  subtitles: string | null
  /** The subtitles' cues, JSON [{start, end, text}] in seconds, for the app to draw under WeChat's player (which takes no track) */
  cues: ColumnType<string | null, string | null | undefined, string | null>
}

/** A course sold alone, bought: one row per paid order, revoked by its refund */
export interface CourseGrantTable {
  order_id: number
  user_id: number
  course_id: number
  granted_at: Millis
  revoked_at: Millis | null
}

export interface LessonProgressTable {
  user_id: number
  lesson_id: number
  course_id: number
  position_seconds: number
  completed: ColumnType<number, number | undefined, number>
  updated_at: Millis
}

/** Keys the server made itself, shared by every replica through the database */
export interface SigningKeyTable {
  name: string
  secret: string
  created_at: Millis
}

export interface ProductViewTable {
  product_id: number
  viewer_key: string
  day: string
}

/** What a goods order holds: title and unit price as they were when it was made */
export interface OrderLineTable {
  id: Generated<number>
  order_id: number
  product_id: number
  title: string
  unit_price_fen: number
  quantity: number
  refunded_quantity: ColumnType<number, number | undefined, number>
}

/** Where a goods order ships to: wx.chooseAddress's fields when the order was made */
export interface OrderAddressTable {
  order_id: number
  user_name: string
  tel_number: string
  province_name: string
  city_name: string
  county_name: string
  detail_info: string
  postal_code: string
}

export type ShipmentStatus = 'pending' | 'uploaded' | 'failed'

/** A goods order's parcel (018): the outbox row the shipping job uploads to WeChat */
export interface ShipmentTable {
  order_id: number
  express_company: string
  tracking_no: string
  item_desc: string
  status: ColumnType<ShipmentStatus, ShipmentStatus | undefined, ShipmentStatus>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Millis | null
  wechat_answer: string | null
  created_at: Millis
  uploaded_at: Millis | null
  received_at: Millis | null
  settled_at: Millis | null
  /** 已签收 (019): the operator said it was delivered and WeChat reminded the reader to confirm receipt */
  delivered_at: ColumnType<Millis | null, Millis | null | undefined, Millis | null>
  updated_at: Millis
}

/** A preorder reported to WeChat as shipping more than 15 days after payment (opspecialorder) */
export interface SpecialOrderReportTable {
  order_id: number
  delay_to: Millis
  status: ColumnType<'pending' | 'reported' | 'failed', 'pending' | 'reported' | 'failed' | undefined>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Millis | null
  wechat_answer: string | null
  created_at: Millis
  reported_at: Millis | null
}

/** WeChat's 提醒发货 pushes (trade_manage_remind_shipping) per order */
export interface ShippingReminderTable {
  order_id: number
  count: number
  first_at: Millis
  last_at: Millis
}

/** is_trade_managed as WeChat last answered it */
export interface TradeManagementTable {
  appid: string
  managed: number
  checked_at: Millis
}

export interface PaymentNotificationTable {
  notification_key: string
  order_id: number | null
  rail: string
  event: string
  received_at: Millis
}

export type LedgerEvent =
  | 'order_created'
  | 'paid'
  | 'fulfilled'
  | 'closed'
  | 'refund_requested'
  | 'refunded'
  | 'partially_refunded'
  | 'refund_failed'
  | 'reconcile_gave_up'
  | 'vip_granted'
  | 'vip_revoked'
export type LedgerSource = 'notification' | 'query' | 'admin' | 'client' | 'sweep'

export interface LedgerTable {
  id: Generated<number>
  order_id: number | null
  user_id: number
  event: LedgerEvent
  amount_fen: number
  source: LedgerSource
  detail: string
  created_at: Millis
}

export interface JobLeaseTable {
  name: string
  holder: string
  expires_at: Millis
}

export interface FavoriteTable {
  user_id: number
  issue_id: number
  created_at: Millis
}

export interface ReadingProgressTable {
  user_id: number
  issue_id: number
  /** The last section the reader reached, "s1" … */
  section_id: string
  /** The block reached, counted over the body's blocks (headings not counted); null before 016 */
  block_index: number | null
  /** How far through the issue that block is, 0–100; null before 016 */
  percent: number | null
  updated_at: Millis
}

export type FontSize = 'small' | 'medium' | 'large'
export type Theme = 'system' | 'light' | 'dark'
export type AnswersDisplay = 'folded' | 'shown'

export interface ReaderSettingsTable {
  user_id: number
  font_size: FontSize
  theme: Theme
  /** 参考作答 under each 例题: folded until the reader chooses to see them all */
  answers: Generated<AnswersDisplay>
  updated_at: Millis
}

/** A reader's practice of one 例题: the working draft and the last submitted answer. */
export interface PracticeAnswerTable {
  user_id: number
  issue_id: number
  /** "q1" … counted over the whole body */
  question_id: string
  draft_text: string
  draft_elapsed_seconds: number
  draft_saved_at: Millis
  submitted_text: string | null
  submitted_elapsed_seconds: number | null
  submitted_at: Millis | null
  created_at: Millis
}

export interface ShareCodeTable {
  user_id: number
  /** Random and opaque, in share paths as sharer=<code> */
  code: string
  created_at: Millis
}

export interface ShareOpenTable {
  sharer_user_id: number
  issue_id: number
  /** WeChat's launch scene; null when unknown (H5) */
  scene: number | null
  /** sha256 of the viewer key (user, or hashed address and browser) */
  viewer_hash: string
  /** Asia/Shanghai date, YYYY-MM-DD */
  day: string
  created_at: Millis
}

export type OptInStatus = 'open' | 'used'
export type SubscriptionMessageStatus = 'pending' | 'sent' | 'failed'

/** One 'accept' of a one-time subscribe message: good for one message about the reader's region */
export interface SubscriptionOptInTable {
  id: Generated<number>
  user_id: number
  region_id: number
  template_id: string
  status: OptInStatus
  used_for_issue_id: number | null
  used_at: Millis | null
  created_at: Millis
}

/** Published issues the subscription sweep has announced (once each) */
export interface IssueAnnouncementTable {
  issue_id: number
  announced_at: Millis
}

/** The outbox of subscribe messages: one per used opt-in */
export interface SubscriptionMessageTable {
  id: Generated<number>
  optin_id: number
  user_id: number
  issue_id: number
  template_id: string
  status: SubscriptionMessageStatus
  attempts: number
  next_attempt_at: Millis
  errcode: number | null
  created_at: Millis
  sent_at: Millis | null
}

/** Uploaded files (avatars), shared by every replica */
export interface MediaTable {
  name: string
  data: Buffer
  created_at: Millis
}

/** Operator settings changed at run time (domain/site-settings.ts): one JSON value per key */
export interface SiteSettingTable {
  key: string
  value_json: string
  updated_at: Millis
}

/** Fixed rate-limit windows shared by every replica */
export interface RateLimitWindowTable {
  key: string
  count: number
  reset_at: Millis
}

export type OperatorRole = 'editor' | 'finance' | 'admin'

/** People who use the operator console */
export interface OperatorTable {
  id: Generated<number>
  name: string
  role: OperatorRole
  /** scrypt$N$r$p$salt$hash, or null for operators who only scan in */
  password_hash: string | null
  /** The WeChat account allowed to scan in, or null */
  openid: string | null
  created_at: Millis
  disabled_at: Millis | null
}

/** What operators did, append-only */
export interface AdminAuditTable {
  id: Generated<number>
  operator_id: number | null
  operator_name: string
  action: string
  target: string
  reason: string
  before_json: string | null
  after_json: string | null
  created_at: Millis
}

export type ScanTicketStatus = 'waiting' | 'confirmed' | 'refused' | 'used'

/** One scan sign-in: the console polls it, the mini-program confirms it */
export interface ScanTicketTable {
  ticket: string
  status: ScanTicketStatus
  operator_id: number | null
  created_at: Millis
  expires_at: Millis
}

export type FunnelStep = 'opened' | 'paywall' | 'plan_sheet'
export type SceneBucket = 'chat' | 'group' | 'moments' | 'code' | 'search' | 'other'

/** One viewer reaching one funnel step of one issue on one day, as the app reported it */
export interface FunnelEventTable {
  day: string
  issue_id: number
  region_id: number
  step: FunnelStep
  scene: SceneBucket
  /** 0: no (known) share came with the event */
  sharer_user_id: number
  /** sha256 of the app's random viewer key, 32 hex characters */
  viewer_hash: string
  created_at: Millis
}

/** Distinct viewers per day, issue, step, scene and sharer, rolled up from funnel_events */
export interface FunnelDailyTable {
  day: string
  issue_id: number
  region_id: number
  step: FunnelStep
  scene: SceneBucket
  sharer_user_id: number
  viewers: number
}

/** One row (id 1): raw events created before counted_before are in funnel_daily */
export interface FunnelRollupStateTable {
  id: number
  counted_before: Millis
}

export interface Database {
  regions: RegionTable
  columns: ColumnTable
  issues: IssueTable
  issue_views: IssueViewTable
  users: UserTable
  sessions: SessionTable
  memberships: MembershipTable
  membership_grants: MembershipGrantTable
  plans: PlanTable
  members: MemberTable
  member_links: MemberLinkTable
  orders: OrderTable
  products: ProductTable
  courses: CourseTable
  course_lessons: CourseLessonTable
  course_grants: CourseGrantTable
  lesson_progress: LessonProgressTable
  signing_keys: SigningKeyTable
  product_views: ProductViewTable
  order_lines: OrderLineTable
  order_addresses: OrderAddressTable
  shipments: ShipmentTable
  special_order_reports: SpecialOrderReportTable
  shipping_reminders: ShippingReminderTable
  trade_management: TradeManagementTable
  payment_notifications: PaymentNotificationTable
  ledger: LedgerTable
  job_leases: JobLeaseTable
  media: MediaTable
  site_settings: SiteSettingTable
  rate_limit_windows: RateLimitWindowTable
  operators: OperatorTable
  admin_audit: AdminAuditTable
  scan_tickets: ScanTicketTable
  favorites: FavoriteTable
  reading_progress: ReadingProgressTable
  reader_settings: ReaderSettingsTable
  practice_answers: PracticeAnswerTable
  share_codes: ShareCodeTable
  share_opens: ShareOpenTable
  funnel_events: FunnelEventTable
  funnel_daily: FunnelDailyTable
  funnel_rollup_state: FunnelRollupStateTable
  subscription_optins: SubscriptionOptInTable
  issue_announcements: IssueAnnouncementTable
  subscription_messages: SubscriptionMessageTable
}

export type OrderRow = Selectable<OrderTable>

export type IssueRow = Selectable<IssueTable>
export type NewIssue = Insertable<IssueTable>
export type IssueUpdate = Updateable<IssueTable>
export type RegionRow = Selectable<RegionTable>
export type ColumnRow = Selectable<ColumnTable>
export type PlanRow = Selectable<PlanTable>
