import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { App } from '../app'
import { ApiError } from '../errors'
import { aesKeyFrom, decryptPush, verifyMsgSignature, verifyPushSignature } from '../payments/message-push'
import { decryptResource, MAX_CLOCK_SKEW_S, verifyWechatpaySignature } from '../payments/wechatpay-sign'
import { Transaction } from '../payments/wechatpay-api'

/**
 * Where WeChat tells us about money: the mini-program's 消息推送 (virtual payment events)
 * and WeChat Pay's notifications. Both read the raw body, verify before anything else,
 * change state only through Payments.settle / Payments.refunded (exactly once), and answer
 * duplicates as they answered the first delivery.
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
  OpenId: Type.String(),
  OutTradeNo: Type.String(),
  Env: Type.Optional(Type.Integer()),
  WeChatPayInfo: Type.Optional(
    Type.Object({ TransactionId: Type.Optional(Type.String()), PaidTime: Type.Optional(Type.Integer()) }),
  ),
  GoodsInfo: Type.Object({ ProductId: Type.String(), Quantity: Type.Integer(), ActualPrice: Type.Integer() }),
})

const RefundEvent = Type.Object({
  Event: Type.Literal('xpay_refund_notify'),
  OpenId: Type.String(),
  MchOrderId: Type.String(),
  MchRefundId: Type.String(),
  RefundFee: Type.Integer(),
  RetCode: Type.Integer(),
  WxRefundId: Type.Optional(Type.String()),
})

const Notification = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  event_type: Type.String(),
  resource: Type.Object({
    algorithm: Type.Literal('AEAD_AES_256_GCM'),
    ciphertext: Type.String(),
    nonce: Type.String(),
    associated_data: Type.Optional(Type.String()),
  }),
})

const RefundResource = Type.Object({
  mchid: Type.String(),
  out_trade_no: Type.String(),
  out_refund_no: Type.String(),
  refund_status: Type.String(),
  amount: Type.Object({ refund: Type.Integer() }),
})

const PUSH_OK = { ErrCode: 0, ErrMsg: 'success' }
/** Order statuses in which a delivery push has nothing to deliver yet */
const UNPAID: ReadonlySet<string> = new Set(['created', 'pending', 'closed'])

