import type { ReactElement } from 'react'
import { act, render } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import IssueListPage from '@/pages/index/index'
import MePage from '@/pages/me/index'
import VipPage from '@/pages/vip/index'
import PracticePage from '@/subpackages/practice/pages/index'
import PracticeAnswersPage from '@/subpackages/practice/pages/answers'
import SettingsPage from '@/subpackages/study/pages/settings'
import PrivacyPolicyPage from '@/subpackages/legal/pages/privacy'
import NotFoundPage from '@/subpackages/fallback/pages/not-found'
import { READER_SETTINGS_STORAGE_KEY, resetReaderSettings, saveReaderSettings } from '@/store/readerSettings'
import { resetSession, setMe } from '@/store/session'
import themeFile from '@/theme.json'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { me } from './fixtures'
import { fire, resetTaroMock, storage } from './mocks/taro'

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
const env = process.env as Record<string, string | undefined>
let api: FakeApi

/** The page's root view: the element that carries the theme class */
const rootOf = (container: HTMLElement) => container.firstElementChild as HTMLElement

async function open(page: ReactElement) {
  const view = render(page)
  await settle()
  return rootOf(view.container)
}

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetReaderSettings()
  delete env.TARO_ENV
  document.documentElement.className = ''
  api = fakeApi()
  api.route('GET /api/settings', answers.ok({ fontSize: 'medium', theme: 'dark' }))
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32', q: '1' }, path: '' })
})

afterAll(() => {
  delete env.TARO_ENV
})

describe('every page in the reader’s theme', () => {
  const pages: [string, () => ReactElement][] = [
    ['首页', () => <IssueListPage />],
    ['我的', () => <MePage />],
    ['会员', () => <VipPage />],
    ['练习作答', () => <PracticePage />],
    ['我的作答', () => <PracticeAnswersPage />],
    ['阅读设置', () => <SettingsPage />],
    ['隐私政策', () => <PrivacyPolicyPage />],
    ['页面不存在', () => <NotFoundPage />],
  ]

  it.each(pages)('%s opens dark for a reader who chose 深色', async (_name, page) => {
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'medium', theme: 'dark' })
    const dark = await open(page())
    expect(dark.classList).toContain('theme-dark')
    expect(dark.classList).not.toContain('theme-light')
  })

  it('switching in the settings store turns open pages back, and 跟随系统 follows the phone', async () => {
    storage.set('token', 'tok')
    act(() => setMe(me()))
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'medium', theme: 'dark' })
    api.route('PUT /api/settings', answers.ok({ fontSize: 'medium', theme: 'light' }))
    const home = await open(<IssueListPage />)
    const practice = rootOf(render(<PracticeAnswersPage />).container)
    expect(home.classList).toContain('theme-dark')
    expect(practice.classList).toContain('theme-dark')

    await act(() => saveReaderSettings({ theme: 'light' }))
    expect(home.classList).toContain('theme-light')
    expect(home.classList).not.toContain('theme-dark')
    expect(practice.classList).toContain('theme-light')

    // Every page listens, as WeChat calls every listener.
    const listeners = new Set<(result: { theme: string }) => void>()
    const phone = (theme: string) => act(() => listeners.forEach((listener) => listener({ theme })))
    const taro = Taro as unknown as Record<string, unknown>
    taro.getAppBaseInfo = jest.fn(() => ({ theme: 'light' }))
    taro.onThemeChange = jest.fn((callback: (result: { theme: string }) => void) => listeners.add(callback))
    taro.offThemeChange = jest.fn((callback: (result: { theme: string }) => void) => listeners.delete(callback))
    try {
      api.route('PUT /api/settings', answers.ok({ fontSize: 'medium', theme: 'system' }))
      await act(() => saveReaderSettings({ theme: 'system' }))
      phone('dark')
      expect(home.classList).toContain('theme-dark')
      expect(practice.classList).toContain('theme-dark')
      phone('light')
      expect(home.classList).toContain('theme-light')
    } finally {
      delete taro.getAppBaseInfo
      delete taro.onThemeChange
      delete taro.offThemeChange
    }
  })

  it('练习作答 and 我的作答 take the reader’s font size too', async () => {
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'large', theme: 'light' })
    expect((await open(<PracticePage />)).classList).toContain('reader-font-large')
    expect((await open(<PracticeAnswersPage />)).classList).toContain('reader-font-large')
  })

  it('the settings preview shows the chosen font size inside the themed page', async () => {
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'small', theme: 'dark' })
    const root = await open(<SettingsPage />)
    expect(root.classList).toContain('theme-dark')
    expect(root.querySelector('.set-preview-small .set-preview-text')).not.toBeNull()
  })
})

describe('the window around the page (weapp)', () => {
  const dark = themeFile.dark

  beforeEach(() => {
    env.TARO_ENV = 'weapp'
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'medium', theme: 'dark' })
  })

  it('a tab page colours the navigation bar, the background and the tab bar from theme.json', async () => {
    await open(<IssueListPage />)
    expect(Taro.setNavigationBarColor).toHaveBeenCalledWith({ frontColor: '#ffffff', backgroundColor: dark.navBgColor })
    expect(Taro.setBackgroundColor).toHaveBeenCalledWith({
      backgroundColor: dark.bgColor,
      backgroundColorTop: dark.bgColor,
      backgroundColorBottom: dark.bgColor,
    })
    expect(Taro.setTabBarStyle).toHaveBeenCalledWith({
      color: dark.tabColor,
      selectedColor: dark.tabSelectedColor,
      backgroundColor: dark.tabBgColor,
      borderStyle: dark.tabBorderStyle,
    })
  })

  it('a page that is not a tab leaves the tab bar alone', async () => {
    await open(<PracticeAnswersPage />)
    expect(Taro.setNavigationBarColor).toHaveBeenCalledWith({ frontColor: '#ffffff', backgroundColor: dark.navBgColor })
    expect(Taro.setTabBarStyle).not.toHaveBeenCalled()
  })

  it('colours the window again when the page shows (another page may have had other colours)', async () => {
    await open(<MePage />)
    ;(Taro.setNavigationBarColor as jest.Mock).mockClear()
    ;(Taro.setTabBarStyle as jest.Mock).mockClear()
    fire('useDidShow')
    expect(Taro.setNavigationBarColor).toHaveBeenCalledWith({ frontColor: '#ffffff', backgroundColor: dark.navBgColor })
    expect(Taro.setTabBarStyle).toHaveBeenCalledWith(expect.objectContaining({ backgroundColor: dark.tabBgColor }))
  })
})

describe('H5', () => {
  it('<html> takes the theme, so the body, title bar and tab bar follow', async () => {
    env.TARO_ENV = 'h5'
    storage.set('token', 'tok')
    act(() => setMe(me()))
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'medium', theme: 'dark' })
    await open(<NotFoundPage />)
    expect(document.documentElement.classList).toContain('theme-dark')
    expect(Taro.setBackgroundColor).not.toHaveBeenCalled()

    api.route('PUT /api/settings', answers.ok({ fontSize: 'medium', theme: 'light' }))
    await act(() => saveReaderSettings({ theme: 'light' }))
    expect(document.documentElement.classList).toContain('theme-light')
    expect(document.documentElement.classList).not.toContain('theme-dark')
  })
})
