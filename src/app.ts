import type { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'
import { watchPrivacyAuthorization } from './services/privacy'
import { startSession } from './store/session'
import './app.scss'

/**
 * The app shell: each page renders itself. At launch the reader is signed in silently (not in
 * Moments single-page mode) and WeChat's privacy consent requests are routed to our popup.
 */
function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    watchPrivacyAuthorization()
    startSession()
  })
  return children
}

export default App
