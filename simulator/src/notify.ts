import type { Clock } from './clock'

/**
 * Outgoing notifications of both payment rails: the xpay 消息推送 (xpay_goods_deliver_notify,
 * xpay_refund_notify) and WeChat Pay's webhooks (TRANSACTION.SUCCESS, REFUND.*). The rail modules
 * render each attempt (signature, encryption); this module sends it, keeps WeChat's retry schedule
 * (time-compressed by `retryScale`), logs every attempt, and applies the test switches of
 * `POST /__control/notifications`.
 */

export type Rail = 'xpay' | 'pay'

/** How the next notifications of a rail are delivered (control switch); see docs/wechat-simulator.md */
export const NOTIFICATION_MODES = [
  'normal',
  'drop',
  'duplicate',
  'delay',
  'reorder',
  'wrong_amount',
  'wrong_appid',
  'wrong_mchid',
  'wrong_openid',
  'bad_signature',
  'unknown_serial',
  'stale_timestamp',
  'signtest',
  'tampered_ciphertext',
  'platform_cert',
] as const
export type NotificationMode = (typeof NOTIFICATION_MODES)[number]

/** Modes that change what is sent: a forged or mismatching copy, sent once and never retried */
export const FORGERY_MODES: ReadonlySet<NotificationMode> = new Set<NotificationMode>([
  'wrong_amount',
  'wrong_appid',
  'wrong_mchid',
  'wrong_openid',
  'bad_signature',
  'unknown_serial',
  'stale_timestamp',
  'signtest',
  'tampered_ciphertext',
])

/** What a rail renders for one attempt: the genuine notification, a forgery, or a genuine one signed by the platform certificate */
export type Variant = 'genuine' | 'platform_cert' | NotificationMode

/**
 * WeChat's waits after a failed delivery, in seconds: 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h,
 * so at most 16 attempts over 24 h 4 m (WeChat Pay's 通知频率; the xpay pushes follow the same schedule here).
 */
export const RETRY_SCHEDULE_S: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
]

export interface Rendered {
  url: string
  headers: Record<string, string>
  body: string
}

/** One notification, as a rail hands it over */
export interface Outgoing {
  rail: Rail
  /** xpay_goods_deliver_notify, xpay_refund_notify, TRANSACTION.SUCCESS, REFUND.SUCCESS, … */
  event: string
  outTradeNo: string
  outRefundNo?: string
  /** WeChat Pay's notification id; for xpay the simulator's own id of the push */
  id: string
  /** Renders attempt `attempt` (1-based): fresh timestamp, nonce and signature each time */
  render(attempt: number, variant: Variant): Rendered
  /** Whether the receiver's answer counts as delivered */
  accepts(status: number, body: string): boolean
  /** Called after every successful delivery of a genuine copy (may run more than once) */
  onDelivered?(): void
}

export interface NotificationSwitch {
  rail: Rail
  mode: NotificationMode
  /** How many notifications it applies to; 1 unless given */
  count?: number
  /** delay: the wait before the first attempt; reorder: the longest hold (no later notification came) */
  delayMs?: number
  /** duplicate: how many copies are sent at once; 2 unless given */
  duplicates?: number
  /** Forgery modes: afterwards, deliver the genuine notification too (with retries) */
  genuine?: boolean
  /** Only notifications of this event (e.g. REFUND.SUCCESS); any event unless given */
  event?: string
}

interface ActiveSwitch extends NotificationSwitch {
  remaining: number
}

/** One delivery attempt; WeChat's identifiers keep WeChat's spelling (out_trade_no), the rest is camelCase */
export interface DeliveryRecord {
  seq: number
  rail: Rail
  event: string
  /** WeChat Pay: the notification's `id`; xpay: the simulator's own id of the push */
  notificationId: string
  out_trade_no: string
  out_refund_no?: string
  /** The switch that applied ('normal' when none) */
  mode: NotificationMode
  /** 1, or the copy number of a duplicate */
  copy: number
  /** 1 for the first attempt; 0 for a dropped notification (nothing was sent) */
  attempt: number
  url: string
  /** The receiver's HTTP status; null when nothing was sent, the connection failed or timed out */
  status: number | null
  result: 'ok' | 'failed' | 'dropped'
  /** The receiver's body (first 2000 characters), or what went wrong: 'timeout', 'ECONNREFUSED', 'dropped' */
  answer: string
  /** Simulator time (ms) when the attempt was sent */
  at: number
  durationMs: number
  /** The wait before the next attempt, or null when there is none */
  retryInMs: number | null
}

export interface NotifierOptions {
  /** Multiplies every wait of the retry schedule: 0.001 turns 15 s into 15 ms */
  retryScale: number
  /** How long the receiver may take before the attempt fails */
  timeoutMs: number
}

