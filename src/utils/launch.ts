import Taro from '@tarojs/taro'
import { SCENE_MOMENTS_SINGLE_PAGE } from '../constants'

function sceneOf(read: () => { scene?: number } | undefined): number | undefined {
  try {
    return read()?.scene
  } catch {
    return undefined
  }
}

function enterOptions(): { scene?: number; path?: string; query?: Record<string, string> } | undefined {
  try {
    return typeof Taro.getEnterOptionsSync === 'function' ? Taro.getEnterOptionsSync() : Taro.getLaunchOptionsSync()
  } catch {
    return undefined
  }
}

/** Who the console's "Preview as" shows the article to */
export type PreviewPersona = 'guest' | 'reader' | 'vip' | 'moments'

/** A preview ticket (server/src/domain/preview-tickets.ts): it names its issue and its persona */
export interface Preview {
  ticket: string
  issueId: number
  persona: PreviewPersona
}

const PERSONAS: Record<string, PreviewPersona> = { g: 'guest', r: 'reader', v: 'vip', m: 'moments' }
const TICKET_RE = /^([1-9a-z][0-9a-z]{0,6})\.([grvm])[0-9a-z]{1,9}\.[A-Za-z0-9_-]{16}$/

function parseTicket(raw: string | undefined): Preview | null {
  const match = raw ? TICKET_RE.exec(raw) : null
  return match ? { ticket: raw as string, issueId: parseInt(match[1], 36), persona: PERSONAS[match[2]] } : null
}

let h5Preview: Preview | null | undefined

/**
 * The console's "Preview as" ticket, or null: on H5 the page address's `preview=` (the console's
 * frame; kept for the whole visit), on the weapp the scene of the 小程序码 that opened the article.
 * With one, the HTTP client sends it instead of a token and nobody signs in.
 */
export function previewMode(): Preview | null {
  if (process.env.TARO_ENV === 'h5') {
    if (h5Preview === undefined) {
      const match = /[?&]preview=([^&#]+)/.exec(window.location.href)
      h5Preview = parseTicket(match ? decodeURIComponent(match[1]) : undefined)
    }
    return h5Preview
  }
  if (process.env.TARO_ENV !== 'weapp') return null
  const options = enterOptions()
  const scene = options?.query?.scene
  return options?.path === 'subpackages/article/pages/index' && scene ? parseTicket(decodeURIComponent(scene)) : null
}

/**
 * True when WeChat opened the page from Moments in single-page mode (scene 1154), or the console
 * previews it so: there is no login, no navigation and no open-type button, so the page must stand
 * alone. getEnterOptionsSync reflects a warm re-entry too; getLaunchOptionsSync covers old clients.
 */
export function isSinglePageMode(): boolean {
  if (previewMode()?.persona === 'moments') return true
  if (process.env.TARO_ENV !== 'weapp') return false
  const enter = typeof Taro.getEnterOptionsSync === 'function' ? sceneOf(() => Taro.getEnterOptionsSync()) : undefined
  const scene = enter ?? sceneOf(() => Taro.getLaunchOptionsSync())
  return scene === SCENE_MOMENTS_SINGLE_PAGE
}
