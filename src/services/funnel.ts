import Taro from '@tarojs/taro'
import { previewMode } from '../utils/launch'
import { request } from './api/http'

/**
 * The paywall funnel's reporter (docs/funnel.md): article opened, paywall reached and plan page opened,
 * queued and sent in batches to POST /api/events under an anonymous key kept in storage. No token goes
 * with them: the server never joins them with an account. A failed send is dropped; reading comes first.
 */
export type FunnelStep = 'opened' | 'paywall' | 'plan_sheet'

/** The issue the reader is on, and how they got there (the share code and WeChat's launch scene) */
export interface FunnelSource {
  issueId: number
  share?: string
  scene?: number
}

const VIEWER_KEY = 'funnel_viewer'
const FLUSH_AFTER_MS = 5000
const MAX_QUEUED = 20

let queue: (FunnelSource & { step: FunnelStep; at: number })[] = []
let timer: ReturnType<typeof setTimeout> | null = null
let current: FunnelSource | null = null
let viewer = ''
let hooked = false

function viewerKey(): string {
  if (viewer) return viewer
  try {
    viewer = String(Taro.getStorageSync(VIEWER_KEY) || '')
  } catch {
    viewer = ''
  }
  if (!/^[\w-]{16,64}$/.test(viewer)) {
    viewer = `v${Date.now().toString(36)}${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`
    try {
      Taro.setStorageSync(VIEWER_KEY, viewer)
    } catch {
      // Storage full: this launch keeps the key in memory.
    }
  }
  return viewer
}

/** Sends what is queued now (also when the app is hidden). */
export function flushFunnel(): void {
  if (timer) clearTimeout(timer)
  timer = null
  if (queue.length === 0) return
  const events = queue
  queue = []
  request<void>('/api/events', { method: 'POST', data: { viewer: viewerKey(), events }, auth: false }).catch(
    () => undefined,
  )
}

/** Queues one step (none in the console's preview); an `opened` also makes `source` the issue the reader is on. */
export function trackFunnel(step: FunnelStep, source: FunnelSource): void {
  // The console's preview is an operator looking, not a reader: it writes nothing.
  if (previewMode()) return
  if (step === 'opened') current = source
  if (!hooked && typeof Taro.onAppHide === 'function') {
    hooked = true
    Taro.onAppHide(flushFunnel)
  }
  queue.push({ ...source, step, at: Date.now() })
  if (queue.length >= MAX_QUEUED) flushFunnel()
  else timer ??= setTimeout(flushFunnel, FLUSH_AFTER_MS)
}

/** The issue (share, scene) of the last article opened: the plan page and its orders say they came from it. */
export function funnelSource(): FunnelSource | null {
  return current
}

/** Forgets the queue, the current issue and the key read from storage; for tests. */
export function resetFunnel(): void {
  if (timer) clearTimeout(timer)
  timer = null
  queue = []
  current = null
  viewer = ''
}
