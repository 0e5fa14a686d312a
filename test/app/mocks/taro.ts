/**
 * The @tarojs/taro APIs the app calls, as jest mocks. Navigation resolves; request has no
 * default answer (each test decides); lifecycle hooks record their callbacks so a test
 * can fire them (`fire('useReachBottom')`).
 */
type Callback = (...args: unknown[]) => unknown

const hookCallbacks = new Map<string, Callback>()
const recordHook = (name: string) =>
  jest.fn((callback: Callback) => {
    hookCallbacks.set(name, callback)
  })

/** Calls the callback a page registered with a Taro hook, e.g. fire('usePullDownRefresh'). */
export function fire(hook: string, ...args: unknown[]): unknown {
  const callback = hookCallbacks.get(hook)
  if (!callback) throw new Error(`no callback registered with ${hook}`)
  return callback(...args)
}

export function resetTaroMock(): void {
  hookCallbacks.clear()
}

const resolved = () => jest.fn((..._args: unknown[]) => Promise.resolve({ errMsg: 'ok' }))

const Taro = {
  request: jest.fn(),
  getStorageSync: jest.fn((_key: string): unknown => ''),
  setStorageSync: jest.fn(),
  switchTab: resolved(),
  navigateTo: resolved(),
  redirectTo: resolved(),
  reLaunch: resolved(),
  pageScrollTo: resolved(),
  showToast: resolved(),
  stopPullDownRefresh: jest.fn(),
  setNavigationBarTitle: resolved(),
  makePhoneCall: resolved(),
  getCurrentPages: jest.fn((): unknown[] => [{}, {}]),
  getLaunchOptionsSync: jest.fn(() => ({ scene: 1001, path: '', query: {} })),
  getEnterOptionsSync: jest.fn(() => ({ scene: 1001, path: '', query: {} })),
}

export const useRouter = jest.fn(() => ({ params: {} as Record<string, string | undefined>, path: '' }))
export const useLoad = recordHook('useLoad')
export const useDidShow = recordHook('useDidShow')
export const useReady = recordHook('useReady')
export const usePullDownRefresh = recordHook('usePullDownRefresh')
export const useReachBottom = recordHook('useReachBottom')
export const useShareAppMessage = recordHook('useShareAppMessage')
export const useShareTimeline = recordHook('useShareTimeline')

export default Taro