const MAX_RECORDS = 5000
const MAX_ANSWER = 2000
/** How long a reordered notification waits for a later one before it goes out anyway */
const DEFAULT_HOLD_MS = 2000

interface Held {
  outgoing: Outgoing
  timer: NodeJS.Timeout
}

export class Notifier {
  private readonly switches = new Map<Rail, ActiveSwitch[]>()
  private readonly held = new Map<Rail, Held[]>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly controllers = new Set<AbortController>()
  private records: DeliveryRecord[] = []
  private seq = 0
  /** Deliveries begun and not finished (waiting for a retry included), and held notifications */
  private active = 0
  /** Bumped by reset and stop: work of an older epoch ends quietly */
  private epoch = 0

  constructor(
    private readonly clock: Clock,
    private readonly options: NotifierOptions,
  ) {}

  addSwitch(spec: NotificationSwitch): void {
    if (spec.mode === 'normal') {
      this.switches.delete(spec.rail)
      return
    }
    const queue = this.switches.get(spec.rail) ?? []
    queue.push({ ...spec, remaining: spec.count ?? 1 })
    this.switches.set(spec.rail, queue)
  }

  pendingSwitches(): Array<NotificationSwitch & { remaining: number }> {
    return [...this.switches.values()].flat().map((entry) => ({ ...entry }))
  }

  /** Every attempt so far, oldest first */
  deliveries(): DeliveryRecord[] {
    return this.records.map((record) => ({ ...record }))
  }

  /** Deliveries under way (including ones waiting for a retry) and held notifications */
  get pending(): number {
    return this.active
  }

  /**
   * Hands a notification over: it goes out asynchronously, as the current switch says. Notifications
   * held by `reorder` go out once this one's first attempt has been answered.
   */
  send(outgoing: Outgoing): void {
    const applied = this.takeSwitch(outgoing)
    const mode = applied?.mode ?? 'normal'
    const epoch = this.epoch
    const releaseHeld = () => this.release(outgoing.rail, epoch)
    switch (mode) {
      case 'drop':
        this.record(outgoing, { mode, copy: 1, attempt: 0, url: '', status: null, result: 'dropped' }, 'dropped')
        releaseHeld()
        break
      case 'duplicate': {
        const copies = applied?.duplicates ?? 2
        for (let copy = 1; copy <= copies; copy++) {
          this.deliver(outgoing, 'genuine', mode, copy, epoch, copy === 1 ? releaseHeld : undefined)
        }
        break
      }
      case 'delay':
        this.active += 1
        this.later(applied?.delayMs ?? 0, () => {
          this.active -= 1
          this.deliver(outgoing, 'genuine', mode, 1, epoch, releaseHeld)
        })
        break
      case 'reorder':
        this.hold(outgoing, applied?.delayMs ?? DEFAULT_HOLD_MS)
        break
      case 'normal':
        this.deliver(outgoing, 'genuine', mode, 1, epoch, releaseHeld)
        break
      case 'platform_cert':
        this.deliver(outgoing, 'platform_cert', mode, 1, epoch, releaseHeld)
        break
      default:
        this.forge(outgoing, mode, applied?.genuine === true, epoch, releaseHeld)
    }
  }

  /** Cancels every scheduled and running delivery, forgets the log and the switches */
  reset(): void {
    this.stop()
    this.records = []
    this.seq = 0
    this.switches.clear()
  }

  /** Cancels every scheduled and running delivery (the simulator is closing or resetting) */
  stop(): void {
    this.epoch += 1
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    for (const controller of this.controllers) controller.abort(new Error('stopped'))
    this.controllers.clear()
    for (const queue of this.held.values()) for (const { timer } of queue) clearTimeout(timer)
    this.held.clear()
    this.active = 0
  }

