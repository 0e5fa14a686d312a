import { useCallback, useEffect, useRef, useState } from 'react'
import Taro from '@tarojs/taro'
import {
  cancelOrder,
  createOrder,
  getOrder,
  isApiError,
  resumePayment,
  toApiError,
  type CreateOrderResult,
  type Order,
  type OrderSource,
  type PaymentRail,
  type Plan,
  type Platform,
} from '../services/api'
import { requestPayment, requestVirtualPayment, type PaymentResult } from '../services/wechat'
import { hasSession, refreshLogin, refreshMe, signIn } from '../store/session'

/**
 * - `idle`: nothing under way (`notice` may say how the last attempt ended);
 * - `paying`: signing in, creating the order, or WeChat's payment sheet is open;
 * - `confirming`: the sheet said ok; the server is asked until the order is fulfilled;
 * - `pending`: it did not say so in time: the payment may still arrive (the reader can ask again).
 */
export type PurchasePhase = 'idle' | 'paying' | 'confirming' | 'pending'

export interface PurchaseState {
  phase: PurchasePhase
  /** The order being paid or confirmed; null when idle */
  order: Order | null
  /** How the last attempt ended, for the reader: 已取消支付, 支付失败，请重试, a server message; '' when fine */
  notice: string
}

export interface UsePurchaseOptions {
  platform: Platform
  /** The rail the server sells on (GET /api/plans): xpay signs with the session_key, so it needs a fresh sign-in */
  rail: PaymentRail
  /** After the server fulfilled the order (a goods order: paid, 待发货) and `me` was reloaded */
  onFulfilled?: (order: Order) => void
  /** Where the reader came from (the paywall funnel): sent with the order, never changes the price */
  source?: OrderSource | null
  /** How often the order is read while confirming (1 s) */
  pollIntervalMs?: number
  /** How long confirming lasts before the reader is told the result is still on its way (15 s) */
  pollTimeoutMs?: number
  /** The caller shows `state.notice` on the page: a toast would say the same thing twice */
  noticeShownInline?: boolean
}

export interface PurchaseFlow {
  state: PurchaseState
  /** Buys the plan; a tap while an attempt is under way does nothing */
  buy: (plan: Plan) => Promise<void>
  /**
   * Buys with another order request (the store's POST /api/store/orders, a course's POST
   * /api/courses/:id/orders): `attempt` names the purchase, so an unanswered attempt's next tap sends
   * the same requestKey; a goods order is done once paid (待发货), a course once fulfilled
   */
  buyWith: (attempt: string, create: (requestKey: string) => Promise<CreateOrderResult>) => Promise<void>
  /** 继续支付: pays a pending order of the reader's again (same order, same price) */
  resume: (order: Order) => Promise<void>
  /** In `pending`: asks the server again */
  recheck: () => Promise<void>
  /** In `pending`: closes the notice; the order is still confirmed by the server when the payment arrives */
  dismiss: () => void
}

export const PURCHASE_MESSAGES = {
  success: '开通成功',
  goodsSuccess: '支付成功',
  courseSuccess: '购买成功',
  confirming: '正在确认支付结果…',
  pending: '支付结果确认中',
  pendingNote: '如已完成支付，会员将在确认后自动开通，无需重复购买；可稍后在“我的订单”中查看',
  notPayable: '订单已失效，请重新购买',
  closed: '订单已关闭，如已扣款将原路退回，请联系客服',
} as const

/** What the toast says once the server fulfilled the order */
const SUCCESS = { vip: 'success', goods: 'goodsSuccess', course: 'courseSuccess' } as const

/** What the reader waits for: a membership or a course is fulfilled; a parcel is paid (待发货), shipping comes later */
export function isSettled(order: Order): boolean {
  if (order.kind === 'goods') return order.status === 'paid' || order.status === 'fulfilled'
  return order.status === 'fulfilled'
}

/**
 * What the H5 stand-in cashier shows for the order: the plan, 图书商品 for goods, 课程·<title> for a
 * course (WeChat's own sheet shows the payee)
 */
export function orderTitle({ kind, planName, course }: Order): string {
  if (course) return `课程·${course.title}`
  return kind === 'goods' ? planName : `北辰遴选VIP会员·${planName}`
}

