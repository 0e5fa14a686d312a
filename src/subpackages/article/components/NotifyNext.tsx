import { useEffect, useRef, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { getSubscription, subscribeNextIssue, toApiError, type SubscriptionState } from '../../../services/api'
import { requestSubscribe } from '../../../services/wechat'
import { getSession, signIn, useSession } from '../../../store/session'
import { busyButton, buttonFlag } from '../../../utils/button'
import './NotifyNext.scss'

export const NOTIFY_MESSAGES = {
  rejected: '已取消，本次不会通知你',
  banned: '已拒绝订阅，可在右上角“…”→设置→通知管理中开启',
  failed: '订阅失败，请稍后重试',
  full: '已订阅接下来多期的更新提醒，无需重复订阅',
  wechatOnly: '请使用微信登录后再订阅',
} as const

/** The server's refusals the reader can understand better than a generic failure */
const REFUSALS: Record<string, string> = {
  TOO_MANY_OPT_INS: NOTIFY_MESSAGES.full,
  WECHAT_LOGIN_REQUIRED: NOTIFY_MESSAGES.wechatOnly,
}

/** WeChat's one-time subscriptions: each 允许 lets the server send exactly one message. */
export const ONE_ACCEPT_ONE_MESSAGE = '每次“允许”对应一条通知，再点一次可多订一期'

/** What the line under the button says: how many new issues of the region the reader will hear about. */
function pendingNote(regionName: string, openOptIns: number): string {
  if (openOptIns <= 0) return `${regionName}有新一期时，通过微信服务通知提醒你`
  return openOptIns === 1 ? `已订阅：${regionName}下一期更新时通知你` : `已订阅：接下来${openOptIns}期更新时都会通知你`
}

/**
 * 通知我下一期 at the end of an article: WeChat's one-time subscribe sheet, then the server keeps the
 * opt-in and sends one message when the region's next issue is published. WeChat only opens the
 * sheet from a tap, so the template is fetched beforehand and the sheet asked for first thing in
 * the tap; signing in comes after. Hidden when the server has no template.
 */
export default function NotifyNext({ region }: { region: { code: string; name: string } }) {
  const [state, setState] = useState<SubscriptionState | null>(null)
  const [busy, setBusy] = useState(false)
  const signedIn = useSession().status === 'signed-in'
  // Only the latest answer counts: a load started by the sign-in must not undo the opt-in's count.
  const latest = useRef(0)

  useEffect(() => {
    const ticket = ++latest.current
    getSubscription(region.code).then(
      (answer) => ticket === latest.current && setState(answer),
      () => ticket === latest.current && setState(null),
    )
    return () => {
      latest.current += 1
    }
  }, [region.code, signedIn])

  if (!state?.available) return null

  const onTap = async () => {
    if (busy) return
    setBusy(true)
    try {
      const choice = await requestSubscribe(state.templateId)
      if (choice.outcome !== 'accept') {
        const message =
          choice.outcome === 'ban'
            ? NOTIFY_MESSAGES.banned
            : choice.outcome === 'reject'
              ? NOTIFY_MESSAGES.rejected
              : NOTIFY_MESSAGES.failed
        void Taro.showToast({ title: message, icon: 'none', duration: 3000 })
        return
      }
      if (getSession().status !== 'signed-in') await signIn()
      const recorded = await subscribeNextIssue(region.code, state.templateId)
      latest.current += 1
      // The button and the note under it now say 已订阅: a toast on top would say it twice.
      setState(recorded)
    } catch (error) {
      const failure = toApiError(error)
      const message =
        REFUSALS[failure.code] ??
        (failure.status === 0 || failure.status >= 500 ? NOTIFY_MESSAGES.failed : failure.message)
      void Taro.showToast({ title: message, icon: 'none', duration: 3000 })
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='notify-next'>
      <Button
        className={`notify-next-button${state.openOptIns > 0 ? ' notify-next-done' : ''}`}
        {...busyButton(busy)}
        disabled={buttonFlag(busy)}
        onClick={onTap}
      >
        {state.openOptIns > 0 ? '已订阅 ✓ 再订一期' : '通知我下一期'}
      </Button>
      <Text className='notify-next-note'>{pendingNote(region.name, state.openOptIns)}</Text>
      {state.openOptIns > 0 ? <Text className='notify-next-note'>{ONE_ACCEPT_ONE_MESSAGE}</Text> : null}
    </View>
  )
}
