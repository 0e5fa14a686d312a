import { useEffect, useState, useSyncExternalStore } from 'react'
import Taro from '@tarojs/taro'
import { getSettings, updateSettings, type ReaderSettings } from '../services/api'

/**
 * Reader settings (font size, theme, 参考作答 folded or shown), kept on the server per reader so they follow the reader to
 * every device, and in storage so an article opens in them at once, before the server answers.
 */
export const READER_SETTINGS_STORAGE_KEY = 'readerSettings'
export const DEFAULT_READER_SETTINGS: ReaderSettings = { fontSize: 'medium', theme: 'system', answers: 'folded' }

const FONT_SIZES = ['small', 'medium', 'large']
const THEMES = ['system', 'light', 'dark']

function readStored(): ReaderSettings {
  try {
    const stored = Taro.getStorageSync(READER_SETTINGS_STORAGE_KEY) as Partial<ReaderSettings> | ''
    if (stored && FONT_SIZES.includes(String(stored.fontSize)) && THEMES.includes(String(stored.theme))) {
      // Saved before 参考作答 could be shown: folded, as for everyone.
      const answers = stored.answers === 'shown' ? 'shown' : 'folded'
      return { fontSize: stored.fontSize, theme: stored.theme, answers } as ReaderSettings
    }
  } catch {
    // Storage unavailable: the defaults until the server answers.
  }
  return DEFAULT_READER_SETTINGS
}

let state: ReaderSettings | null = null
const listeners = new Set<() => void>()
let loaded: Promise<void> | null = null

export function getReaderSettings(): ReaderSettings {
  if (!state) state = readStored()
  return state
}

function setSettings(next: ReaderSettings): void {
  state = next
  try {
    Taro.setStorageSync(READER_SETTINGS_STORAGE_KEY, next)
  } catch {
    // Kept in memory until the next launch.
  }
  listeners.forEach((listener) => listener())
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

export function useReaderSettings(): ReaderSettings {
  return useSyncExternalStore(subscribe, getReaderSettings, getReaderSettings)
}

/** Takes the signed-in reader's settings from the server, once per launch (again after a failure). */
export function loadReaderSettings(): Promise<void> {
  if (!loaded) {
    loaded = getSettings().then(setSettings, () => {
      loaded = null
    })
  }
  return loaded
}

/** Applies a change at once and saves it; turns back and rejects when the server refuses it. */
export function saveReaderSettings(change: Partial<ReaderSettings>): Promise<void> {
  const before = getReaderSettings()
  setSettings({ ...before, ...change })
  return updateSettings(change).then(setSettings, (error: unknown) => {
    setSettings(before)
    throw error
  })
}

/** For tests and sign-out: back to the defaults, nothing loaded. */
export function resetReaderSettings(): void {
  state = null
  loaded = null
}

function systemTheme(): 'light' | 'dark' {
  try {
    const info = (Taro.getAppBaseInfo ? Taro.getAppBaseInfo() : Taro.getSystemInfoSync()) as { theme?: string }
    return info?.theme === 'dark' ? 'dark' : 'light'
  } catch {
    return 'light'
  }
}

/** The theme to show: the reader's choice, or the phone's dark mode (followed live) for 'system'. */
export function useEffectiveTheme(): 'light' | 'dark' {
  const { theme } = useReaderSettings()
  const [system, setSystem] = useState(systemTheme)
  useEffect(() => {
    if (theme !== 'system' || typeof Taro.onThemeChange !== 'function') return
    const listener = (result: { theme: string }) => setSystem(result.theme === 'dark' ? 'dark' : 'light')
    Taro.onThemeChange(listener)
    return () => Taro.offThemeChange?.(listener)
  }, [theme])
  return theme === 'dark' || theme === 'light' ? theme : system
}