/** Orders that will never be fulfilled */
const ENDED = new Set(['closed', 'refunding', 'refunded'])

const IDLE: PurchaseState = { phase: 'idle', order: null, notice: '' }

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

const toast = (title: string, icon: 'none' | 'success' = 'none') =>
  void Taro.showToast({ title, icon, duration: 2000 }).catch(() => undefined)

/** 8–64 of [A-Za-z0-9_-] (the server's requestKey): time and randomness, unique per attempt. */
export function newRequestKey(): string {
  let random = ''
  while (random.length < 16) random += Math.random().toString(36).slice(2)
  return `rk_${Date.now().toString(36)}_${random.slice(0, 16)}`
}

/** True when a sign-in was needed (and done): its session_key is fresh already. */
export async function ensureSignedIn(): Promise<boolean> {
  if (hasSession()) return false
  await signIn()
  return true
}

/** WeChat's sheet for an order the server prepared (the rail it chose), titled for the H5 stand-in cashier. */
export function payWith(created: CreateOrderResult, title: string): Promise<PaymentResult> {
  const { order, payment } = created
  const sheet = { amountFen: order.amountFen, title }
  if (!payment) throw new Error('the order has nothing to pay with')
  return payment.rail === 'xpay' ? requestVirtualPayment(payment.xpay, sheet) : requestPayment(payment.wechatpay, sheet)
}

/** How waiting for the server's word on a paid order ended ('gone': the caller went away first). */
export type OrderWait =
  { outcome: 'done'; order: Order } | { outcome: 'ended'; order: Order } | { outcome: 'timeout' } | { outcome: 'gone' }

export interface OrderWaitOptions {
  /** The status the caller waits for: fulfilled for a membership, paid (待发货) for goods */
  done: (order: Order) => boolean
  intervalMs: number
  timeoutMs: number
  /** False once the caller is gone: stop asking */
  alive: () => boolean
}

/** Reads the order until the server says it is done, it ended (closed, refunded), or time is up. */
export async function waitForOrder(orderId: number, options: OrderWaitOptions): Promise<OrderWait> {
  const { done, intervalMs, timeoutMs, alive } = options
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let current: Order | null = null
    try {
      current = await getOrder(orderId)
    } catch {
      // Offline for a moment, or the server is busy: ask again on the next round.
    }
    if (!alive()) return { outcome: 'gone' }
    if (current && done(current)) return { outcome: 'done', order: current }
    if (current && ENDED.has(current.status)) return { outcome: 'ended', order: current }
    if (Date.now() + intervalMs > deadline) return { outcome: 'timeout' }
    await sleep(intervalMs)
    if (!alive()) return { outcome: 'gone' }
  }
}

/**
 * Buying a VIP plan, from the tap to the server's word that it was fulfilled (the client's
 * success callback proves nothing: docs/wechat.md, docs/payments.md). One attempt at a time, one requestKey per attempt
 * (kept for the next tap when order creation got no answer, so a retry cannot make a second order).
 */
