/**
 * The @tarojs/taro APIs the app calls, as jest mocks. Navigation resolves; request has no
 * default answer (each test decides); lifecycle hooks record their callbacks so a test
 * can fire them (`fire('useReachBottom')`).
 */
import { useEffect, useRef } from 'react'

type Callback = (...args: unknown[]) => unknown

/** Per hook name, the callback of each place that registered one (a page and its components may each). */
const hookCallbacks = new Map<string, Map<object, Callback>>()
const recordHook = (name: string) =>
  jest.fn((callback: Callback) => {
    // One slot per call site and component, as Taro keeps one handler per hook call: the latest render's callback.
    const slot = useRef<object>({})
    let callbacks = hookCallbacks.get(name)
    if (!callbacks) hookCallbacks.set(name, (callbacks = new Map()))
    callbacks.set(slot.current, callback)
    useEffect(() => () => void hookCallbacks.get(name)?.delete(slot.current), [])
  })

/**
 * Calls every callback registered with a Taro hook, as Taro does, e.g. fire('usePullDownRefresh');
 * answers what the first one that answers something returned (useShareAppMessage's content).
 */
export function fire(hook: string, ...args: unknown[]): unknown {
  const callbacks = [...(hookCallbacks.get(hook)?.values() ?? [])]
  if (callbacks.length === 0) throw new Error(`no callback registered with ${hook}`)
  let answer: unknown
  for (const callback of callbacks) {
    const result = callback(...args)
    if (answer === undefined) answer = result
  }
  return answer
}

/** What setStorageSync wrote (getStorageSync reads it unless a test overrides it). */
export const storage = new Map<string, unknown>()

export function resetTaroMock(): void {
  hookCallbacks.clear()
  storage.clear()
  observed.clear()
}

const resolved = () => jest.fn((..._args: unknown[]) => Promise.resolve({ errMsg: 'ok' }))

const Taro = {
  request: jest.fn(),
  uploadFile: jest.fn(),
  login: jest.fn(() => Promise.resolve({ code: 'wx-code', errMsg: 'login:ok' })),
  getStorageSync: jest.fn((key: string): unknown => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key: string, value: unknown) => void storage.set(key, value)),
  removeStorageSync: jest.fn((key: string) => void storage.delete(key)),
  showModal: jest.fn((_options: unknown) => Promise.resolve({ confirm: true, cancel: false, errMsg: 'showModal:ok' })),
  chooseMedia: jest.fn(),
  onNeedPrivacyAuthorization: jest.fn(),
  requirePrivacyAuthorize: jest.fn(),
  openPrivacyContract: jest.fn(),
  switchTab: resolved(),
  navigateTo: resolved(),
  navigateBack: resolved(),
  redirectTo: resolved(),
  reLaunch: resolved(),
  pageScrollTo: resolved(),
  showToast: resolved(),
  hideToast: resolved(),
  stopPullDownRefresh: jest.fn(),
  setNavigationBarTitle: resolved(),
  setNavigationBarColor: resolved(),
  setBackgroundColor: resolved(),
  setBackgroundTextStyle: resolved(),
  setTabBarStyle: resolved(),
  makePhoneCall: resolved(),
  setClipboardData: resolved(),
  openChannelsUserProfile: resolved(),
  getCurrentPages: jest.fn((): unknown[] => [{}, {}]),
  getDeviceInfo: jest.fn(() => ({ platform: 'android' })),
  getSystemInfoSync: jest.fn(() => ({ platform: 'android' })),
  requestPayment: jest.fn(),
  getLaunchOptionsSync: jest.fn(() => ({ scene: 1001, path: '', query: {} })),
  getEnterOptionsSync: jest.fn(() => ({ scene: 1001, path: '', query: {} })),
  getCurrentInstance: jest.fn((): { page: unknown } => ({ page: {} })),
  nextTick: jest.fn((callback: () => void) => callback()),
  createIntersectionObserver: jest.fn(() => intersectionObserver),
}

/** The IntersectionObserver the app gets; `intersect('sec-s2')` reports that node entering the area. */
interface ObserverMock {
  relativeToViewport: jest.Mock
  observe: jest.Mock
  disconnect: jest.Mock
}
export const intersectionObserver: ObserverMock = {
  relativeToViewport: jest.fn((): ObserverMock => intersectionObserver),
  observe: jest.fn((selector: string, callback: Callback) => {
    observed.set(selector.replace(/^#/, ''), callback)
  }),
  disconnect: jest.fn(),
}
const observed = new Map<string, Callback>()
export function intersect(id: string, intersectionRatio = 1): void {
  const callback = observed.get(id)
  if (!callback) throw new Error(`${id} is not observed`)
  callback({ intersectionRatio })
}

export const useRouter = jest.fn(() => ({ params: {} as Record<string, string | undefined>, path: '' }))
export const useLaunch = recordHook('useLaunch')
export const useLoad = recordHook('useLoad')
export const useDidShow = recordHook('useDidShow')
export const useReady = recordHook('useReady')
export const usePullDownRefresh = recordHook('usePullDownRefresh')
export const useReachBottom = recordHook('useReachBottom')
export const usePageScroll = recordHook('usePageScroll')
export const useShareAppMessage = recordHook('useShareAppMessage')
export const useShareTimeline = recordHook('useShareTimeline')
export const useAddToFavorites = recordHook('useAddToFavorites')
export const useDidHide = recordHook('useDidHide')
export const useUnload = recordHook('useUnload')

export default Taro
