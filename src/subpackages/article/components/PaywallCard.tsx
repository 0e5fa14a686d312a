import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { routes } from '../../../constants'
import type { AccessDenied } from '../../../services/api'
import { getPlatform } from '../../../services/wechat'
import { formatMonthly } from '../../../utils/format'
import './PaywallCard.scss'

export interface PaywallCardProps {
  access: AccessDenied
  /** Moments single-page mode: no navigation, no buttons; point to the full mini-program instead */
  singlePage?: boolean
  /** The console's preview: the button shows as readers see it, but buys nothing */
  preview?: boolean
}

const reasonNotes: Record<AccessDenied['reason'], string> = {
  login_required: '',
  membership_required: '',
  membership_expired: '您的VIP会员已到期，续费后可继续阅读',
}

/** Cheapest monthly price among the plans, e.g. 约¥5.6/月; empty when there are no plans. */
function cheapestMonthly(access: AccessDenied): string {
  const plans = access.paywall.plans.filter((plan) => plan.months > 0)
  if (plans.length === 0) return ''
  const best = plans.reduce((a, b) => (b.priceFen / b.months < a.priceFen / a.months ? b : a))
  return formatMonthly(best.priceFen, best.months)
}

/** Where the free part stops: the server has already cut the VIP text, this only explains why. */
export default function PaywallCard({ access, singlePage = false, preview = false }: PaywallCardProps) {
  const { paywall, reason } = access
  const note = reasonNotes[reason]
  // No price on iOS: where the rail cannot sell there, Apple's rules allow none (the purchase page says why).
  const [platform] = useState(getPlatform)
  const monthly = platform === 'ios' ? '' : cheapestMonthly(access)

  // A page over the article (not the 会员 tab, whose switchTab would close it): after paying, back here.
  const openVip = () => {
    if (preview) void Taro.showToast({ title: '预览模式，不能开通', icon: 'none' })
    else void Taro.navigateTo({ url: routes.vipBuy }).catch(() => undefined)
  }

  return (
    <View className='paywall' id='paywall'>
      <View className='paywall-fade' />
      <View className='paywall-card'>
        <View className='paywall-lock'>VIP</View>
        <Text className='paywall-title'>{paywall.title}</Text>
        <Text className='paywall-message'>{paywall.message}</Text>
        {note ? <Text className='paywall-note'>{note}</Text> : null}
        {singlePage ? (
          <Text className='paywall-hint'>请前往小程序使用完整服务</Text>
        ) : (
          <Button className='btn btn-accent paywall-button' onClick={openVip}>
            {paywall.button}
          </Button>
        )}
        {monthly && !singlePage ? <Text className='paywall-price'>会员低至{monthly}，全站栏目畅读</Text> : null}
      </View>
    </View>
  )
}
