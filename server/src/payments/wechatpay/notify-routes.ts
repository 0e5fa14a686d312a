import { Type } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { NotificationRefusal } from '../../infra/metrics'
import type { App } from '../../plugins/types'
import { Transaction } from './api'
import { WechatpayRail } from './rail'
import { decryptResource, verifyWechatpaySignature } from './sign'

/**
 * WeChat Pay v3 notifications: signature over the exact bytes (300 s window), AES-256-GCM
 * resource with its tag checked, appid / mchid / amount / payer checked, then applied through
 * Payments exactly once; duplicates are answered as the first delivery was.
 */

const Notification = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  event_type: Type.String({ maxLength: 64 }),
  resource: Type.Object({
    algorithm: Type.Literal('AEAD_AES_256_GCM'),
    ciphertext: Type.String(),
    nonce: Type.String(),
    associated_data: Type.Optional(Type.String()),
  }),
})

const RefundResource = Type.Object({
  mchid: Type.String(),
  out_trade_no: Type.String({ maxLength: 64 }),
  out_refund_no: Type.String({ maxLength: 64 }),
  refund_status: Type.String(),
  amount: Type.Object({ refund: Type.Integer() }),
})

export async function wechatpayNotifyRoutes(app: App): Promise<void> {
  const { rail, keys } = app.services.wechatpay
  const { metrics } = app.services
  const now = app.services.clock
  // The signature covers the exact bytes: keep the body as text, parse after verifying.
  app.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string', bodyLimit: 65536 },
    (_request, body, done) => done(null, body),
  )
  const cfg = app.config

  const notification =
    (kind: 'transaction' | 'refund') => async (request: FastifyRequest<{ Body: string }>, reply: FastifyReply) => {
      const fail = (status: number, message: string, reason: NotificationRefusal) => {
        request.log.warn({ kind, reason: message }, 'WeChat Pay notification refused')
        metrics.notificationRefused('wechatpay', reason)
        return reply.code(status).send({ code: 'FAIL', message })
      }
      if (!keys || !rail) return fail(503, 'WeChat Pay is not configured', 'not_configured')
      const body = typeof request.body === 'string' ? request.body : ''
      const verified = verifyWechatpaySignature(keys, request.headers, body, now())
      if (!verified.ok) return fail(401, verified.reason, verified.reason === 'stale_timestamp' ? 'stale' : 'signature')
      const envelope = parseJson(body)
      if (!Value.Check(Notification, envelope)) return fail(400, 'not a notification', 'malformed')
      const plaintext = decryptResource(cfg.WECHATPAY_APIV3_KEY, envelope.resource)
      if (plaintext === null) return fail(400, 'cannot decrypt', 'malformed')
      const resource = parseJson(plaintext)
      if (kind === 'transaction') {
        if (envelope.event_type !== 'TRANSACTION.SUCCESS' || !Value.Check(Transaction, resource))
          return fail(400, 'not a payment', 'malformed')
        const evidence = rail.evidence(resource)
        if (!evidence) return fail(400, 'does not match this merchant', 'mismatch')
        const { outcome } = await app.services.payments.apply({
          kind: 'paid',
          outTradeNo: resource.out_trade_no,
          evidence,
          key: `wechatpay:${envelope.id}`,
        })
        if (outcome === 'refused') return fail(400, 'does not match the order', 'mismatch')
        metrics.notificationVerified('wechatpay', 'payment')
        return reply.code(204).send()
      }
      if (!Value.Check(RefundResource, resource) || resource.mchid !== cfg.WECHATPAY_MCHID)
        return fail(400, 'not a refund of this merchant', 'mismatch')
      const result = WechatpayRail.refundOutcome(resource.refund_status)
      if (!result || !envelope.event_type.startsWith('REFUND.')) return fail(400, 'not a refund outcome', 'malformed')
      const { outcome } = await app.services.payments.apply({
        kind: 'refund',
        outTradeNo: resource.out_trade_no,
        refundNo: resource.out_refund_no,
        amountFen: resource.amount.refund,
        outcome: result.outcome,
        reason: result.reason,
        key: `wechatpay:${envelope.id}`,
      })
      if (outcome === 'refused') return fail(400, 'does not match the order', 'mismatch')
      metrics.notificationVerified('wechatpay', 'refund')
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
    notification('transaction'),
  )
  app.post(
    '/wechatpay/refund-notify',
    {
      schema: {
        tags: ['wechat'],
        summary:
          'WeChat Pay v3 refund notification (REFUND.SUCCESS / ABNORMAL / CLOSED), our refunds and ones made in the merchant console',
      },
    },
    notification('refund'),
  )
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
