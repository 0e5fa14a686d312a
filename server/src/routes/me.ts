import { Type } from '@sinclair/typebox'
import type { App } from '../plugins/types'
import { IMAGE_CONTENT_TYPES, sniffImage, type ImageType } from '../infra/media-storage'
import { normalizePhone } from '../domain/members'
import { wechatFailure } from '../domain/accounts'
import { ApiError } from '../errors'
import { BindPhoneBody, BindPhoneResult, Me, UpdateProfileBody } from '../schemas/auth'
import { errorResponses } from '../schemas/common'

export const AVATAR_MAX_BYTES = 2 * 1024 * 1024

export async function meRoutes(app: App): Promise<void> {
  const { services } = app
  const now = services.clock
  const { accounts, members, storage, throttles } = services
  const secured = { tags: ['me'], security: [{ bearer: [] }] }

  app.get(
    '/me',
    {
      schema: {
        ...secured,
        summary: 'The signed-in reader: profile, masked phone, VIP status',
        response: { 200: Me, ...errorResponses },
      },
    },
    async (request) => accounts.me(app.requireSession(request).userId, now()),
  )

  app.delete(
    '/me',
    {
      schema: {
        ...secured,
        summary: '注销账号: delete the signed-in reader’s personal data and let their WeChat account go',
        description:
          'Orders and the money ledger are kept as the law requires. 409 ORDER_IN_PROGRESS while an order is unpaid, being fulfilled or refunded. The token stops working at once.',
        response: { 204: Type.Null(), 409: errorResponses[400], ...errorResponses },
      },
    },
    async (request, reply) => {
      const { userId } = app.requireSession(request)
      await accounts.deleteAccount(userId)
      // Every replica forgets the reader's cached sessions at once, as on sign-out.
      services.announce('session')
      request.log.info({ userId }, 'account deleted by its reader')
      return reply.code(204).send(null)
    },
  )

  app.patch(
    '/me',
    {
      schema: {
        ...secured,
        summary: 'Set the nickname (checked by WeChat content security when configured)',
        body: UpdateProfileBody,
        response: { 200: Me, 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      await throttles.hit('nicknameChanges', userId, now())
      await accounts.setNickname(userId, request.body.nickname, app.config.NICKNAME_SECURITY_CHECK)
      return accounts.me(userId, now())
    },
  )

  // PUT replaces the avatar; POST is the same for wx.uploadFile, which can only POST.
  for (const method of ['PUT', 'POST'] as const) {
    app.route({
      method,
      url: '/me/avatar',
      schema: {
        ...secured,
        summary: 'Upload the avatar: multipart field "file", JPEG, PNG or WebP (judged by content), at most 2 MB',
        consumes: ['multipart/form-data'],
        response: { 200: Me, 413: errorResponses[400], 415: errorResponses[400], ...errorResponses },
      },
      handler: async (request) => {
        const { userId } = app.requireSession(request)
        await throttles.hit('avatarUploads', userId, now())
        if (!request.isMultipart()) {
          throw new ApiError(415, 'MULTIPART_REQUIRED', 'send the image as multipart/form-data in a field named "file"')
        }
        const file = await upload(() => request.file({ limits: { fileSize: AVATAR_MAX_BYTES, files: 1, parts: 4 } }))
        if (!file || file.fieldname !== 'file')
          throw new ApiError(400, 'FILE_REQUIRED', 'send the image in a field named "file"')
        // Past the limit, multipart fails the request with FILE_TOO_LARGE (see the error handler).
        const data = await upload(() => file.toBuffer())
        const type = sniffImage(data)
        if (!type) throw new ApiError(415, 'UNSUPPORTED_IMAGE', 'the avatar must be a JPEG, PNG or WebP image')
        await accounts.setAvatar(userId, data, type)
        return accounts.me(userId, now())
      },
    })
  }

  app.post(
    '/me/phone',
    {
      schema: {
        ...secured,
        summary:
          'Bind the phone from a getPhoneNumber code; links a member of the web site and carries their VIP over once',
        body: BindPhoneBody,
        response: { 200: BindPhoneResult, 409: errorResponses[400], 503: errorResponses[500], ...errorResponses },
      },
    },
    async (request) => {
      const { userId } = app.requireSession(request)
      const { wechat, accessTokens } = services.wechatClients()
      const openid = await accounts.openidOf(userId, 'binding a phone')
      let info
      try {
        info = await accessTokens.withToken((token) => wechat.phoneNumber(token, request.body.code, openid))
      } catch (error) {
        throw wechatFailure(error, 'phone number')
      }
      if (info.watermark.appid !== wechat.appid) {
        request.log.warn({ userId }, 'phone code refused: watermark is for another appid')
        throw new ApiError(
          400,
          'PHONE_CODE_REJECTED',
          'this phone code was not issued for this mini-program: try again',
        )
      }
      const at = now()
      const { linkedMember } = await members.bindPhone(
        userId,
        normalizePhone(info.countryCode, info.purePhoneNumber),
        at,
      )
      // A linked web-site member's VIP carries over: every replica must see it.
      services.announce('membership')
      return { me: await accounts.me(userId, at), linkedMember }
    },
  )

  app.get(
    '/media/avatars/:name',
    {
      schema: {
        tags: ['me'],
        summary: 'An uploaded avatar; names are unique per upload, so it may be cached for a year',
        params: Type.Object({ name: Type.String({ pattern: '^[0-9]+-[0-9a-f]{16}\\.(jpg|png|webp)$' }) }),
        response: { 404: errorResponses[404], 400: errorResponses[400] },
      },
    },
    async (request, reply) => {
      const data = await storage.read(request.params.name)
      if (!data) throw new ApiError(404, 'NOT_FOUND', 'there is no such avatar')
      const extension = request.params.name.split('.').pop()
      const type = (extension === 'jpg' ? 'jpeg' : extension) as ImageType
      return reply
        .header('content-type', IMAGE_CONTENT_TYPES[type])
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(data as never)
    },
  )
}

/**
 * Reads the multipart body: a malformed one (no boundary, cut short) is the client's 400
 * INVALID_UPLOAD, not a 500; multipart's own 4xx errors (FILE_TOO_LARGE, limits) pass through.
 */
export async function upload<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode
    if (typeof status === 'number' && status < 500) throw error
    throw new ApiError(
      400,
      'INVALID_UPLOAD',
      'the upload is not well-formed multipart/form-data: send the image again in a field named "file"',
    )
  }
}
