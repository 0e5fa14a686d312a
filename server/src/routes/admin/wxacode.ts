import type { FastifyReply } from 'fastify'
import { wechatFailure } from '../../domain/accounts'
import type { App, FastifyRequest } from '../../plugins/types'

/**
 * Answers a 小程序码 (image/png, never stored) drawn by WeChat's getwxacodeunlimit: it opens `page`
 * of the mini-program version ADMIN_CONFIRM_ENV_VERSION with `scene` (≤ 32 characters). Used by
 * the console's scan sign-in and its "Preview as".
 */
export async function sendMiniProgramCode(
  app: App,
  request: FastifyRequest,
  reply: FastifyReply,
  code: { scene: string; page: string },
): Promise<FastifyReply> {
  const { services } = app
  const { wechat, accessTokens } = services.wechatClients()
  let png: Buffer
  try {
    png = await accessTokens.withToken((token) =>
      wechat.wxacodeUnlimit(token, {
        ...code,
        check_path: false,
        env_version: services.config.ADMIN_CONFIRM_ENV_VERSION,
      }),
    )
  } catch (error) {
    request.log.warn({ err: error }, 'getwxacodeunlimit failed')
    throw wechatFailure(error, '小程序码')
  }
  return reply.type('image/png').header('cache-control', 'no-store').send(png)
}
