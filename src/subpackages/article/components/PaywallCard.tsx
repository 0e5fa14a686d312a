import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import ServiceContact from '../../../components/ServiceContact'
import { routes } from '../../../constants'
import type { AccessDenied, Paywall, Plan } from '../../../services/api'
import { getPlatform } from '../../../services/wechat'
import { formatMonthly, formatPrice } from '../../../utils/format'
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

/** 本期VIP内容：三、实战应用（续） · 1道例题+参考作答; empty when the server named nothing. */
export function lockedLine({ sections, questions, answers }: Paywall['locked']): string {
  const parts = sections.length > 0 ? [sections.join('、')] : []
  if (questions > 0) parts.push(`${questions}道例题${answers > 0 ? '+参考作答' : ''}`)
  return parts.length > 0 ? `本期VIP内容：${parts.join(' · ')}` : ''
}

function PlanChip({ plan, selected, onOpen }: { plan: Plan; selected: boolean; onOpen: () => void }) {
  return (
    <View
      className={`paywall-chip${selected ? ' paywall-chip-on' : ''}`}
      role='link'
      aria-label={`${plan.name} ${formatPrice(plan.priceFen)}`}
      onClick={onOpen}
    >
      <Text className='paywall-chip-name'>{plan.name}</Text>
      <Text className='paywall-chip-price'>{formatPrice(plan.priceFen)}</Text>
      <Text className='paywall-chip-monthly'>{formatMonthly(plan.priceFen, plan.months)}</Text>
    </View>
  )
}

/**
 * Where the free part stops: the server has already cut the VIP text, this only explains why. Its
 * copy and the plan to preselect are the operator's (console 设置); what is locked is named by the
 * server from headings and counts only.
 */
export default function PaywallCard({ access, singlePage = false, preview = false }: PaywallCardProps) {
  const { paywall, reason } = access
  const note = reasonNotes[reason]
  const locked = lockedLine(paywall.locked)
  // No price on iOS: where the rail cannot sell there, Apple's rules allow none (the purchase page says why).
  const [platform] = useState(getPlatform)
  const plans = platform === 'ios' || singlePage ? [] : paywall.plans.filter((plan) => plan.months > 0)

  // A page over the article (not the 会员 tab, whose switchTab would close it): after paying, back here.
  const openVip = (plan?: string) => {
    if (preview) void Taro.showToast({ title: '预览模式，不能开通', icon: 'none' })
    else {
      const url = plan ? `${routes.vipBuy}?plan=${encodeURIComponent(plan)}` : routes.vipBuy
      void Taro.navigateTo({ url }).catch(() => undefined)
    }
  }

  return (
    <View className='paywall' id='paywall'>
      <View className='paywall-fade' />
      <View className='paywall-card'>
        <View className='paywall-lock'>VIP</View>
        <Text className='paywall-title'>{paywall.title}</Text>
        <Text className='paywall-message'>{paywall.message}</Text>
        {note ? <Text className='paywall-note'>{note}</Text> : null}
        {locked ? <Text className='paywall-locked'>{locked}</Text> : null}
        {singlePage ? (
          <Text className='paywall-hint'>请前往小程序使用完整服务</Text>
        ) : (
          <View>
            {plans.length > 0 ? (
              <View className='paywall-chips'>
                {plans.map((plan) => (
                  <PlanChip
                    key={plan.id}
                    plan={plan}
                    selected={plan.id === paywall.preselectedPlan}
                    onOpen={() => openVip(plan.id)}
                  />
                ))}
              </View>
            ) : null}
            <Button className='btn btn-accent paywall-button' onClick={() => openVip()}>
              {paywall.button}
            </Button>
            <Text className='paywall-unlock'>开通后立即解锁本篇</Text>
          </View>
        )}
      </View>
      {singlePage || preview ? null : <ServiceContact lead='开通会员如有疑问' />}
    </View>
  )
}
