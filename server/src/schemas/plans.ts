import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'

export const Plan = Type.Object({
  id: Type.String({ description: 'e.g. half_year' }),
  name: Type.String({ description: 'e.g. 半年' }),
  months: Type.Integer(),
  /** Price in fen (分): 4800 is ¥48 */
  priceFen: Type.Integer(),
  /** Struck-through original price in fen; null when there is none */
  originalPriceFen: Nullable(Type.Integer()),
  benefits: Type.Array(Type.String()),
})
export type PlanDto = Static<typeof Plan>
export const PlanList = Type.Object({ items: Type.Array(Plan) })
