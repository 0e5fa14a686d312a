import Taro from '@tarojs/taro'
import { SCENE_MOMENTS_SINGLE_PAGE } from '../constants'

function sceneOf(read: () => { scene?: number } | undefined): number | undefined {
  try {
    return read()?.scene
  } catch {
    return undefined
  }
}

/**
 * True when WeChat opened the page from Moments in single-page mode (scene 1154): there
 * is no login, no navigation and no open-type button, so the page must stand alone.
 * getEnterOptionsSync reflects a warm re-entry too; getLaunchOptionsSync covers old clients.
 */
export function isSinglePageMode(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false
  const enter = typeof Taro.getEnterOptionsSync === 'function' ? sceneOf(() => Taro.getEnterOptionsSync()) : undefined
  const scene = enter ?? sceneOf(() => Taro.getLaunchOptionsSync())
  return scene === SCENE_MOMENTS_SINGLE_PAGE
}

/** True when this page is the only one in the stack (opened from a share): offer a way home. */
export function isOnlyPage(): boolean {
  try {
    return Taro.getCurrentPages().length <= 1
  } catch {
    return false
  }
}
