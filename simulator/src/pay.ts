import crypto, { type KeyObject } from 'node:crypto'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clock } from './clock'
import { upstreamGate } from './faults'
import { openidFor } from './ids'
import type { Notifier, Outgoing, Variant } from './notify'
import {
  aesGcmEncrypt,
  chinaTime,
  flipBit,
  randomAlnum,
  randomDigits,
  randomHex,
  rsaSign,
  rsaVerify,
  signedLines,
} from './signing'
import type { SimConfig, SimState } from './state'
import { newTransactionId, type RefundOutcome } from './xpay'

/**
 * WeChat Pay API v3 for mini-program (JSAPI) payments, as api.mch.weixin.qq.com answers them:
 * Authorization checked with the merchant's public key, every answer signed with the platform key
 * (微信支付公钥, `Wechatpay-Serial: PUB_KEY_ID_…`), errors as HTTP 4xx/5xx `{code, message}`, and
 * TRANSACTION.SUCCESS / REFUND.* notifications signed and AES-256-GCM encrypted.
 * Facts and sources: docs/wechat.md (WeChat Pay API v3).
 */

export interface PayOptions {
  /** The merchant number (商户号) */
  mchid: string
  /** The appid bound to the merchant; the simulator's appid unless given */
  appid?: string
  /** The serial number of the merchant API certificate: Authorization's serial_no must equal it */
  merchantCertSerial: string
  /** PEM: the merchant's public key, which verifies the API server's Authorization and paySign */
  merchantPublicKey: string
  /** PEM: WeChat Pay's private key (the 微信支付公钥 pair), which signs answers and notifications */
  platformPrivateKey: string
  /** The id of the 微信支付公钥, sent as Wechatpay-Serial, e.g. PUB_KEY_ID_0112345678202501010000000000000000 */
  platformKeyId: string
  /** 40 hex digits: a platform certificate's serial; with it, notifications can be signed by that key instead (switch platform_cert) */
  platformCertSerial?: string
  /** PEM: the private key of that platform certificate */
  platformCertPrivateKey?: string
  /** The APIv3 key: 32 ASCII characters, the AES-256-GCM key of notification resources */
  apiV3Key: string
}

export interface PayConfig {
  readonly mchid: string
  readonly appid: string
  readonly merchantCertSerial: string
  readonly merchantPublicKey: KeyObject
  readonly platformPrivateKey: KeyObject
  readonly platformKeyId: string
  readonly platformCert: { readonly serial: string; readonly privateKey: KeyObject } | null
  readonly apiV3Key: string
}

export type TradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND'
export type RefundStatus = 'PROCESSING' | 'SUCCESS' | 'ABNORMAL' | 'CLOSED'

/** How API answers are signed, set by `POST /__control/pay/responses` (tests of the server's response check) */
export const RESPONSE_MODES = ['normal', 'bad_signature', 'unsigned', 'unknown_serial', 'stale_timestamp'] as const
export type ResponseMode = (typeof RESPONSE_MODES)[number]

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '订单未支付',
  SUCCESS: '支付成功',
  CLOSED: '订单已关闭',
  REFUND: '订单发生过退款',
}

const REFUND_EVENT: Record<Exclude<RefundStatus, 'PROCESSING'>, { event: string; summary: string }> = {
  SUCCESS: { event: 'REFUND.SUCCESS', summary: '退款成功' },
  ABNORMAL: { event: 'REFUND.ABNORMAL', summary: '退款异常' },
  CLOSED: { event: 'REFUND.CLOSED', summary: '退款关闭' },
}

