import { useState } from 'react'
import Taro, { usePullDownRefresh, useShareAppMessage } from '@tarojs/taro'
import VipPurchase, { shareVip } from '../../components/VipPurchase'
import { useTabBarTheme } from '../../hooks/usePageTheme'
import { refreshMe } from '../../store/session'

/**
 * 会员 tab: the reader stays here after buying; the status at the top shows the new expiry. Pulling
 * down reloads the membership and the plans (a fresh VipPurchase asks for them anew). Shared to a
 * chat, it opens this tab.
 */
export default function VipPage() {
  const [round, setRound] = useState(0)
  useShareAppMessage(shareVip)
  useTabBarTheme()
  usePullDownRefresh(() => {
    const done = () => void Taro.stopPullDownRefresh()
    setRound((n) => n + 1)
    refreshMe().then(done, done)
  })
  return <VipPurchase key={round} />
}
