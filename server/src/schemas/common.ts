import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** The one error shape every endpoint answers with. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable, machine-readable code, e.g. ISSUE_NOT_FOUND' }),
      message: Type.String({ description: 'A sentence a person can act on' }),
    }),
  },
  { $id: 'ErrorBody' },
)
export type ErrorBodyDto = Static<typeof ErrorBody>

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
  500: ErrorBody,
} as const

/**
 * A value or null, written as `type: [T, 'null']` rather than `anyOf`: fast-json-stringify
 * serialises it directly instead of trying each branch (OpenAPI 3.1 style).
 */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type as string, 'null'] })
}