/** The message WeChat Pay answers a stale Authorization timestamp with (community reports) */
export const STALE_TIMESTAMP_MESSAGE = 'Http头Authorization中的timestamp与发起请求的时间不得超过5分钟'
/** How long a prepay_id can be used to pay, as WeChat documents (2 hours) */
const PREPAY_TTL_MS = 2 * 3600 * 1000
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/
const NOTIFY_URL = /^https?:\/\/[^\s?#]+$/

export interface PayTransaction {
  appid: string
  mchid: string
  outTradeNo: string
  description: string
  attach: string | null
  notifyUrl: string
  total: number
  currency: string
  openid: string
  /** time_expire as milliseconds, when the order gave one */
  expiresAt: number | null
  tradeState: TradeState
  transactionId: string | null
  successTime: string | null
  /** Fen taken by refunds that are not closed */
  refunded: number
  createdAt: number
  /** The order's fields, to tell a repeated order from a conflicting reuse of out_trade_no */
  params: string
}

export interface PayRefund {
  refundId: string
  outRefundNo: string
  outTradeNo: string
  transactionId: string
  reason: string | null
  notifyUrl: string | null
  refund: number
  total: number
  status: RefundStatus
  createTime: string
  successTime: string | null
  params: string
}

interface Prepay {
  outTradeNo: string
  expiresAt: number
}

/** What `wx.requestPayment` reports to the page */
export interface RequestPaymentAnswer {
  errMsg: string
}

export interface RequestPaymentInput {
  timeStamp: string
  nonceStr: string
  package: string
  signType: string
  paySign: string
  action: 'confirm' | 'cancel' | 'fail'
  /** The paying user; when given, the order's payer must be this user */
  user?: string
}

/** A v3 error: HTTP status, and the body `{code, message}` */
export class V3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const paramError = (message: string) => new V3Error(400, 'PARAM_ERROR', message)

/** JSON with sorted keys, to compare two requests field by field */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function parseBody(raw: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw paramError('请求体不是合法的JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw paramError('请求体必须是JSON对象')
  return value as Record<string, unknown>
}

function requireString(body: Record<string, unknown>, field: string, max: number, min = 1): string {
  const value = body[field]
  if (typeof value !== 'string' || value.length < min) {
    throw paramError(`输入源“/body/${field}”映射到字段“${field}”必填性规则校验失败，此字段为必填项`)
  }
  if (value.length > max) throw paramError(`输入源“/body/${field}”映射到字段“${field}”长度超过${max}`)
  return value
}

function optionalString(body: Record<string, unknown>, field: string, max: number): string | null {
  if (body[field] === undefined) return null
  return requireString(body, field, max)
}

function object(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = body[field]
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw paramError(`输入源“/body/${field}”映射到字段“${field}”必填性规则校验失败，此字段为必填项`)
  }
  return value as Record<string, unknown>
}

function fen(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > 2 ** 31 - 1) {
    throw paramError(`${field} 必须是大于0的整数（单位：分）`)
  }
  return value
}

function currency(amount: Record<string, unknown>): string {
  const value = amount.currency ?? 'CNY'
  if (value !== 'CNY') throw paramError('amount.currency 只支持 CNY')
  return value
}

function notifyUrl(value: string, field: string): string {
  if (!NOTIFY_URL.test(value) || value.length > 255) {
    throw paramError(`${field} 必须是 http(s) 地址，且不能带参数`)
  }
  return value
}

