import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common'

export const Region = Type.Object({
  code: Type.String({ description: 'e.g. shanxi' }),
  name: Type.String({ description: 'e.g. 山西' }),
  issueCount: Type.Integer(),
})
export type RegionDto = Static<typeof Region>

export const Column = Type.Object({
  slug: Type.String({ description: 'e.g. redian' }),
  name: Type.String({ description: 'e.g. 热点精讲' }),
  parentSlug: Nullable(Type.String()),
  /** Slugs from the root down to this column, for the breadcrumb */
  path: Type.Array(Type.String()),
})
export type ColumnDto = Static<typeof Column>

export const RegionList = Type.Object({ items: Type.Array(Region) })
export const ColumnList = Type.Object({ items: Type.Array(Column) })
