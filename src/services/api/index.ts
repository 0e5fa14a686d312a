import { request } from './http'
import type { Column, IssueDetail, IssuePage, ItemList, ListIssuesParams, Region } from './types'

// The store's and the courses' calls (./store, ./courses) are imported from their files by their
// subpackages only, so they stay out of the main package; their types are exported below.
export { API_BASE, TOKEN_STORAGE_KEY, buildQuery, isSessionError, request, upload } from './http'
export { ApiError, ClientErrorCode, isApiError, readerMessage, toApiError } from './errors'
export { avatarSource, bindPhone, deleteMe, getMe, login, logout, updateNickname, uploadAvatar } from './account'
export { cancelOrder, createOrder, getOrder, listOrders, listPlans, resumePayment } from './orders'
export { searchIssues } from './search'
export { getSubscription, subscribeNextIssue } from './subscriptions'
export type { SubscriptionState } from './subscriptions'
export { downloadIssuePdf, issuePdfFileName, issuePdfUrl } from './pdf'
export type { PdfIssue } from './pdf'
export {
  deletePractice,
  getPractice,
  getPracticeIssue,
  listPracticeAnswers,
  savePracticeDraft,
  submitPractice,
} from './practice'
export type {
  PracticeAnswer,
  PracticeAnswerList,
  PracticeDetail,
  PracticeDraft,
  PracticeInput,
  PracticeIssue,
  PracticeQuestion,
  PracticeSubmission,
} from './practice'
export { getShareCode, reportShareOpen, SHARE_CODE_RE, shareCardUrl } from './sharing'
export type { ShareCode, ShareOpen } from './sharing'
export { announceProgress, listNavigatorRegions, listRegionIssues, onProgressAnnounced } from './navigator'
export type { NavigatorIssue, NavigatorPage, NavigatorPageParams, NavigatorRegion } from './navigator'
export type { SearchHit, SearchPage, SearchParams, SnippetSegment } from './search'
export {
  addFavorite,
  clearHistory,
  getFavorite,
  getProgress,
  getProgressOf,
  getSettings,
  listFavorites,
  listHistory,
  recordProgress,
  removeFavorite,
  updateSettings,
} from './study'
export type {
  AnswersDisplay,
  Favorite,
  FavoritePage,
  FavoriteState,
  FontSize,
  HistoryItem,
  HistoryPage,
  IssuePercent,
  ReaderSettings,
  ReadingProgress,
  StudyPageParams,
  Theme,
} from './study'
export type {
  Access,
  AccessDenied,
  BindPhoneResult,
  Block,
  BlockOf,
  Column,
  CourseDetail,
  CourseResume,
  CourseSummary,
  CreateCourseOrderInput,
  CreateGoodsOrderInput,
  CreateOrderInput,
  GoodsOrder,
  GoodsStage,
  OrderSource,
  CreateOrderResult,
  IssueDetail,
  IssueNeighbour,
  IssuePage,
  IssueSummary,
  ItemList,
  Lesson,
  LessonLock,
  LessonPlayback,
  LessonProgress,
  ListIssuesParams,
  LoginResult,
  Me,
  Membership,
  Order,
  OrderStatus,
  PaymentParams,
  PaymentRail,
  Paywall,
  Plan,
  PlansWithPurchase,
  Platform,
  Product,
  PurchaseRules,
  Region,
  RequestPaymentParams,
  SaveLessonProgressInput,
  Section,
  Shipment,
  ShippingAddress,
  XpayParams,
} from './types'

/** GET /api/issues: newest first, one page at a time; pass `nextCursor` back as `cursor`. */
export function listIssues(params: ListIssuesParams = {}): Promise<IssuePage> {
  return request<IssuePage>('/api/issues', { query: { ...params } })
}

/** GET /api/issues/:id: cut at the paywall by the server when the viewer has no access. */
export function getIssue(id: number): Promise<IssueDetail> {
  return request<IssueDetail>(`/api/issues/${encodeURIComponent(String(id))}`)
}

export function listRegions(): Promise<ItemList<Region>> {
  return request<ItemList<Region>>('/api/regions')
}

export function listColumns(): Promise<ItemList<Column>> {
  return request<ItemList<Column>>('/api/columns')
}
