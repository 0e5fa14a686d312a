export const BRAND = '北辰遴选'

/** Scene value of a page opened from a Moments share (单页模式). */
export const SCENE_MOMENTS_SINGLE_PAGE = 1154

export const routes = {
  home: '/pages/index/index',
  vip: '/pages/vip/index',
  me: '/pages/me/index',
  article: (id: number) => `/subpackages/article/pages/index?id=${id}`,
  /** 开通会员 opened from a paywall: a page (not the tab), so the reader can go back to the article */
  vipBuy: '/subpackages/vip/pages/index',
  orders: '/subpackages/orders/pages/index',
  search: '/subpackages/search/pages/index',
  favorites: '/subpackages/study/pages/favorites',
  history: '/subpackages/study/pages/history',
  readerSettings: '/subpackages/study/pages/settings',
  navigator: '/subpackages/navigator/pages/index',
  practice: (issueId: number, questionId: string) =>
    `/subpackages/practice/pages/index?id=${issueId}&q=${encodeURIComponent(questionId)}`,
  practiceAnswers: (issueId: number) => `/subpackages/practice/pages/answers?id=${issueId}`,
  agreement: '/subpackages/legal/pages/agreement',
  privacy: '/subpackages/legal/pages/privacy',
  vipAgreement: '/subpackages/legal/pages/vip-agreement',
  /** 图书: the store's shelf, a product, its checkout (subpackages/store) */
  store: '/subpackages/store/pages/index',
  product: (id: number) => `/subpackages/store/pages/detail?id=${id}`,
  checkout: (id: number, quantity: number) => `/subpackages/store/pages/checkout?id=${id}&qty=${quantity}`,
  /** 课程: the video courses (subpackages/courses; a course's page is courseRoute there, out of the main package) */
  courses: '/subpackages/courses/pages/index',
  /** Where an unknown or malformed address lands (app.ts, index.html) */
  notFound: '/subpackages/fallback/pages/not-found',
} as const
