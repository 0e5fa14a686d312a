import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import { TextSkeleton } from '../../components/Skeleton'
import StateView from '../../components/StateView'
import { SERVICE_PHONE } from '../../constants'
import { listPlans, toApiError, type ApiError, type Plan } from '../../services/api'
import { formatMonthly, formatPrice } from '../../utils/format'
import './index.scss'

type PlansState = { status: 'loading' } | { status: 'ready'; plans: Plan[] } | { status: 'error'; error: ApiError }

/** Benefits shared by every plan, shown once above the plans (the API lists them per plan). */
function commonBenefits(plans: Plan[]): string[] {
  if (plans.length === 0) return []
  return plans[0].benefits.filter((benefit) => plans.every((plan) => plan.benefits.includes(benefit)))
}

/** Read-only for now: plans and prices from the API; buying opens with the payment issue. */
export default function VipPage() {
  const [state, setState] = useState<PlansState>({ status: 'loading' })
  const [selected, setSelected] = useState<string>('')
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    let alive = true
    setState({ status: 'loading' })
    listPlans().then(
      ({ items }) => {
        if (!alive) return
        setState({ status: 'ready', plans: items })
        setSelected(
          (current) => current || (items.find((plan) => plan.originalPriceFen !== null) ?? items[0])?.id || '',
        )
      },
      (error: unknown) => alive && setState({ status: 'error', error: toApiError(error) }),
    )
    return () => {
      alive = false
    }
  }, [attempt])

  let body
  if (state.status === 'loading') {
    body = (
      <View className='vip-card'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = (
      <StateView
        kind={state.error.isOffline ? 'offline' : 'error'}
        title='会员方案加载失败'
        description={state.error.message}
        actionText='重新加载'
        onAction={() => setAttempt((n) => n + 1)}
      />
    )
  } else {
    const shared = commonBenefits(state.plans)
    body = (
      <View>
        <View className='vip-plans'>
          {state.plans.map((plan) => {
            const extra = plan.benefits.filter((benefit) => !shared.includes(benefit))
            return (
              <View
                key={plan.id}
                className={`vip-plan${plan.id === selected ? ' vip-plan-active' : ''}`}
                onClick={() => setSelected(plan.id)}
              >
                {plan.originalPriceFen !== null && plan.originalPriceFen > plan.priceFen ? (
                  <Text className='vip-plan-tag'>省{formatPrice(plan.originalPriceFen - plan.priceFen)}</Text>
                ) : null}
                <Text className='vip-plan-name'>{plan.name}</Text>
                <Text className='vip-plan-price'>{formatPrice(plan.priceFen)}</Text>
                {plan.originalPriceFen !== null ? (
                  <Text className='vip-plan-original'>原价{formatPrice(plan.originalPriceFen)}</Text>
                ) : (
                  <Text className='vip-plan-original vip-plan-monthly'>
                    {formatMonthly(plan.priceFen, plan.months)}
                  </Text>
                )}
                {extra.map((benefit) => (
                  <Text key={benefit} className='vip-plan-extra'>
                    {benefit}
                  </Text>
                ))}
              </View>
            )
          })}
        </View>
        {shared.length > 0 ? (
          <View className='vip-card'>
            <Text className='vip-card-title'>会员权益</Text>
            {shared.map((benefit) => (
              <View key={benefit} className='vip-benefit'>
                <Text className='vip-benefit-mark'>✓</Text>
                <Text>{benefit}</Text>
              </View>
            ))}
          </View>
        ) : null}
        <View className='vip-buy'>
          <Button className='btn btn-accent vip-buy-button' disabled>
            即将开放
          </Button>
          <Text className='vip-buy-note'>小程序内购买即将开放，敬请期待</Text>
        </View>
      </View>
    )
  }

  return (
    <View className='vip'>
      <View className='vip-hero'>
        <Text className='vip-hero-badge'>VIP</Text>
        <Text className='vip-hero-title'>北辰遴选VIP会员</Text>
        <Text className='vip-hero-sub'>全站栏目畅读 · 手机、电脑、iPad通用</Text>
      </View>
      {body}
      <Text className='vip-service'>如有疑问请致电客服 {SERVICE_PHONE}</Text>
    </View>
  )
}
