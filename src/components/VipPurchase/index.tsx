import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { BRAND, routes } from '../../constants'
import { usePageTheme } from '../../hooks/usePageTheme'
import { PURCHASE_MESSAGES, usePurchase } from '../../hooks/usePurchase'
import {
  listPlans,
  toApiError,
  type ApiError,
  type Membership,
  type Order,
  type OrderSource,
  type Plan,
  type PurchaseRules,
} from '../../services/api'
import { getPlatform } from '../../services/wechat'
import { useSession } from '../../store/session'
import { formatMonthly, formatPrice, shanghaiDate } from '../../utils/format'
import ServiceContact from '../ServiceContact'
import { TextSkeleton } from '../Skeleton'
import { LoadFailed } from '../StateView'
import { busyButton, buttonFlag } from '../../utils/button'
import './index.scss'

type PlansState =
  | { status: 'loading' }
  | { status: 'ready'; plans: Plan[]; purchase: PurchaseRules }
  | { status: 'error'; error: ApiError }

export const AGREEMENT_HINT = '请先阅读并同意《VIP服务协议》'

/** 会员 shared to a chat: the plans, opened on the 会员 tab (the purchase page needs an article behind it). */
export const shareVip = () => ({ title: `${BRAND}VIP会员 · 全站栏目畅读`, path: routes.vip })

/** Benefits shared by every plan, shown once (the API lists them per plan). */
function commonBenefits(plans: Plan[]): string[] {
  if (plans.length === 0) return []
  return plans[0].benefits.filter((benefit) => plans.every((plan) => plan.benefits.includes(benefit)))
}

/** The plan picked for the reader: the one they tapped (a paywall chip), else the server's (an operator setting). */
function pickPlan(plans: Plan[], requested: string | undefined, preselected: string): string {
  const onSale = (id: string | undefined) => (id && plans.some((plan) => plan.id === id) ? id : '')
  return onSale(requested) || onSale(preselected) || (plans[0]?.id ?? '')
}

function MembershipStatus({ membership }: { membership: Membership }) {
  const date = membership.expiresAt ? shanghaiDate(membership.expiresAt) : ''
  if (membership.active) {
    return (
      <View className='vip-status vip-status-active'>
        <View className='vip-status-row'>
          <Text className='vip-status-badge'>已开通</Text>
          <Text className='vip-status-date'>{date ? `有效期至 ${date}` : '会员有效'}</Text>
        </View>
        <Text className='vip-status-note'>续费后有效期自当前到期日起顺延</Text>
      </View>
    )
  }
  if (!date) return null
  return (
    <View className='vip-status'>
      <Text className='vip-status-date'>您的会员已于 {date} 到期，续费后可继续畅读</Text>
    </View>
  )
}

function PlanCard({
  plan,
  shared,
  selected,
  onSelect,
}: {
  plan: Plan
  shared: string[]
  selected: boolean
  onSelect: () => void
}) {
  const extra = plan.benefits.filter((benefit) => !shared.includes(benefit))
  const discounted = plan.originalPriceFen !== null && plan.originalPriceFen > plan.priceFen
  return (
    <View
      className={`vip-plan${selected ? ' vip-plan-active' : ''}`}
      role='radio'
      aria-checked={selected}
      onClick={onSelect}
    >
      {discounted ? (
        <Text className='vip-plan-tag'>省{formatPrice((plan.originalPriceFen as number) - plan.priceFen)}</Text>
      ) : null}
      <Text className='vip-plan-name'>{plan.name}</Text>
      <Text className='vip-plan-price'>{formatPrice(plan.priceFen)}</Text>
      {plan.originalPriceFen !== null ? (
        <Text className='vip-plan-original'>原价{formatPrice(plan.originalPriceFen)}</Text>
      ) : (
        <Text className='vip-plan-original vip-plan-monthly'>{formatMonthly(plan.priceFen, plan.months)}</Text>
      )}
      {extra.map((benefit) => (
        <Text key={benefit} className='vip-plan-extra'>
          {benefit}
        </Text>
      ))}
    </View>
  )
}

function Benefits({ benefits }: { benefits: string[] }) {
  if (benefits.length === 0) return null
  return (
    <View className='vip-card'>
      <Text className='vip-card-title'>会员权益</Text>
      {benefits.map((benefit) => (
        <View key={benefit} className='vip-benefit'>
          <Text className='vip-benefit-mark'>✓</Text>
          <Text>{benefit}</Text>
        </View>
      ))}
    </View>
  )
}

export interface VipPurchaseProps {
  /** After a purchase was fulfilled and `me` reloaded, e.g. back to the article that sent the reader here */
  onFulfilled?: (order: Order) => void
  /** The issue (share, scene) the reader came from, sent with the order for the paywall funnel */
  source?: OrderSource | null
  /** The plan the reader chose on the paywall; otherwise the server's preselected plan */
  plan?: string
}

/**
 * 会员: plans and prices from the API, the reader's status, the VIP agreement to accept, and the
 * purchase (hooks/usePurchase.ts). Where the server says this platform may not buy (iOS on the
 * WeChat Pay rail, payments not configured), no price and no buy button: only its notice.
 * Shared by the 会员 tab and the page the paywall opens (subpackages/vip).
 */
