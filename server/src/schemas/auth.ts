import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'

export const LoginBody = Type.Object(
  {
    /** The code from wx.login (or, in H5, from the simulator's phone side) */
    code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
)

export const Membership = Type.Object({
  active: Type.Boolean(),
  /** ISO 8601 instant; null when the reader never had VIP */
  expiresAt: Nullable(Type.String()),
})

export const Me = Type.Object({
  id: Type.Integer(),
  nickname: Type.String({ description: 'empty until the reader sets one' }),
  /** URL of the uploaded avatar; null when none */
  avatarUrl: Nullable(Type.String()),
  /** Masked bound phone, e.g. 138****5678; null when none is bound */
  phone: Nullable(Type.String()),
  membership: Membership,
})
export type MeDto = Static<typeof Me>

export const LoginResult = Type.Object({
  /** Opaque bearer token for `Authorization: Bearer …` */
  token: Type.String(),
  /** ISO 8601 instant; sliding: each use within the window extends it */
  expiresAt: Type.String(),
  me: Me,
})
export type LoginResultDto = Static<typeof LoginResult>

export const UpdateProfileBody = Type.Object(
  {
    nickname: Type.String({ minLength: 1, maxLength: 20 }),
  },
  { additionalProperties: false },
)

export const BindPhoneBody = Type.Object(
  {
    /** The code from the getPhoneNumber button event */
    code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
)

export const BindPhoneResult = Type.Object({
  me: Me,
  /** True when the phone belonged to a member of the web site and their VIP was carried over */
  linkedMember: Type.Boolean(),
})
export type BindPhoneResultDto = Static<typeof BindPhoneResult>
