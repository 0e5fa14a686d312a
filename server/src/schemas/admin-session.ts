import { Type, type Static } from '@sinclair/typebox'

/** Sign-in, sessions and scan sign-in of the operator console (docs/console.md) */

export const OperatorDto = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.Union([Type.Literal('editor'), Type.Literal('finance'), Type.Literal('admin')]),
})
export type OperatorDtoType = Static<typeof OperatorDto>

export const PasswordSignInBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
)

export const AdminSessionDto = Type.Object({
  operator: OperatorDto,
  /** Send it back as the `x-csrf-token` header on every request that changes something */
  csrfToken: Type.String(),
})
export type AdminSessionDtoType = Static<typeof AdminSessionDto>

export const ScanTicketDto = Type.Object({
  /** 32 characters; the 小程序码's scene */
  ticket: Type.String(),
  /** The 小程序码 to show, relative to the API's origin */
  codeUrl: Type.String(),
  /** ISO 8601 instant */
  expiresAt: Type.String(),
})

export const TicketParams = Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 64 }) })

export const ScanStatusDto = Type.Object({
  status: Type.Union([
    Type.Literal('waiting'),
    Type.Literal('confirmed'),
    Type.Literal('refused'),
    Type.Literal('expired'),
  ]),
  /** With `confirmed`, the first time only: the session that was just started */
  operator: Type.Optional(OperatorDto),
  csrfToken: Type.Optional(Type.String()),
})

export const ScanConfirmBody = Type.Object(
  { ticket: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
)

export const ScanCodeImage = Type.Unsafe<Buffer>({
  description: 'the 小程序码 as a PNG image, drawn by WeChat',
  content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
})
