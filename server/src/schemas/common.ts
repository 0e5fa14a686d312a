import { Type, type IntegerOptions, type Static, type TSchema } from '@sinclair/typebox'

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
  const type = [schema.type as string, 'null']
  // BoundedInteger's inner type check must let null through as well.
  const allOf = (schema.allOf as TSchema[] | undefined)?.map((inner) => (inner.type ? { ...inner, type } : inner))
  return Type.Unsafe<Static<T> | null>({ ...schema, type, ...(allOf ? { allOf } : {}) })
}

/** The largest value an `integer` column holds on PostgreSQL (int4): ids, issue numbers. */
export const INT4_MAX = 2147483647

/**
 * A bounded integer for values that may arrive as text (query and path parameters, string
 * body fields). Ajv's coerceTypes turns "1e309" into Infinity, and with strictNumbers it
 * judges minimum and maximum on finite numbers only, so Infinity passed a plain
 * Type.Integer and reached the database (a 500). The inner type check runs on the coerced
 * value and refuses Infinity ("must be integer"), so the bounds hold.
 */
export function BoundedInteger(options: IntegerOptions & { minimum: number; maximum: number }) {
  return Type.Integer({ ...options, allOf: [{ type: 'integer' }] })
}

/** A database id as a parameter: 1 … 2147483647. */
export const IdInteger = () => BoundedInteger({ minimum: 1, maximum: INT4_MAX })
