import { useEffect, useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import ServiceContact from '../../../components/ServiceContact'
import { routes } from '../../../constants'
import { PURCHASE_MESSAGES, usePurchase } from '../../../hooks/usePurchase'
import {
  isApiError,
  listPlans,
  type CourseDetail,
  type Lesson,
  type LessonLock,
  type PurchaseRules,
} from '../../../services/api'
import { createCourseOrder } from '../../../services/api/courses'
import { getPlatform } from '../../../services/wechat'
import { busyButton, buttonFlag } from '../../../utils/button'
import { coursePrice, lessonNumber } from '../course'
import './CoursePaywall.scss'

export interface CoursePaywallProps {
  course: CourseDetail
  lesson: Lesson
  lockedBy: LessonLock
  /** The server's words when it refused to play the lesson; '' for the card's own */
  message: string
  /** The course was bought (the server fulfilled the order): reload it, play the lesson */
  onBought: () => void
}

/**
 * 开通会员 opens the purchase page over the course (not the 会员 tab): after paying, the reader is back
 * here. `from=course`: the paywall funnel does not count it for the article read last.
 */
const openVip = () => void Taro.navigateTo({ url: `${routes.vipBuy}?from=course` }).catch(() => undefined)

/** Whether this platform may buy and on which rail (GET /api/plans): courses are sold on the VIP rail */
function usePurchaseRules(wanted: boolean): PurchaseRules | null {
  const [rules, setRules] = useState<PurchaseRules | null>(null)
  useEffect(() => {
    if (!wanted) return
    let alive = true
    listPlans(getPlatform()).then(
      ({ purchase }) => alive && setRules(purchase),
      // Unknown: the button stays, and the server says what it refuses.
      () => alive && setRules({ rail: 'xpay', available: true, notice: '' }),
    )
    return () => {
      alive = false
    }
  }, [wanted])
  return rules
}

function BuyCourse({ course, onBought }: Pick<CoursePaywallProps, 'course' | 'onBought'>) {
  const rules = usePurchaseRules(true)
  const [platform] = useState(getPlatform)
  const purchase = usePurchase({
    platform,
    rail: rules?.rail ?? 'xpay',
    noticeShownInline: true,
    onFulfilled: onBought,
  })
  const { phase, notice } = purchase.state
  const busy = phase === 'paying' || phase === 'confirming'
  const { label, original } = coursePrice(course)

  if (rules && !rules.available) {
    // No price and no way to buy here (Apple's rules on iOS): only the server's notice.
    return <Text className='course-paywall-note'>{rules.notice || '当前设备暂不支持购买课程'}</Text>
  }
  // Bought already (another phone, a double tap's twin): the server says so, and the course reloads unlocked.
  const buy = () =>
    void purchase.buyWith(`course-${course.id}`, (requestKey) =>
      createCourseOrder({ courseId: course.id, platform, requestKey }).catch((error: unknown) => {
        if (isApiError(error) && error.code === 'COURSE_OWNED') onBought()
        throw error
      }),
    )
  return (
    <View>
      <View className='course-paywall-price'>
        <Text className='course-paywall-amount'>{label}</Text>
        {original ? <Text className='course-paywall-original'>原价{original}</Text> : null}
      </View>
      <Button
        className='btn btn-accent course-paywall-button'
        disabled={buttonFlag(!rules || busy || phase === 'pending')}
        {...busyButton(busy)}
        onClick={buy}
      >
        {phase === 'confirming' ? PURCHASE_MESSAGES.confirming : `购买本课程 ${label}`}
      </Button>
      {notice ? (
        <View className='course-paywall-error' role='alert'>
          {notice}
        </View>
      ) : null}
      {phase === 'pending' ? (
        <View className='course-paywall-pending' role='status'>
          <Text className='course-paywall-note'>
            {PURCHASE_MESSAGES.pending}：如已完成支付，课程将在确认后解锁，无需重复购买
          </Text>
          <Button className='btn btn-ghost course-paywall-button' onClick={() => void purchase.recheck()}>
            刷新支付结果
          </Button>
        </View>
      ) : null}
      <Text className='course-paywall-unlock'>购买后全部{course.lessonCount}节永久解锁</Text>
    </View>
  )
}

/**
 * In place of the player, for a lesson this reader may not play: 本课为VIP专享 with 开通会员, or the
 * course's price with 购买本课程 (usePurchase, signing in first). The server decided what is locked;
 * no URL of the lesson was asked for. Customer service below, as on the article's paywall.
 */
export default function CoursePaywall({ course, lesson, lockedBy, message, onBought }: CoursePaywallProps) {
  const vip = lockedBy === 'vip'
  return (
    <View className='course-paywall' id='paywall'>
      <View className='course-paywall-card'>
        <Text className='course-paywall-lesson'>
          {lessonNumber(lesson)} · {lesson.title}
        </Text>
        <View className={vip ? 'course-paywall-mark' : 'course-paywall-mark course-paywall-mark-sale'}>
          {vip ? 'VIP' : '付费课程'}
        </View>
        <Text className='course-paywall-title'>{vip ? '本课为VIP专享' : '购买后即可观看本课'}</Text>
        <Text className='course-paywall-message'>
          {message ||
            (vip ? '开通北辰遴选VIP会员，全部VIP课程与热点精讲畅学' : `《${course.title}》单独售卖，VIP会员不含本课程`)}
        </Text>
        {vip ? (
          <View>
            <Button className='btn btn-accent course-paywall-button' onClick={openVip}>
              开通会员
            </Button>
            <Text className='course-paywall-unlock'>开通后返回即可继续学习</Text>
          </View>
        ) : (
          <BuyCourse course={course} onBought={onBought} />
        )}
      </View>
      <ServiceContact topic={`课程咨询 ${course.title}`} lead={vip ? '开通会员如有疑问' : '购买课程如有疑问'} />
    </View>
  )
}
