import { act, fireEvent, render, screen } from '@testing-library/react'
import Taro, { useRouter } from '@tarojs/taro'
import ArticlePage from '@/subpackages/article/pages/index'
import SettingsPage from '@/subpackages/study/pages/settings'
import { READER_SETTINGS_STORAGE_KEY, resetReaderSettings } from '@/store/readerSettings'
import { resetSession, setMe } from '@/store/session'
import { answers, fakeApi, type FakeApi } from './fake-api'
import { issue, me } from './fixtures'
import { resetTaroMock, storage } from './mocks/taro'

const settle = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)))
let api: FakeApi
const taro = Taro as unknown as Record<string, jest.Mock | undefined>

async function openArticle() {
  ;(useRouter as jest.Mock).mockReturnValue({ params: { id: '32' }, path: '/subpackages/article/pages/index' })
  const view = render(<ArticlePage />)
  await settle()
  return view
}
const pageClass = (container: HTMLElement) => (container.querySelector('.art-page') as HTMLElement).className

beforeEach(() => {
  jest.clearAllMocks()
  resetTaroMock()
  resetSession()
  resetReaderSettings()
  delete taro.getAppBaseInfo
  delete taro.onThemeChange
  ;(Taro.getEnterOptionsSync as jest.Mock).mockReturnValue({ scene: 1001 })
  api = fakeApi()
  api.route('GET /api/issues/32', answers.ok(issue()))
  api.route('GET /api/favorites/32', answers.ok({ issueId: 32, favorited: false, favoritedAt: null }))
  api.route('GET /api/history/32', answers.noContent())
})

describe('reader settings', () => {
  it('the article opens in the stored settings, then in the reader’s settings from the server', async () => {
    storage.set(READER_SETTINGS_STORAGE_KEY, { fontSize: 'small', theme: 'light' })
    api.route('GET /api/settings', answers.ok({ fontSize: 'large', theme: 'dark' }))
    const signedOut = await openArticle()
    expect(pageClass(signedOut.container)).toBe('art-page art-font-small theme-light')
    expect(api.count('GET /api/settings')).toBe(0)
    signedOut.unmount()

    storage.set('token', 'tok')
    act(() => setMe(me()))
    const { container } = await openArticle()
    expect(api.count('GET /api/settings')).toBe(1)
    expect(pageClass(container)).toBe('art-page art-font-large theme-dark')
    expect(storage.get(READER_SETTINGS_STORAGE_KEY)).toEqual({ fontSize: 'large', theme: 'dark' })
  })

  it('"system" follows the phone’s dark mode, live', async () => {
    let listener: ((result: { theme: string }) => void) | null = null
    taro.getAppBaseInfo = jest.fn(() => ({ theme: 'dark' }))
    taro.onThemeChange = jest.fn((callback: (result: { theme: string }) => void) => {
      listener = callback
    })
    const { container } = await openArticle()
    expect(pageClass(container)).toBe('art-page art-font-medium theme-dark')
    act(() => listener?.({ theme: 'light' }))
    expect(pageClass(container)).toBe('art-page art-font-medium theme-light')
  })

  it('the settings page saves a change at once and turns it back when the server refuses', async () => {
    storage.set('token', 'tok')
    act(() => setMe(me()))
    api.route('GET /api/settings', answers.ok({ fontSize: 'medium', theme: 'system' }))
    api.route('PUT /api/settings', answers.ok({ fontSize: 'large', theme: 'system' }), answers.error(500, 'INTERNAL'))
    const { container } = render(<SettingsPage />)
    await settle()
    fireEvent.click(screen.getByText('大'))
    expect(container.querySelector('.set-preview-large')).not.toBeNull()
    await settle()
    expect(api.calls.find((call) => call.method === 'PUT')?.data).toEqual({ fontSize: 'large' })

    fireEvent.click(screen.getByText('深色'))
    expect(screen.getByText('深色').className).toContain('set-option-on')
    await settle()
    expect(screen.getByText('跟随系统').className).toContain('set-option-on')
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '保存失败，请稍后重试', icon: 'none' })
  })

  it('signed out: nothing is saved, the reader is asked to sign in', async () => {
    render(<SettingsPage />)
    await settle()
    fireEvent.click(screen.getByText('深色'))
    expect(api.count('PUT /api/settings')).toBe(0)
    expect(Taro.showToast).toHaveBeenLastCalledWith({ title: '登录后可保存阅读设置', icon: 'none' })
  })
})
