import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { NotificationKind, NotificationRefusal } from '../../infra/metrics'
import type { App } from '../../plugins/types'
import { ApiError } from '../../errors'
import type { OrderStatus } from '../payments'
import { RailUnavailable, type RailEvent } from '../rail'
import { MAX_CLOCK_SKEW_S } from '../wechatpay/sign'
import { aesKeyFrom, decryptPush, verifyMsgSignature, verifyPushSignature } from './message-push'

/**
 * The mini-program's 消息推送, where virtual payment tells us about deliveries and refunds. The
 * raw body is kept; the URL signature is checked before anything else. In 安全模式 the body is
 * encrypted and signed, so its events are applied as they are; in plain mode the signature covers
 * only token, timestamp and nonce (and signed URLs reach access logs), so an event only makes the
 * server ask WeChat about the order it names, and nothing is taken from the body.
 */

const PushQuery = Type.Object({
  signature: Type.String({ maxLength: 64 }),
  timestamp: Type.String({ maxLength: 16 }),
  nonce: Type.String({ maxLength: 64 }),
  echostr: Type.Optional(Type.String({ maxLength: 256 })),
  encrypt_type: Type.Optional(Type.String({ maxLength: 16 })),
  msg_signature: Type.Optional(Type.String({ maxLength: 64 })),
  openid: Type.Optional(Type.String({ maxLength: 64 })),
})

const DeliverEvent = Type.Object({
  Event: Type.Literal('xpay_goods_deliver_notify'),
  OpenId: Type.String({ maxLength: 64 }),
  OutTradeNo: Type.String({ maxLength: 64 }),
  Env: Type.Optional(Type.Integer()),
  WeChatPayInfo: Type.Optional(
    Type.Object({
      TransactionId: Type.Optional(Type.String({ maxLength: 64 })),
      PaidTime: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 40 })),
    }),
  ),
  GoodsInfo: Type.Object({ ProductId: Type.String(), Quantity: Type.Integer(), ActualPrice: Type.Integer() }),
})

const RefundEvent = Type.Object({
  Event: Type.Literal('xpay_refund_notify'),
  OpenId: Type.String({ maxLength: 64 }),
  MchOrderId: Type.String({ maxLength: 64 }),
  MchRefundId: Type.String({ maxLength: 64 }),
  RefundFee: Type.Integer(),
  RetCode: Type.Integer(),
  RetMsg: Type.Optional(Type.String({ maxLength: 300 })),
  WxRefundId: Type.Optional(Type.String()),
})

/** 发货信息管理's pushes: only the order they name is taken from them, then checked with WeChat */
const TradeEvent = Type.Object({
  Event: Type.Union([Type.Literal('trade_manage_remind_shipping'), Type.Literal('trade_manage_order_settlement')]),
  transaction_id: Type.Optional(Type.String({ maxLength: 64 })),
  merchant_trade_no: Type.Optional(Type.String({ maxLength: 64 })),
})

const PUSH_OK = { ErrCode: 0, ErrMsg: 'success' }
/** Order statuses in which a delivery push has nothing to deliver yet */
const UNPAID: ReadonlySet<OrderStatus> = new Set(['created', 'pending', 'closed'])

