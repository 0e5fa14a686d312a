import { useEffect, useState } from 'react'
import Taro, { useRouter, useShareAppMessage } from '@tarojs/taro'
import VipPurchase, { shareVip } from '../../../components/VipPurchase'
import { funnelSource, trackFunnel } from '../../../services/funnel'

/** Back to where the reader came from (the article's paywall), which reloads itself for the new membership. */
function backToReading() {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack({ delta: 1 }).catch(() => undefined)
}

/**
 * 开通会员, opened from an article's paywall. A page of its own rather than the 会员 tab: switchTab
 * would close the article, and after paying the reader goes back to it, unlocked. The paywall funnel
 * counts it as the plan sheet of that article, and its orders say they were bought from it. `plan`
 * is the chip the reader tapped on the paywall. Shared to a chat, it opens the 会员 tab.
 */
export default function VipBuyPage() {
  const { params } = useRouter()
  const [source] = useState(funnelSource)
  useShareAppMessage(shareVip)
  useEffect(() => {
    if (source) trackFunnel('plan_sheet', source)
  }, [source])
  return <VipPurchase onFulfilled={backToReading} source={source} plan={params.plan} />
}