export function usePurchase(options: UsePurchaseOptions): PurchaseFlow {
  const [state, setState] = useState<PurchaseState>(IDLE)
  const latest = useRef(options)
  latest.current = options
  const busy = useRef(false)
  const alive = useRef(true)
  /** The key of an attempt whose order request got no answer, for the same purchase's next tap */
  const unanswered = useRef<{ attempt: string; key: string } | null>(null)

  useEffect(() => {
    alive.current = true
    return () => {
      alive.current = false
    }
  }, [])

  const update = (next: PurchaseState) => {
    if (alive.current) setState(next)
  }

  const fulfilled = async (order: Order) => {
    await refreshMe().catch(() => undefined)
    busy.current = false
    update(IDLE)
    toast(PURCHASE_MESSAGES[SUCCESS[order.kind]], 'success')
    if (alive.current) latest.current.onFulfilled?.(order)
  }

  /** Reads the order until the server says fulfilled, it ended, or time is up. */
  const confirm = async (order: Order) => {
    const { pollIntervalMs = 1_000, pollTimeoutMs = 15_000 } = latest.current
    busy.current = true
    update({ phase: 'confirming', order, notice: '' })
    const wait = await waitForOrder(order.id, {
      done: isSettled,
      intervalMs: pollIntervalMs,
      timeoutMs: pollTimeoutMs,
      alive: () => alive.current,
    })
    if (wait.outcome === 'gone') return
    if (wait.outcome === 'done') return fulfilled(wait.order)
    busy.current = false
    if (wait.outcome === 'ended') update({ phase: 'idle', order: null, notice: PURCHASE_MESSAGES.closed })
    else update({ phase: 'pending', order, notice: '' })
  }

  const fail = (notice: string) => {
    busy.current = false
    update({ phase: 'idle', order: null, notice })
    if (notice && !latest.current.noticeShownInline) toast(notice)
  }

  /** WeChat's sheet for an order the server prepared, then the server's word on it. */
  const payAndConfirm = async (created: CreateOrderResult) => {
    const { order, payment } = created
    if (!payment) {
      // Paid already (a double tap's twin went through), or no longer payable.
      if (order.status === 'paid' || order.status === 'fulfilled') return confirm(order)
      return fail(PURCHASE_MESSAGES.notPayable)
    }
    update({ phase: 'paying', order, notice: '' })
    const result = await payWith(created, orderTitle(order))
    if (!alive.current) return
    if (result.outcome === 'ok') return confirm(order)
    // A payment that did not go through closes its order (the server asks WeChat first, so one
    // that did is kept): no 待支付 order is left behind; the next tap starts a fresh one.
    cancelOrder(order.id).catch(() => undefined)
    fail(result.message)
  }

  /** One attempt: a key (the unanswered one for the same purchase), the order, WeChat's sheet, the server's word. */
  const start = async (
    attempt: string,
    freshLogin: boolean,
    create: (requestKey: string) => Promise<CreateOrderResult>,
  ) => {
    if (busy.current) return
    busy.current = true
    const requestKey = unanswered.current?.attempt === attempt ? unanswered.current.key : newRequestKey()
    unanswered.current = null
    update({ phase: 'paying', order: null, notice: '' })

    let created: CreateOrderResult
    try {
      const justSignedIn = await ensureSignedIn()
      // xpay's `signature` is made with the session_key of the reader's latest wx.login.
      if (freshLogin && !justSignedIn) await refreshLogin()
      try {
        created = await create(requestKey)
      } catch (error) {
        if (!isApiError(error) || error.code !== 'LOGIN_REQUIRED_FOR_PAYMENT') throw error
        // The server holds no session_key for this reader: sign in again, then the same order.
        await refreshLogin()
        created = await create(requestKey)
      }
    } catch (error) {
      const apiError = toApiError(error)
      if (apiError.isOffline) unanswered.current = { attempt, key: requestKey }
      return fail(apiError.message)
    }

    await payAndConfirm(created)
  }

  const buy = useCallback((plan: Plan) => {
    const { platform, rail, source } = latest.current
    return start(`plan:${plan.id}`, rail === 'xpay', (requestKey) =>
      createOrder({ planId: plan.id, platform, requestKey, ...(source ? { source } : {}) }),
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reads options through `latest`
  }, [])

  // The caller's rail: goods are paid with WeChat Pay JSAPI whatever the VIP rail is (no session_key
  // needed); a course sold alone is paid on the VIP rail, so xpay needs a fresh sign-in as plans do.
  const buyWith = useCallback(
    (attempt: string, create: (requestKey: string) => Promise<CreateOrderResult>) =>
      start(attempt, latest.current.rail === 'xpay', create),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reads options through `latest`
    [],
  )

  const resume = useCallback(async (order: Order) => {
    if (busy.current) return
    busy.current = true
    update({ phase: 'paying', order, notice: '' })
    let created: CreateOrderResult
    try {
      await ensureSignedIn()
      // xpay's `signature` is made with the session_key of the reader's latest wx.login.
      if (order.rail === 'xpay') await refreshLogin()
      created = await resumePayment(order.id)
    } catch (error) {
      return fail(toApiError(error).message)
    }
    await payAndConfirm(created)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reads options through `latest`
  }, [])

  const recheck = useCallback(async () => {
    if (busy.current) return
    const { order } = state
    if (state.phase !== 'pending' || !order) return
    await confirm(order)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- confirm reads options through `latest`
  }, [state])

  const dismiss = useCallback(() => {
    if (busy.current) return
    setState(IDLE)
  }, [])

  return { state, buy, buyWith, resume, recheck, dismiss }
}
