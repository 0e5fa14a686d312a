import { Type, type Static } from '@sinclair/typebox'

export const PreviewPersonaSchema = Type.Union(
  [Type.Literal('guest'), Type.Literal('reader'), Type.Literal('vip'), Type.Literal('moments')],
  { description: 'guest: nobody signed in; reader: signed in without VIP; vip: a VIP member; moments: 朋友圈单页模式' },
)

export const PreviewTicketBody = Type.Object({ as: PreviewPersonaSchema }, { additionalProperties: false })

export const PreviewTicketDto = Type.Object({
  issueId: Type.Integer(),
  as: PreviewPersonaSchema,
  /** Sent by the H5 app as x-preview-ticket; also the scene of the 小程序码 (≤ 32 characters) */
  ticket: Type.String({ maxLength: 32 }),
  /** The H5 article page with the ticket, for the console's frame; null when PREVIEW_H5_BASE is not set */
  url: Type.Union([Type.String(), Type.Null()]),
  /** The 小程序码 that opens the same preview in the trial mini-program */
  codeUrl: Type.String(),
  expiresAt: Type.String({ format: 'date-time' }),
})
export type PreviewTicketDtoType = Static<typeof PreviewTicketDto>

export const PreviewCodeQuery = Type.Object(
  { ticket: Type.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
)
