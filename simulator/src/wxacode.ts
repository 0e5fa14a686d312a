import zlib from 'node:zlib'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { wechatError } from './errcodes'
import type { SimState } from './state'
import { AccessTokenQuery } from './tokens'

/** What a scene may hold: at most 32 visible characters of this set (WeChat's documented charset) */
export const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]{1,32}$/
/** A page path of the mini-program: no leading slash, no query */
const PAGE_PATTERN = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/

const WxacodeBody = Type.Object({
  scene: Type.Optional(Type.String()),
  page: Type.Optional(Type.String()),
  check_path: Type.Optional(Type.Boolean()),
  env_version: Type.Optional(Type.String()),
  width: Type.Optional(Type.Integer()),
  auto_color: Type.Optional(Type.Boolean()),
  line_color: Type.Optional(Type.Object({})),
  is_hyaline: Type.Optional(Type.Boolean()),
})

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(zlib.crc32(body))
  return Buffer.concat([length, body, crc])
}

/**
 * A small valid PNG (8 × 8 grey) standing in for a 小程序码. It encodes nothing a camera could read;
 * instead its `tEXt` chunks carry the scene and page, which `POST /__phone/scan` reads back.
 */
export function fakeWxacode(scene: string, page: string): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(8, 0)
  header.writeUInt32BE(8, 4)
  header.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale, no interlace
  const rows = Buffer.alloc(8 * 9, 0x80)
  for (let row = 0; row < 8; row++) rows[row * 9] = 0 // filter byte of each row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('tEXt', Buffer.from(`scene\0${scene}`, 'latin1')),
    chunk('tEXt', Buffer.from(`page\0${page}`, 'latin1')),
    chunk('IDAT', zlib.deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** The scene and page a fakeWxacode carries, or null for any other image */
export function readFakeWxacode(png: Buffer): { scene: string; page: string } | null {
  const found: Record<string, string> = {}
  let offset = 8
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    if (type === 'tEXt') {
      const text = png.toString('latin1', offset + 8, offset + 8 + length)
      const split = text.indexOf('\0')
      if (split > 0) found[text.slice(0, split)] = text.slice(split + 1)
    }
    offset += 12 + length
  }
  return found.scene !== undefined && found.page !== undefined ? { scene: found.scene, page: found.page } : null
}

/**
 * 获取不限制的小程序码: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/qrcode-link/qr-code/getUnlimitedQRCode.html
 * The image on success (Content-Type image/png); on error, HTTP 200 with a JSON errcode like the rest.
 */
export async function wxacodeRoutes(app: FastifyInstance, { state }: { state: SimState }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  api.post(
    '/wxa/getwxacodeunlimit',
    { schema: { querystring: AccessTokenQuery, body: WxacodeBody } },
    async (request, reply) => {
      const tokenError = state.tokens.check(request.query.access_token)
      if (tokenError !== 0) return wechatError(state, tokenError)
      const { scene, page, check_path, env_version, width } = request.body
      if (scene === undefined || !SCENE_PATTERN.test(scene)) return wechatError(state, 40129)
      if (page !== undefined && !PAGE_PATTERN.test(page)) return wechatError(state, 41030)
      // check_path (default true) wants a page of the released version; the simulator knows none.
      if (check_path !== false && page !== undefined) return wechatError(state, 41030)
      if (env_version !== undefined && !['release', 'trial', 'develop'].includes(env_version)) {
        return wechatError(state, 40097)
      }
      if (width !== undefined && (width < 280 || width > 1280)) return wechatError(state, 40097)
      return reply.type('image/png').send(fakeWxacode(scene, page ?? ''))
    },
  )
}