  private takeSwitch(outgoing: Outgoing): ActiveSwitch | undefined {
    const queue = this.switches.get(outgoing.rail)
    if (!queue) return undefined
    const index = queue.findIndex((entry) => entry.event === undefined || entry.event === outgoing.event)
    const entry = queue[index]
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining <= 0) queue.splice(index, 1)
    if (queue.length === 0) this.switches.delete(outgoing.rail)
    return entry
  }

  private hold(outgoing: Outgoing, maxMs: number): void {
    const epoch = this.epoch
    const queue = this.held.get(outgoing.rail) ?? []
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      const current = this.held.get(outgoing.rail) ?? []
      this.held.set(
        outgoing.rail,
        current.filter((entry) => entry.outgoing !== outgoing),
      )
      this.active -= 1
      this.deliver(outgoing, 'genuine', 'reorder', 1, epoch)
    }, maxMs)
    this.timers.add(timer)
    queue.push({ outgoing, timer })
    this.held.set(outgoing.rail, queue)
    this.active += 1
  }

  /** Sends the held notifications of a rail, now that a later one went first */
  private release(rail: Rail, epoch: number): void {
    if (epoch !== this.epoch) return
    const queue = this.held.get(rail)
    if (!queue || queue.length === 0) return
    this.held.delete(rail)
    for (const { outgoing, timer } of queue) {
      clearTimeout(timer)
      this.timers.delete(timer)
      this.active -= 1
      this.deliver(outgoing, 'genuine', 'reorder', 1, epoch)
    }
  }

  private forge(
    outgoing: Outgoing,
    mode: NotificationMode,
    genuine: boolean,
    epoch: number,
    afterFirst: () => void,
  ): void {
    this.active += 1
    void this.attempt(outgoing, mode, mode, 1, 1, epoch).then(() => {
      if (epoch !== this.epoch) return
      this.active -= 1
      afterFirst()
      if (genuine) this.deliver(outgoing, 'genuine', 'normal', 1, epoch)
    })
  }

  /** One copy of a notification: attempts on WeChat's schedule until the receiver accepts it */
  private deliver(
    outgoing: Outgoing,
    variant: Variant,
    mode: NotificationMode,
    copy: number,
    epoch: number,
    afterFirst?: () => void,
  ): void {
    if (epoch !== this.epoch) return
    this.active += 1
    const run = async (attempt: number): Promise<void> => {
      const record = await this.attempt(outgoing, variant, mode, copy, attempt, epoch)
      if (epoch !== this.epoch || !record) return
      if (attempt === 1) afterFirst?.()
      if (record.result === 'ok') {
        this.active -= 1
        outgoing.onDelivered?.()
        return
      }
      const waitS = RETRY_SCHEDULE_S[attempt - 1]
      if (waitS === undefined) {
        this.active -= 1
        return
      }
      record.retryInMs = Math.round(waitS * 1000 * this.options.retryScale)
      this.later(record.retryInMs, () => void run(attempt + 1))
    }
    void run(1)
  }

  private async attempt(
    outgoing: Outgoing,
    variant: Variant,
    mode: NotificationMode,
    copy: number,
    attempt: number,
    epoch: number,
  ): Promise<DeliveryRecord | undefined> {
    if (epoch !== this.epoch) return undefined
    const { url, headers, body } = outgoing.render(attempt, variant)
    const controller = new AbortController()
    this.controllers.add(controller)
    const timeout = setTimeout(() => controller.abort(new Error('timeout')), this.options.timeoutMs)
    const at = this.clock.now()
    const started = Date.now()
    let status: number | null = null
    let answer: string
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        redirect: 'manual',
      })
      status = response.status
      answer = await response.text()
    } catch (error) {
      answer = describeFailure(controller.signal.reason, error)
      status = null
    } finally {
      clearTimeout(timeout)
      this.controllers.delete(controller)
    }
    if (epoch !== this.epoch) return undefined
    const ok = status !== null && outgoing.accepts(status, answer)
    const record = this.record(outgoing, { mode, copy, attempt, url, status, result: ok ? 'ok' : 'failed' }, answer)
    record.at = at
    record.durationMs = Date.now() - started
    return record
  }

  private record(
    outgoing: Outgoing,
    fields: Pick<DeliveryRecord, 'mode' | 'copy' | 'attempt' | 'url' | 'status' | 'result'>,
    answer: string,
  ): DeliveryRecord {
    this.seq += 1
    const record: DeliveryRecord = {
      seq: this.seq,
      rail: outgoing.rail,
      event: outgoing.event,
      notificationId: outgoing.id,
      out_trade_no: outgoing.outTradeNo,
      ...(outgoing.outRefundNo === undefined ? {} : { out_refund_no: outgoing.outRefundNo }),
      ...fields,
      answer: answer.slice(0, MAX_ANSWER),
      at: this.clock.now(),
      durationMs: 0,
      retryInMs: null,
    }
    this.records.push(record)
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS)
    return record
  }

  private later(ms: number, task: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      task()
    }, ms)
    this.timers.add(timer)
  }
}

/** 'timeout', the connection error code (ECONNREFUSED, …) or the message; no instanceof, errors may come from another realm */
function describeFailure(reason: unknown, error: unknown): string {
  const text = (value: unknown) =>
    typeof value === 'object' && value !== null && 'message' in value ? String(value.message) : String(value)
  if (text(reason) === 'timeout') return 'timeout'
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: { code?: unknown } }).cause : undefined
  if (typeof cause?.code === 'string') return cause.code
  return text(error)
}