export class PayStore {
  private readonly transactions = new Map<string, PayTransaction>()
  private readonly prepays = new Map<string, Prepay>()
  private readonly refunds = new Map<string, PayRefund>()
  private readonly outcomes: RefundOutcome[] = []
  private readonly responseModes: ResponseMode[] = []
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    readonly pay: PayConfig,
    private readonly config: SimConfig,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
  ) {}

  // ---- Authorization and answer signing -------------------------------------------------------

  /** null when the request's Authorization is good, else why it is not (answered 401 SIGN_ERROR) */
  verifyAuthorization(method: string, url: string, header: string | undefined, body: string): string | null {
    const scheme = 'WECHATPAY2-SHA256-RSA2048 '
    if (!header) return '缺少Authorization请求头'
    if (!header.startsWith(scheme)) return 'Authorization的认证类型必须是WECHATPAY2-SHA256-RSA2048'
    const params = new Map<string, string>()
    for (const match of header.slice(scheme.length).matchAll(/([a-z_]+)="([^"]*)"/g)) {
      params.set(match[1] ?? '', match[2] ?? '')
    }
    const mchid = params.get('mchid')
    const nonce = params.get('nonce_str')
    const signature = params.get('signature')
    const timestamp = params.get('timestamp')
    const serial = params.get('serial_no')
    if (!mchid || !nonce || !signature || !timestamp || !serial) {
      return 'Authorization缺少mchid、nonce_str、signature、timestamp或serial_no'
    }
    if (mchid !== this.pay.mchid) return 'Authorization中的mchid与商户号不匹配'
    if (serial !== this.pay.merchantCertSerial) return 'Authorization中的serial_no不是有效的商户证书序列号'
    if (!/^\d{1,10}$/.test(timestamp) || Math.abs(this.clock.nowS() - Number(timestamp)) > 300) {
      return STALE_TIMESTAMP_MESSAGE
    }
    const message = signedLines(method, url, timestamp, nonce, body)
    if (!rsaVerify(this.pay.merchantPublicKey, message, signature)) return '签名错误，请检查后再试'
    return null
  }

  /** The Wechatpay-* headers of an answer with this body */
  signAnswer(body: string): Record<string, string> {
    const mode = this.responseModes.shift() ?? 'normal'
    if (mode === 'unsigned') return { 'Request-ID': randomHex(16) }
    const timestamp = String(this.clock.nowS() - (mode === 'stale_timestamp' ? 301 : 0))
    const nonce = randomAlnum(32)
    const signed = mode === 'bad_signature' ? `${body} ` : body
    return {
      'Request-ID': randomHex(16),
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Signature': rsaSign(this.pay.platformPrivateKey, signedLines(timestamp, nonce, signed)),
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Serial': mode === 'unknown_serial' ? `PUB_KEY_ID_${randomDigits(32)}` : this.pay.platformKeyId,
      'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    }
  }

  addResponseMode(mode: ResponseMode, count: number): void {
    if (mode === 'normal') {
      this.responseModes.length = 0
      return
    }
    for (let i = 0; i < count; i++) this.responseModes.push(mode)
  }

  pendingResponseModes(): ResponseMode[] {
    return [...this.responseModes]
  }

  addRefundOutcome(outcome: RefundOutcome, count: number): void {
    for (let i = 0; i < count; i++) this.outcomes.push(outcome)
  }

  pendingRefundOutcomes(): RefundOutcome[] {
    return [...this.outcomes]
  }

  // ---- the API --------------------------------------------------------------------------------

  /** POST /v3/pay/transactions/jsapi */
  jsapi(raw: string): { prepay_id: string } {
    const body = parseBody(raw)
    const appid = requireString(body, 'appid', 32)
    const mchid = requireString(body, 'mchid', 32)
    const description = requireString(body, 'description', 127)
    const outTradeNo = requireString(body, 'out_trade_no', 32)
    if (!OUT_TRADE_NO.test(outTradeNo)) throw paramError('out_trade_no 必须是6-32位数字、大小写字母或_-|*')
    const url = notifyUrl(requireString(body, 'notify_url', 255), 'notify_url')
    const attach = optionalString(body, 'attach', 128)
    const timeExpire = optionalString(body, 'time_expire', 64)
    const amount = object(body, 'amount')
    const total = fen(amount.total, 'amount.total')
    const money = currency(amount)
    const openid = requireString(object(body, 'payer'), 'openid', 128)
    let expiresAt: number | null = null
    if (timeExpire !== null) {
      expiresAt = Date.parse(timeExpire)
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/.test(timeExpire) || Number.isNaN(expiresAt)) {
        throw paramError('time_expire 必须是 RFC 3339 格式，如 2025-05-20T13:29:35+08:00')
      }
    }
    if (mchid !== this.pay.mchid) throw paramError('mchid与请求头Authorization中的mchid不一致')
    if (appid !== this.pay.appid) throw new V3Error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配')

    const params = canonical(body)
    const existing = this.transactions.get(outTradeNo)
    if (existing) {
      if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') {
        throw new V3Error(400, 'ORDERPAID', '该订单已支付')
      }
      if (existing.tradeState === 'CLOSED') throw new V3Error(400, 'ORDER_CLOSED', '订单已关闭')
      if (existing.params !== params) {
        throw new V3Error(400, 'INVALID_REQUEST', '商户订单号重复，且本次请求参数与原订单不一致')
      }
    } else {
      this.transactions.set(outTradeNo, {
        appid,
        mchid,
        outTradeNo,
        description,
        attach,
        notifyUrl: url,
        total,
        currency: money,
        openid,
        expiresAt,
        tradeState: 'NOTPAY',
        transactionId: null,
        successTime: null,
        refunded: 0,
        createdAt: this.clock.now(),
        params,
      })
    }
    // "相同参数再次下单会返回新的prepay_id" (re-ordering before time_expire): a fresh id, the old ones stay valid.
    const prepayId = `wx${chinaTime(this.clock.now()).slice(0, 19).replace(/\D/g, '')}${randomHex(10)}`
    this.prepays.set(prepayId, { outTradeNo, expiresAt: this.clock.now() + PREPAY_TTL_MS })
    return { prepay_id: prepayId }
  }

  /** A transaction by out_trade_no or transaction_id, for other WeChat areas (发货信息管理) */
  find(key: { outTradeNo?: string; transactionId?: string }): Readonly<PayTransaction> | undefined {
    if (key.outTradeNo !== undefined) return this.transactions.get(key.outTradeNo)
    return [...this.transactions.values()].find((entry) => entry.transactionId === key.transactionId)
  }

  /** GET /v3/pay/transactions/out-trade-no/{out_trade_no} and …/id/{transaction_id} */
  query(key: { outTradeNo?: string; transactionId?: string }, mchid: string | undefined): Record<string, unknown> {
    if (!mchid) throw paramError('输入源“/query/mchid”映射到字段“mchid”必填性规则校验失败，此字段为必填项')
    if (mchid !== this.pay.mchid) throw paramError('mchid与请求头Authorization中的mchid不一致')
    const transaction =
      key.outTradeNo !== undefined
        ? this.transactions.get(key.outTradeNo)
        : [...this.transactions.values()].find((entry) => entry.transactionId === key.transactionId)
    if (!transaction) throw new V3Error(404, 'ORDER_NOT_EXIST', '订单不存在')
    return this.transactionView(transaction)
  }

  /** POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close */
  close(outTradeNo: string, raw: string): void {
    const mchid = requireString(parseBody(raw), 'mchid', 32)
    if (mchid !== this.pay.mchid) throw paramError('mchid与请求头Authorization中的mchid不一致')
    const transaction = this.transactions.get(outTradeNo)
    if (!transaction) throw new V3Error(404, 'ORDER_NOT_EXIST', '订单不存在')
    if (transaction.tradeState === 'SUCCESS' || transaction.tradeState === 'REFUND') {
      throw new V3Error(400, 'ORDERPAID', '订单已支付，不能关闭')
    }
    transaction.tradeState = 'CLOSED'
  }

  /** POST /v3/refund/domestic/refunds */
  refund(raw: string): Record<string, unknown> {
    const body = parseBody(raw)
    const outTradeNo = optionalString(body, 'out_trade_no', 32)
    const transactionId = optionalString(body, 'transaction_id', 32)
    const outRefundNo = requireString(body, 'out_refund_no', 64)
    if (!OUT_REFUND_NO.test(outRefundNo)) throw paramError('out_refund_no 必须是1-64位数字、大小写字母或_-|*@')
    const reason = optionalString(body, 'reason', 80)
    const givenUrl = optionalString(body, 'notify_url', 255)
    const url = givenUrl === null ? null : notifyUrl(givenUrl, 'notify_url')
    const amount = object(body, 'amount')
    const refund = fen(amount.refund, 'amount.refund')
    const total = fen(amount.total, 'amount.total')
    if (amount.currency !== 'CNY') throw paramError('amount.currency 只支持 CNY')
    if (outTradeNo === null && transactionId === null) throw paramError('transaction_id和out_trade_no必须二选一')

    const transaction =
      outTradeNo !== null
        ? this.transactions.get(outTradeNo)
        : [...this.transactions.values()].find((entry) => entry.transactionId === transactionId)
    if (!transaction || (transactionId !== null && transaction.transactionId !== transactionId)) {
      throw new V3Error(404, 'RESOURCE_NOT_EXISTS', '订单不存在')
    }
    const { transaction_id: _byTransaction, ...fields } = body
    const params = canonical({ ...fields, out_trade_no: transaction.outTradeNo })
    const previous = this.refunds.get(outRefundNo)
    if (previous) {
      // The same out_refund_no refunds once: a retry gets the same refund, and no second money movement.
      if (previous.params !== params)
        throw new V3Error(400, 'INVALID_REQUEST', '退款单号重复，且与原退款请求参数不一致')
      return this.refundView(previous)
    }
    if (transaction.tradeState !== 'SUCCESS' && transaction.tradeState !== 'REFUND') {
      throw new V3Error(400, 'INVALID_REQUEST', '订单未支付，不能退款')
    }
    if (total !== transaction.total) throw paramError('amount.total与原订单金额不一致')
    if (refund > transaction.total - transaction.refunded) {
      throw new V3Error(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额')
    }
    const entry: PayRefund = {
      refundId: `50${randomDigits(27)}`,
      outRefundNo,
      outTradeNo: transaction.outTradeNo,
      transactionId: transaction.transactionId ?? '',
      reason,
      notifyUrl: url,
      refund,
      total,
      status: 'PROCESSING',
      createTime: chinaTime(this.clock.now()),
      successTime: null,
      params,
    }
    this.refunds.set(outRefundNo, entry)
    transaction.refunded += refund
    transaction.tradeState = 'REFUND'
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.finishRefund(entry, transaction)
    }, this.config.refundDelayMs)
    this.timers.add(timer)
    return this.refundView(entry)
  }

  /**
   * A refund made in the merchant console (`POST /__control/merchant-refund`): a refund number the
   * server never made, notified to the merchant's refund URL when one is given.
   */
  refundElsewhere(outTradeNo: string, amount?: number, notifyUrl?: string): Record<string, unknown> | string {
    const transaction = this.transactions.get(outTradeNo)
    if (!transaction) return 'no such order'
    try {
      return this.refund(
        JSON.stringify({
          out_trade_no: outTradeNo,
          out_refund_no: `MC${randomDigits(20)}`,
          reason: '商户平台退款',
          ...(notifyUrl === undefined ? {} : { notify_url: notifyUrl }),
          amount: {
            refund: amount ?? transaction.total - transaction.refunded,
            total: transaction.total,
            currency: 'CNY',
          },
        }),
      )
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    }
  }

  /** GET /v3/refund/domestic/refunds/{out_refund_no} */
  queryRefund(outRefundNo: string): Record<string, unknown> {
    const refund = this.refunds.get(outRefundNo)
    if (!refund) throw new V3Error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在')
    return this.refundView(refund)
  }

  // ---- the phone and control sides ------------------------------------------------------------

  /** wx.requestPayment on the phone */
  requestPayment(input: RequestPaymentInput): RequestPaymentAnswer {
    const fail = (detail: string) => ({ errMsg: `requestPayment:fail ${detail}` })
    if (input.signType !== 'RSA') return fail('signType must be RSA')
    const match = /^prepay_id=(.+)$/.exec(input.package)
    if (!match) return fail('package must be prepay_id=…')
    const prepay = this.prepays.get(match[1] ?? '')
    const transaction = prepay && this.transactions.get(prepay.outTradeNo)
    if (!prepay || !transaction) return fail('prepay_id not found')
    if (this.clock.now() > prepay.expiresAt) return fail('prepay_id expired')
    if (!/^\d{1,10}$/.test(input.timeStamp) || input.nonceStr === '' || input.nonceStr.length > 32) {
      return fail('timeStamp must be seconds and nonceStr 1-32 characters')
    }
    const message = signedLines(transaction.appid, input.timeStamp, input.nonceStr, input.package)
    if (!rsaVerify(this.pay.merchantPublicKey, message, input.paySign)) return fail('支付验证签名失败')
    if (input.user !== undefined && openidFor(transaction.appid, input.user) !== transaction.openid) {
      return fail('the order belongs to another user')
    }
    if (transaction.tradeState === 'SUCCESS' || transaction.tradeState === 'REFUND') return fail('该订单已支付')
    if (transaction.tradeState === 'CLOSED') return fail('订单已关闭')
    if (transaction.expiresAt !== null && this.clock.now() > transaction.expiresAt) return fail('订单已过期')
    if (input.action === 'cancel') return { errMsg: 'requestPayment:fail cancel' }
    if (input.action === 'fail') return { errMsg: 'requestPayment:fail' }
    this.markPaid(transaction)
    this.notifyTransaction(transaction)
    return { errMsg: 'requestPayment:ok' }
  }

  /** `POST /__control/pay` for Pay v3: paid without a notification (a lost notification, for reconciliation tests) */
  payQuietly(outTradeNo: string): Record<string, unknown> | string {
    const transaction = this.transactions.get(outTradeNo)
    if (!transaction) return 'no such order'
    if (transaction.tradeState !== 'NOTPAY') return `the order is ${transaction.tradeState}, not NOTPAY`
    this.markPaid(transaction)
    return this.transactionView(transaction)
  }

  /** Transactions and refunds, for `GET /__control/payments` */
  snapshot(): { transactions: Array<Record<string, unknown>>; refunds: Array<Record<string, unknown>> } {
    return {
      transactions: [...this.transactions.values()].map((entry) => ({
        ...this.transactionView(entry),
        notify_url: entry.notifyUrl,
        refunded: entry.refunded,
      })),
      refunds: [...this.refunds.values()].map((entry) => this.refundView(entry)),
    }
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.transactions.clear()
    this.prepays.clear()
    this.refunds.clear()
    this.outcomes.length = 0
    this.responseModes.length = 0
  }

  // ---- internals --------------------------------------------------------------------------------

  private markPaid(transaction: PayTransaction): void {
    transaction.tradeState = 'SUCCESS'
    transaction.transactionId = newTransactionId()
    transaction.successTime = chinaTime(this.clock.now())
  }

  private finishRefund(refund: PayRefund, transaction: PayTransaction): void {
    const outcome = this.outcomes.shift() ?? 'SUCCESS'
    refund.status = outcome
    if (outcome === 'SUCCESS') refund.successTime = chinaTime(this.clock.now())
    if (outcome === 'CLOSED') {
      transaction.refunded -= refund.refund
      const others = [...this.refunds.values()].some(
        (entry) => entry !== refund && entry.outTradeNo === transaction.outTradeNo && entry.status !== 'CLOSED',
      )
      if (!others) transaction.tradeState = 'SUCCESS'
    }
    if (refund.notifyUrl !== null) this.notifyRefund(refund, transaction, refund.notifyUrl)
  }

  private transactionView(transaction: PayTransaction): Record<string, unknown> {
    const paid = transaction.transactionId !== null
    const attach = transaction.attach === null ? {} : { attach: transaction.attach }
    if (!paid) {
      // An unpaid order: no transaction_id, trade_type, payer.openid or payer_total yet.
      return {
        appid: transaction.appid,
        mchid: transaction.mchid,
        out_trade_no: transaction.outTradeNo,
        trade_state: transaction.tradeState,
        trade_state_desc: TRADE_STATE_DESC[transaction.tradeState],
        ...attach,
        payer: {},
        amount: { total: transaction.total, currency: transaction.currency, payer_currency: transaction.currency },
      }
    }
    return {
      appid: transaction.appid,
      mchid: transaction.mchid,
      out_trade_no: transaction.outTradeNo,
      transaction_id: transaction.transactionId,
      trade_type: 'JSAPI',
      trade_state: transaction.tradeState,
      trade_state_desc: TRADE_STATE_DESC[transaction.tradeState],
      bank_type: 'OTHERS',
      ...attach,
      success_time: transaction.successTime,
      payer: { openid: transaction.openid },
      amount: {
        total: transaction.total,
        payer_total: transaction.total,
        currency: transaction.currency,
        payer_currency: transaction.currency,
      },
    }
  }

  private refundView(refund: PayRefund): Record<string, unknown> {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(refund.successTime === null ? {} : { success_time: refund.successTime }),
      create_time: refund.createTime,
      status: refund.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: refund.total,
        refund: refund.refund,
        from: [],
        payer_total: refund.total,
        payer_refund: refund.refund,
        settlement_refund: refund.refund,
        settlement_total: refund.total,
        discount_refund: 0,
        currency: 'CNY',
        refund_fee: 0,
      },
      promotion_detail: [],
    }
  }

  private notifyTransaction(transaction: PayTransaction): void {
    const plaintext = (variant: Variant): Record<string, unknown> => {
      const view = this.transactionView(transaction)
      const amount = transaction.total + (variant === 'wrong_amount' ? 1 : 0)
      return {
        ...view,
        appid: variant === 'wrong_appid' ? 'wx0000000000000bad' : transaction.appid,
        mchid: variant === 'wrong_mchid' ? otherMchid(transaction.mchid) : transaction.mchid,
        payer: {
          openid: variant === 'wrong_openid' ? openidFor(transaction.appid, 'someone else') : transaction.openid,
        },
        amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
      }
    }
    this.notifier.send(
      this.outgoing('TRANSACTION.SUCCESS', '支付成功', 'transaction', transaction.notifyUrl, transaction, plaintext),
    )
  }

  private notifyRefund(refund: PayRefund, transaction: PayTransaction, url: string): void {
    const { event, summary } = REFUND_EVENT[refund.status as Exclude<RefundStatus, 'PROCESSING'>]
    const plaintext = (variant: Variant): Record<string, unknown> => {
      const amount = refund.refund + (variant === 'wrong_amount' ? 1 : 0)
      return {
        mchid: variant === 'wrong_mchid' ? otherMchid(transaction.mchid) : transaction.mchid,
        out_trade_no: refund.outTradeNo,
        transaction_id: refund.transactionId,
        out_refund_no: refund.outRefundNo,
        refund_id: refund.refundId,
        refund_status: refund.status,
        ...(refund.successTime === null ? {} : { success_time: refund.successTime }),
        user_received_account: '支付用户零钱',
        amount: { total: refund.total, refund: amount, payer_total: refund.total, payer_refund: amount },
      }
    }
    this.notifier.send(this.outgoing(event, summary, 'refund', url, transaction, plaintext, refund.outRefundNo))
  }

  private outgoing(
    event: string,
    summary: string,
    originalType: string,
    url: string,
    transaction: PayTransaction,
    plaintext: (variant: Variant) => Record<string, unknown>,
    outRefundNo?: string,
  ): Outgoing {
    const id = crypto.randomUUID()
    const createTime = chinaTime(this.clock.now())
    const bodies = new Map<string, string>()
    // One body per variant, kept across attempts: retries and duplicates carry the same id and ciphertext.
    const bodyFor = (variant: Variant): string => {
      const key = variant === 'platform_cert' ? 'genuine' : variant
      const cached = bodies.get(key)
      if (cached !== undefined) return cached
      const nonce = randomAlnum(12)
      const ciphertext = aesGcmEncrypt(this.pay.apiV3Key, nonce, originalType, JSON.stringify(plaintext(variant)))
      const body = JSON.stringify({
        id,
        create_time: createTime,
        resource_type: 'encrypt-resource',
        event_type: event,
        summary,
        resource: {
          original_type: originalType,
          algorithm: 'AEAD_AES_256_GCM',
          ciphertext: variant === 'tampered_ciphertext' ? flipBit(ciphertext) : ciphertext,
          associated_data: originalType,
          nonce,
        },
      })
      bodies.set(key, body)
      return body
    }
    return {
      rail: 'pay',
      event,
      outTradeNo: transaction.outTradeNo,
      ...(outRefundNo === undefined ? {} : { outRefundNo }),
      id,
      accepts: (status) => status === 200 || status === 204,
      render: (_attempt, variant) => {
        const body = bodyFor(variant)
        const timestamp = String(this.clock.nowS() - (variant === 'stale_timestamp' ? 301 : 0))
        const nonce = randomAlnum(32)
        const cert = variant === 'platform_cert' ? this.pay.platformCert : null
        const key = cert?.privateKey ?? this.pay.platformPrivateKey
        const serial =
          variant === 'unknown_serial' ? `PUB_KEY_ID_${randomDigits(32)}` : (cert?.serial ?? this.pay.platformKeyId)
        const signature =
          variant === 'signtest'
            ? `WECHATPAY/SIGNTEST/${crypto.randomBytes(256).toString('base64')}`
            : rsaSign(key, signedLines(timestamp, nonce, variant === 'bad_signature' ? `${body} ` : body))
        return {
          url,
          body,
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Mozilla/4.0',
            'request-id': randomHex(16),
            'wechatpay-serial': serial,
            'wechatpay-signature': signature,
            'wechatpay-timestamp': timestamp,
            'wechatpay-nonce': nonce,
            'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
          },
        }
      },
    }
  }
}

