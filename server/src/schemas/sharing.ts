import { Type, type Static } from '@sinclair/typebox'
import { BoundedInteger, IdInteger, Nullable } from './common'

/** Share codes: 12 characters of a 32-letter alphabet (no 0/1/l/o), random, never derived from the reader. */
export const SHARE_CODE_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'
export const SHARE_CODE_LENGTH = 12
export const SHARE_CODE_PATTERN = `^[${SHARE_CODE_ALPHABET}]{${SHARE_CODE_LENGTH}}$`

export const ShareCardParams = Type.Object({ id: IdInteger() }, { additionalProperties: false })

export const ShareCardQuery = Type.Object(
  {
    shape: Type.Optional(
      Type.Union([Type.Literal('chat'), Type.Literal('moments')], {
        default: 'chat',
        description: 'chat: 1000 × 800 (5:4, chat shares); moments: 800 × 800 (1:1, Moments shares)',
      }),
    ),
  },
  { additionalProperties: false },
)

/** A PNG image: 1000 × 800 (5:4) or, for Moments, 800 × 800 */
export const ShareCardImage = Type.Unsafe<Buffer>({
  description: 'PNG image, 1000 × 800 (5:4) or 800 × 800 (shape=moments)',
  content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
})

export const ShareCode = Type.Object({
  /** Opaque, stable per reader; goes into share paths as sharer=<code> */
  code: Type.String({ pattern: SHARE_CODE_PATTERN }),
})
export type ShareCodeDto = Static<typeof ShareCode>

export const ShareOpenBody = Type.Object(
  {
    issueId: IdInteger(),
    sharer: Type.String({ pattern: SHARE_CODE_PATTERN, minLength: 12, maxLength: 12 }),
    /** WeChat's launch scene (Taro.getEnterOptionsSync().scene): 1007 chat, 1008 group chat, 1154 Moments; null on H5 */
    scene: Nullable(BoundedInteger({ minimum: 1000, maximum: 9999 })),
  },
  { additionalProperties: false },
)
export type ShareOpenBodyDto = Static<typeof ShareOpenBody>
