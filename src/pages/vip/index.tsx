import { useState } from 'react'
import Taro, { usePullDownRefresh } from '@tarojs/taro'
import VipPurchase from '../../components/VipPurchase'
import { refreshMe } from '../../store/session'

/**
 * 会员 tab: the reader stays here after buying; the status at the top shows the new expiry. Pulling
 * down reloads the membership and the plans (a fresh VipPurchase asks for them anew).
 */
export default function VipPage() {
  const [round, setRound] = useState(0)
  usePullDownRefresh(() => {
    const done = () => void Taro.stopPullDownRefresh()
    setRound((n) => n + 1)
    refreshMe().then(done, done)
  })
  return <VipPurchase key={round} />
}
