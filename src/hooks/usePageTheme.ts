import { useEffect } from 'react'
import Taro, { useDidShow } from '@tarojs/taro'
import themeFile from '../theme.json'
import { useEffectiveTheme } from '../store/readerSettings'

/**
 * Every page in the reader's theme (阅读设置: 浅色, 深色 or 跟随系统). The page's root view takes the
 * returned class (.theme-light / .theme-dark, the palettes in app.scss); the window around it —
 * navigation bar, the background behind an over-scroll, the tab bar — takes the colours of
 * theme.json, the file WeChat itself reads for 跟随系统 before any page runs. In H5, <html> takes
 * the class too, so the body below a short page, Taro's title bar and tab bar follow.
 */
export type ThemeName = 'light' | 'dark'
type WindowColours = (typeof themeFile)['light']
const WINDOW: Record<ThemeName, WindowColours> = themeFile

/**
 * Calls a window API where this platform has it; a refusal (no tab bar on this page, an old base
 * library) leaves the configured colours. Each API is named as Taro.name: the H5 build keeps only
 * the APIs it sees named so.
 */
function attempt(api: unknown, call: () => unknown): void {
  if (typeof api !== 'function') return
  try {
    void Promise.resolve(call()).catch(() => undefined)
  } catch {
    // Not supported here: the window keeps its configured colours.
  }
}

function applyWindow(theme: ThemeName): void {
  const colours = WINDOW[theme]
  const navigationBar = {
    frontColor: colours.navTextStyle === 'white' ? '#ffffff' : '#000000',
    backgroundColor: colours.navBgColor,
  }
  if (process.env.TARO_ENV === 'h5') {
    const root = document.documentElement
    root.classList.toggle('theme-dark', theme === 'dark')
    root.classList.toggle('theme-light', theme === 'light')
    // Taro's H5 router paints the title bar from the page's config right after the page's onShow,
    // so ours comes after it; its setNavigationBarColor adds a theme-color <meta> each time: keep one.
    setTimeout(() => {
      document.querySelectorAll('meta[name="theme-color"]').forEach((meta) => meta.remove())
      attempt(Taro.setNavigationBarColor, () => Taro.setNavigationBarColor(navigationBar))
    }, 0)
    return
  }
  const background = colours.bgColor
  attempt(Taro.setBackgroundColor, () =>
    Taro.setBackgroundColor({
      backgroundColor: background,
      backgroundColorTop: background,
      backgroundColorBottom: background,
    }),
  )
  attempt(Taro.setBackgroundTextStyle, () =>
    Taro.setBackgroundTextStyle({ textStyle: colours.bgTextStyle as 'dark' | 'light' }),
  )
  attempt(Taro.setNavigationBarColor, () => Taro.setNavigationBarColor(navigationBar))
}

/**
 * The theme class for a page's root view; colours the window around it, when the page shows and
 * whenever the theme changes (a change made in 阅读设置 reaches the pages under it at once).
 */
export function usePageTheme(): string {
  const theme = useEffectiveTheme()
  useEffect(() => applyWindow(theme), [theme])
  useDidShow(() => applyWindow(theme))
  return `theme-${theme}`
}

function applyTabBar(theme: ThemeName): void {
  const colours = WINDOW[theme]
  attempt(Taro.setTabBarStyle, () =>
    Taro.setTabBarStyle({
      color: colours.tabColor,
      selectedColor: colours.tabSelectedColor,
      backgroundColor: colours.tabBgColor,
      borderStyle: colours.tabBorderStyle as 'black' | 'white',
    }),
  )
}

/** On a tab page (首页, 会员, 我的): the tab bar in the theme too. */
export function useTabBarTheme(): void {
  const theme = useEffectiveTheme()
  useEffect(() => applyTabBar(theme), [theme])
  useDidShow(() => applyTabBar(theme))
}