function otherMchid(mchid: string): string {
  return mchid === '1230000109' ? '1230000110' : '1230000109'
}

// ---- the api.mch.weixin.qq.com routes -------------------------------------------------------

function v3Answer(reply: FastifyReply, error: V3Error) {
  return reply.code(error.status).send({ code: error.code, message: error.message })
}

function raw(request: FastifyRequest): string {
  return typeof request.body === 'string' ? request.body : ''
}

/**
 * `/v3/*` in its own context: raw bodies (the Authorization signature covers the exact bytes),
 * Authorization checked before every handler, every answer signed, errors as `{code, message}`
 * under the right HTTP status, and the fault hook with the v3 error shape.
 */
export async function payRoutes(app: FastifyInstance, { state, store }: { state: SimState; store: PayStore }) {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body.toString()))

  app.setErrorHandler((error: FastifyError | V3Error, request, reply) => {
    if (error instanceof V3Error) return v3Answer(reply, error)
    const clientError = (error.statusCode ?? 500) < 500
    if (!clientError) request.log.error({ err: error }, 'simulator route failed')
    return clientError
      ? v3Answer(reply, paramError(error.message))
      : v3Answer(reply, new V3Error(500, 'SYSTEM_ERROR', '系统错误'))
  })
  app.setNotFoundHandler((request, reply) => {
    void v3Answer(reply, new V3Error(404, 'NOT_FOUND', `${request.method} ${request.url.split('?')[0]} 不存在`))
  })

  app.addHook('onRoute', (route) => {
    state.upstreamPaths.add(route.url)
  })
  app.addHook(
    'onRequest',
    upstreamGate(state, (fault) =>
      fault.code === undefined
        ? undefined
        : { status: fault.httpStatus ?? 500, body: { code: fault.code, message: fault.errmsg ?? '系统错误' } },
    ),
  )
  app.addHook('preHandler', async (request, reply) => {
    const problem = store.verifyAuthorization(request.method, request.url, request.headers.authorization, raw(request))
    if (problem !== null) return v3Answer(reply, new V3Error(401, 'SIGN_ERROR', problem))
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    // A fault's plain-text gateway answer is not WeChat Pay's, so it is not signed.
    if (String(reply.getHeader('content-type') ?? '').startsWith('text/plain')) return payload
    const body = typeof payload === 'string' ? payload : payload === undefined || payload === null ? '' : null
    if (body === null) return payload
    for (const [name, value] of Object.entries(store.signAnswer(body))) reply.header(name, value)
    return payload
  })

  // https://pay.weixin.qq.com/doc/v3/merchant/4012525182 (JSAPI下单)
  app.post('/pay/transactions/jsapi', async (request) => store.jsapi(raw(request)))

  // https://pay.weixin.qq.com/doc/v3/merchant/4012556352 (商户订单号查询订单)
  app.get<{ Params: { out_trade_no: string }; Querystring: { mchid?: string } }>(
    '/pay/transactions/out-trade-no/:out_trade_no',
    async (request) => store.query({ outTradeNo: request.params.out_trade_no }, request.query.mchid),
  )
  app.get<{ Params: { transaction_id: string }; Querystring: { mchid?: string } }>(
    '/pay/transactions/id/:transaction_id',
    async (request) => store.query({ transactionId: request.params.transaction_id }, request.query.mchid),
  )

  // https://pay.weixin.qq.com/doc/v3/merchant/4012556398 (关闭订单)
  app.post<{ Params: { out_trade_no: string } }>(
    '/pay/transactions/out-trade-no/:out_trade_no/close',
    async (request, reply) => {
      store.close(request.params.out_trade_no, raw(request))
      return reply.code(204).send()
    },
  )

  // https://pay.weixin.qq.com/doc/v3/merchant/4012556457 (退款申请)
  app.post('/refund/domestic/refunds', async (request) => store.refund(raw(request)))
  app.get<{ Params: { out_refund_no: string } }>('/refund/domestic/refunds/:out_refund_no', async (request) =>
    store.queryRefund(request.params.out_refund_no),
  )

  // New merchants have only the 微信支付公钥: the platform certificate download answers 404.
  app.get('/certificates', async () => {
    throw new V3Error(404, 'RESOURCE_NOT_EXISTS', '无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥')
  })
}