export default function VipPurchase({ onFulfilled, source, plan: requested }: VipPurchaseProps) {
  const theme = usePageTheme()
  const [platform] = useState(getPlatform)
  const [state, setState] = useState<PlansState>({ status: 'loading' })
  const [selected, setSelected] = useState('')
  const [agreed, setAgreed] = useState(false)
  const [hint, setHint] = useState(false)
  const [attempt, setAttempt] = useState(0)
  const { me } = useSession()
  const purchase = usePurchase({
    platform,
    rail: state.status === 'ready' ? state.purchase.rail : 'xpay',
    onFulfilled,
    source,
    noticeShownInline: true,
  })

  useEffect(() => {
    let alive = true
    setState({ status: 'loading' })
    listPlans(platform).then(
      ({ items, preselected, purchase: rules }) => {
        if (!alive) return
        setState({ status: 'ready', plans: items, purchase: rules })
        setSelected((current) =>
          items.some((plan) => plan.id === current) ? current : pickPlan(items, requested, preselected),
        )
      },
      (error: unknown) => alive && setState({ status: 'error', error: toApiError(error) }),
    )
    return () => {
      alive = false
    }
  }, [attempt, platform, requested])

  const toggleAgreement = () => {
    setAgreed((value) => !value)
    if (hint) {
      setHint(false)
      // Typed void, but a promise at runtime that rejects when no toast is left to hide
      void Promise.resolve(Taro.hideToast()).catch(() => undefined)
    }
  }

  const openAgreement = () => void Taro.navigateTo({ url: routes.vipAgreement }).catch(() => undefined)

  const { phase, notice } = purchase.state
  const working = phase === 'paying' || phase === 'confirming'

  let body
  if (state.status === 'loading') {
    body = (
      <View className='vip-card vip-lead'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} title='会员方案加载失败' onRetry={() => setAttempt((n) => n + 1)} />
  } else if (!state.purchase.available) {
    // No price and no way to buy on this platform (Apple's rules on iOS): what members get, and why.
    body = (
      <View>
        <View className='vip-card vip-lead vip-unavailable' role='note'>
          <Text className='vip-unavailable-text'>{state.purchase.notice || '当前设备暂不支持开通会员'}</Text>
        </View>
        <Benefits benefits={commonBenefits(state.plans)} />
      </View>
    )
  } else {
    const shared = commonBenefits(state.plans)
    const plan = state.plans.find((item) => item.id === selected) ?? null
    const pay = () => {
      if (!plan) return
      if (!agreed) {
        setHint(true)
        void Taro.showToast({ title: AGREEMENT_HINT, icon: 'none' }).catch(() => undefined)
        return
      }
      void purchase.buy(plan)
    }
    body = (
      <View>
        <View className='vip-plans vip-lead' role='radiogroup'>
          {state.plans.map((item) => (
            <PlanCard
              key={item.id}
              plan={item}
              shared={shared}
              selected={item.id === selected}
              onSelect={() => !working && setSelected(item.id)}
            />
          ))}
        </View>
        <Benefits benefits={shared} />
        <View className='vip-buy'>
          <View className='vip-agree'>
            <View className='vip-agree-toggle' role='checkbox' aria-checked={agreed} onClick={toggleAgreement}>
              <View className={`vip-agree-box${agreed ? ' vip-agree-box-on' : ''}`}>{agreed ? '✓' : ''}</View>
              <Text>我已阅读并同意</Text>
            </View>
            <Text className='vip-agree-link' onClick={openAgreement}>
              《VIP服务协议》
            </Text>
          </View>
          {hint && !agreed ? (
            <View className='vip-hint' role='alert'>
              <Text>{AGREEMENT_HINT}</Text>
            </View>
          ) : null}
          <Button
            className='btn btn-accent vip-buy-button'
            disabled={buttonFlag(!plan || working)}
            {...busyButton(working)}
            onClick={pay}
          >
            {plan
              ? `${me?.membership.active ? '立即续费' : '立即开通'} ${formatPrice(plan.priceFen)}`
              : '请选择会员方案'}
          </Button>
          {notice ? (
            <View className='vip-notice' role='alert'>
              <Text>{notice}</Text>
            </View>
          ) : null}
          <Text className='vip-buy-note'>虚拟商品，支付成功后立即生效；到期不自动续费</Text>
        </View>
      </View>
    )
  }

  return (
    <View className={`vip ${theme}`}>
      <View className='vip-hero'>
        <Text className='vip-hero-badge'>VIP</Text>
        <Text className='vip-hero-title'>北辰遴选VIP会员</Text>
        <Text className='vip-hero-sub'>全站栏目畅读 · 手机、电脑、iPad通用</Text>
        {me ? <MembershipStatus membership={me.membership} /> : null}
      </View>
      {body}
      <ServiceContact lead='开通会员如有疑问' />

      {phase === 'confirming' ? (
        <View className='vip-mask' role='status' aria-live='polite'>
          <View className='vip-dialog'>
            <View className='vip-spinner' />
            <Text className='vip-dialog-title'>{PURCHASE_MESSAGES.confirming}</Text>
          </View>
        </View>
      ) : null}
      {phase === 'pending' ? (
        <View className='vip-mask'>
          <View className='vip-dialog' role='dialog' aria-label={PURCHASE_MESSAGES.pending}>
            <Text className='vip-dialog-title'>{PURCHASE_MESSAGES.pending}</Text>
            <Text className='vip-dialog-text'>{PURCHASE_MESSAGES.pendingNote}</Text>
            <View className='vip-dialog-actions'>
              <Button className='btn btn-ghost vip-dialog-button' onClick={purchase.dismiss}>
                稍后查看
              </Button>
              <Button className='btn btn-primary vip-dialog-button' onClick={() => void purchase.recheck()}>
                刷新
              </Button>
            </View>
          </View>
        </View>
      ) : null}
    </View>
  )
}