export async function xpayPushRoutes(app: App): Promise<void> {
  const now = app.services.clock
  // The signature covers the exact bytes: keep the body as text, parse after verifying.
  app.addContentTypeParser(
    ['application/json', 'text/xml', 'text/plain'],
    { parseAs: 'string', bodyLimit: 65536 },
    (_request, body, done) => done(null, body),
  )
  const cfg = app.config
  const aesKey = cfg.MSG_PUSH_AES_KEY ? aesKeyFrom(cfg.MSG_PUSH_AES_KEY) : null

  const { metrics } = app.services
  const pushFailure = (reply: FastifyReply, status: number, message: string, reason: NotificationRefusal) => {
    metrics.notificationRefused('xpay', reason)
    return reply.code(status).send({ ErrCode: status, ErrMsg: message })
  }
  const pushOk = (kind: NotificationKind) => {
    metrics.notificationVerified('xpay', kind)
    return PUSH_OK
  }

  app.get(
    '/wechat/message-push',
    {
      schema: {
        tags: ['wechat'],
        summary: '消息推送 URL check: echoes echostr when the signature is right',
        querystring: PushQuery,
      },
    },
    async (request, reply) => {
      const { signature, timestamp, nonce, echostr } = request.query
      if (!cfg.MSG_PUSH_TOKEN || !verifyPushSignature(cfg.MSG_PUSH_TOKEN, timestamp, nonce, signature)) {
        throw new ApiError(401, 'BAD_SIGNATURE', 'the push signature does not match')
      }
      return reply.type('text/plain').send(echostr ?? '')
    },
  )

  app.post(
    '/wechat/message-push',
    {
      schema: {
        tags: ['wechat'],
        summary:
          '消息推送: virtual payment events (xpay_goods_deliver_notify fulfils, xpay_refund_notify), plain or 安全模式',
        querystring: PushQuery,
      },
    },
    async (request: FastifyRequest<{ Querystring: typeof PushQuery.static; Body: string }>, reply) => {
      const { signature, timestamp, nonce, msg_signature: msgSignature } = request.query
      if (!cfg.MSG_PUSH_TOKEN || !verifyPushSignature(cfg.MSG_PUSH_TOKEN, timestamp, nonce, signature)) {
        request.log.warn('message push refused: bad signature')
        return pushFailure(reply, 401, 'bad signature', 'signature')
      }
      // Each delivery is signed when it is sent: an old timestamp is a replay.
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
        request.log.warn('message push refused: stale timestamp')
        return pushFailure(reply, 401, 'stale timestamp', 'stale')
      }
      let message = parseObject(typeof request.body === 'string' ? request.body : '')
      if (!message) return pushFailure(reply, 400, 'body is not a JSON object', 'malformed')
      const encrypted = message.Encrypt
      if (typeof encrypted === 'string') {
        if (
          !aesKey ||
          !msgSignature ||
          !verifyMsgSignature(cfg.MSG_PUSH_TOKEN, timestamp, nonce, encrypted, msgSignature)
        ) {
          request.log.warn('message push refused: bad msg_signature')
          return pushFailure(reply, 401, 'bad msg_signature', 'signature')
        }
        const opened = decryptPush(aesKey, encrypted)
        if (!opened || opened.appid !== cfg.WECHAT_APPID) return pushFailure(reply, 400, 'cannot decrypt', 'malformed')
        message = parseObject(opened.message)
        if (!message) return pushFailure(reply, 400, 'decrypted message is not a JSON object', 'malformed')
      } else if (aesKey) {
        // With an EncodingAESKey configured, WeChat encrypts; a plain body is not from it.
        return pushFailure(reply, 401, 'expected an encrypted message', 'signature')
      }
      const signedBody = aesKey !== null

      if (Value.Check(DeliverEvent, message)) {
        if (message.Env !== undefined && message.Env !== cfg.XPAY_ENV)
          return pushFailure(reply, 400, 'wrong env', 'mismatch')
        const event: RailEvent = signedBody
          ? {
              kind: 'paid',
              outTradeNo: message.OutTradeNo,
              evidence: {
                transactionId: message.WeChatPayInfo?.TransactionId ?? '',
                amountFen: message.GoodsInfo.Quantity === 1 ? message.GoodsInfo.ActualPrice : -1,
                openid: message.OpenId,
                paidAt: (message.WeChatPayInfo?.PaidTime ?? Math.floor(now() / 1000)) * 1000,
              },
              key: `xpay:deliver:${message.OutTradeNo}`,
            }
          : { kind: 'check-payment', outTradeNo: message.OutTradeNo }
        const { outcome, order } = await app.services.payments.apply(event)
        if (outcome === 'refused') return pushFailure(reply, 400, 'no such order, or it does not match', 'mismatch')
        // Not paid by WeChat's own account (yet): WeChat pushes again, and the sweep asks too.
        if (order && UNPAID.has(order.status)) return pushFailure(reply, 409, 'the order is not paid', 'not_paid')
        return pushOk('payment')
      }
      if (Value.Check(RefundEvent, message)) {
        const event: RailEvent = signedBody
          ? {
              kind: 'refund',
              outTradeNo: message.MchOrderId,
              refundNo: message.MchRefundId,
              amountFen: message.RefundFee,
              outcome: message.RetCode === 0 ? 'succeeded' : 'failed',
              reason: message.RetCode === 0 ? '' : `虚拟支付退款失败：${message.RetMsg ?? message.RetCode}`,
              key: `xpay:refund:${message.MchRefundId}`,
            }
          : { kind: 'check-refund', outTradeNo: message.MchOrderId, refundNo: message.MchRefundId }
        let applied: Awaited<ReturnType<typeof app.services.payments.apply>>
        try {
          applied = await app.services.payments.apply(event)
        } catch (error) {
          // WeChat could not be asked: it pushes again.
          if (error instanceof RailUnavailable) return pushFailure(reply, 503, 'try again later', 'unavailable')
          throw error
        }
        if (applied.outcome === 'refused')
          return pushFailure(reply, 400, 'no such order, or it does not match', 'mismatch')
        return pushOk('refund')
      }
      if (Value.Check(TradeEvent, message)) {
        try {
          await app.services.shipping.tradeEvent(
            message.Event === 'trade_manage_remind_shipping' ? 'remind' : 'settlement',
            { transactionId: message.transaction_id, outTradeNo: message.merchant_trade_no },
          )
        } catch (error) {
          // WeChat could not be asked about the order: it pushes again.
          if (error instanceof ApiError && error.statusCode === 503)
            return pushFailure(reply, 503, 'try again later', 'unavailable')
          throw error
        }
        return pushOk('other')
      }
      // Other events (xpay_complaint_notify, …) are acknowledged and left to the operator.
      request.log.info(
        { event: typeof message.Event === 'string' ? message.Event.slice(0, 64) : null },
        'message push event ignored',
      )
      return pushOk('other')
    },
  )
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}
