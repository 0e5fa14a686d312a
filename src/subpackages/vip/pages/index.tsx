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
 * is the chip the reader tapped on the paywall; `from=course` says a course's card opened it (no
 * article's plan sheet, no source). Shared to a chat, it opens the 会员 tab.
 */
export default function VipBuyPage() {
  const { params } = useRouter()
  // From a course's card no issue led here, whatever article the reader had open before.
  const [source] = useState(() => (params.from === 'course' ? null : funnelSource()))
  useShareAppMessage(shareVip)
  useEffect(() => {
    if (source) trackFunnel('plan_sheet', source)
  }, [source])
  return <VipPurchase onFulfilled={backToReading} source={source} plan={params.plan} />
}
