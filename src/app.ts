import type { PropsWithChildren } from 'react'
import Taro, { useLaunch, usePageNotFound } from '@tarojs/taro'
import { routes } from './constants'
import { watchPrivacyAuthorization } from './services/privacy'
import { watchForUpdates } from './services/wechat'
import { startSession } from './store/session'
import './app.scss'

/**
 * The app shell: each page renders itself. At launch the reader is signed in silently (not in
 * Moments single-page mode) and WeChat's privacy consent requests are routed to our popup. An
 * address that names no page (an old link, a mistyped H5 URL) lands on 页面不存在 instead of a
 * blank screen.
 */
function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    watchPrivacyAuthorization()
    watchForUpdates()
    startSession()
  })
  usePageNotFound(() => void Taro.redirectTo({ url: routes.notFound }).catch(() => undefined))
  return children
}

export default App
