import Taro from '@tarojs/taro'
import VipPurchase from '../../../components/VipPurchase'

/** Back to where the reader came from (the article's paywall), which reloads itself for the new membership. */
function backToReading() {
  if (Taro.getCurrentPages().length > 1) void Taro.navigateBack({ delta: 1 }).catch(() => undefined)
}

/**
 * 开通会员, opened from an article's paywall. A page of its own rather than the 会员 tab: switchTab
 * would close the article, and after paying the reader goes back to it, unlocked.
 */
export default function VipBuyPage() {
  return <VipPurchase onFulfilled={backToReading} />
}