export async function paymentNotificationRoutes(app: App, options: { now: () => number }): Promise<void> {
  const { now } = options
  // The signature covers the exact bytes: keep the body as text, parse after verifying.
  app.addContentTypeParser(
    ['application/json', 'text/xml', 'text/plain'],
    { parseAs: 'string', bodyLimit: 65536 },
    (_request, body, done) => done(null, body),
  )
  const cfg = app.config
  const aesKey = cfg.MSG_PUSH_AES_KEY ? aesKeyFrom(cfg.MSG_PUSH_AES_KEY) : null

  const pushFailure = (reply: FastifyReply, status: number, message: string) =>
    reply.code(status).send({ ErrCode: status, ErrMsg: message })

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
        return pushFailure(reply, 401, 'bad signature')
      }
      // Each delivery is signed when it is sent: an old timestamp is a replay.
      if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_S) {
        request.log.warn('message push refused: stale timestamp')
        return pushFailure(reply, 401, 'stale timestamp')
      }
      let message: unknown
      try {
        message = JSON.parse(request.body)
      } catch {
        return pushFailure(reply, 400, 'body is not JSON')
      }
      const encrypted = (message as { Encrypt?: unknown }).Encrypt
      if (typeof encrypted === 'string') {
        if (
          !aesKey ||
          !msgSignature ||
          !verifyMsgSignature(cfg.MSG_PUSH_TOKEN, timestamp, nonce, encrypted, msgSignature)
        ) {
          request.log.warn('message push refused: bad msg_signature')
          return pushFailure(reply, 401, 'bad msg_signature')
        }
        const opened = decryptPush(aesKey, encrypted)
        if (!opened || opened.appid !== cfg.WECHAT_APPID) return pushFailure(reply, 400, 'cannot decrypt')
        try {
          message = JSON.parse(opened.message)
        } catch {
          return pushFailure(reply, 400, 'decrypted message is not JSON')
        }
      } else if (aesKey) {
        // With an EncodingAESKey configured, WeChat encrypts; a plain body is not from it.
        return pushFailure(reply, 401, 'expected an encrypted message')
      }

      if (Value.Check(DeliverEvent, message)) {
        const event = message
        if (event.Env !== undefined && event.Env !== cfg.XPAY_ENV) return pushFailure(reply, 400, 'wrong env')
        if (!aesKey) {
          // Plain mode signs the URL, not the body: fulfil only from our own query of the order.
          const order = await app.payments.confirmPushedDelivery(event.OutTradeNo)
          if (!order) return pushFailure(reply, 400, 'no such order')
          // Not paid by the rail's own account (yet): WeChat pushes again, and the sweep queries too.
          if (UNPAID.has(order.status)) return pushFailure(reply, 409, 'the order is not paid')
          return PUSH_OK
        }
        const outcome = await app.payments.settle(
          event.OutTradeNo,
          {
            transactionId: event.WeChatPayInfo?.TransactionId ?? '',
            amountFen: event.GoodsInfo.Quantity === 1 ? event.GoodsInfo.ActualPrice : -1,
            openid: event.OpenId,
            paidAt: (event.WeChatPayInfo?.PaidTime ?? Math.floor(now() / 1000)) * 1000,
          },
          'notification',
          `xpay:deliver:${event.OutTradeNo}`,
        )
        if (outcome === 'refused') return pushFailure(reply, 400, 'does not match the order')
        return PUSH_OK
      }
      if (Value.Check(RefundEvent, message)) {
        const event = message
        if (event.RetCode !== 0) {
          request.log.warn({ order: event.MchOrderId }, 'virtual payment refund failed')
          return PUSH_OK
        }
        const outcome = await app.payments.refunded(
          event.MchOrderId,
          event.MchRefundId,
          event.RefundFee,
          'notification',
          `xpay:refund:${event.MchRefundId}`,
        )
        if (outcome === 'refused') return pushFailure(reply, 400, 'does not match the order')
        return PUSH_OK
      }
      // Other events (xpay_complaint_notify, …) are acknowledged and left to the operator.
      request.log.info({ event: (message as { Event?: unknown }).Event }, 'message push event ignored')
      return PUSH_OK
    },
  )

  const wechatpayNotification =
    (kind: 'transaction' | 'refund') => async (request: FastifyRequest<{ Body: string }>, reply: FastifyReply) => {
      const fail = (status: number, message: string) => {
        request.log.warn({ kind, reason: message }, 'WeChat Pay notification refused')
        return reply.code(status).send({ code: 'FAIL', message })
      }
      const keys = app.wechatpayKeys()
      if (!keys) return fail(503, 'WeChat Pay is not configured')
      const verified = verifyWechatpaySignature(keys, request.headers, request.body, now())
      if (!verified.ok) return fail(401, verified.reason)
      let notification: unknown
      try {
        notification = JSON.parse(request.body)
      } catch {
        return fail(400, 'not JSON')
      }
      if (!Value.Check(Notification, notification)) return fail(400, 'not a notification')
      const plaintext = decryptResource(cfg.WECHATPAY_APIV3_KEY, notification.resource)
      if (plaintext === null) return fail(400, 'cannot decrypt')
      let resource: unknown
      try {
        resource = JSON.parse(plaintext)
      } catch {
        return fail(400, 'resource is not JSON')
      }
      if (kind === 'transaction') {
        if (notification.event_type !== 'TRANSACTION.SUCCESS' || !Value.Check(Transaction, resource))
          return fail(400, 'not a payment')
        const evidence = app.payments.evidenceFromTransaction(resource)
        if (!evidence) return fail(400, 'does not match this merchant')
        const outcome = await app.payments.settle(
          resource.out_trade_no,
          evidence,
          'notification',
          `wechatpay:${notification.id}`,
        )
        if (outcome === 'refused') return fail(400, 'does not match the order')
        return reply.code(204).send()
      }
      if (!Value.Check(RefundResource, resource) || resource.mchid !== cfg.WECHATPAY_MCHID)
        return fail(400, 'not a refund of this merchant')
      if (notification.event_type !== 'REFUND.SUCCESS' || resource.refund_status !== 'SUCCESS') {
        request.log.warn({ order: resource.out_trade_no, event: notification.event_type }, 'refund did not succeed')
        return reply.code(204).send()
      }
      const outcome = await app.payments.refunded(
        resource.out_trade_no,
        resource.out_refund_no,
        resource.amount.refund,
        'notification',
        `wechatpay:${notification.id}`,
      )
      if (outcome === 'refused') return fail(400, 'does not match the order')
      return reply.code(204).send()
    }

  app.post(
    '/wechatpay/notify',
    {
      schema: {
        tags: ['wechat'],
        summary: 'WeChat Pay v3 payment notification (TRANSACTION.SUCCESS): verified, decrypted, checked',
      },
    },
    wechatpayNotification('transaction'),
  )
  app.post(
    '/wechatpay/refund-notify',
    { schema: { tags: ['wechat'], summary: 'WeChat Pay v3 refund notification (REFUND.SUCCESS)' } },
    wechatpayNotification('refund'),
  )
}
