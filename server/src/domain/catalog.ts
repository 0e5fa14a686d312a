import type { Kysely } from 'kysely'
import type { ColumnRow, Database, RegionRow } from '../db/schema'
import type { PlanDto } from '../schemas/plans'

export interface CatalogSnapshot {
  regionsByCode: Map<string, RegionRow>
  regionsById: Map<number, RegionRow>
  columnsBySlug: Map<string, ColumnRow>
  columnsById: Map<number, ColumnRow>
  plans: PlanDto[]
}

/**
 * Regions, columns and plans change rarely and are read on every request:
 * they are kept for a few seconds per process. Each replica reloads on its own.
 */
export class Catalog {
  private snapshot: CatalogSnapshot | null = null
  private loadedAt = 0
  private loading: Promise<CatalogSnapshot> | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 10000,
  ) {}

  async get(now = Date.now()): Promise<CatalogSnapshot> {
    if (this.snapshot && now - this.loadedAt < this.ttlMs) return this.snapshot
    this.loading ??= this.load()
      .then((snapshot) => {
        this.snapshot = snapshot
        this.loadedAt = Date.now()
        return snapshot
      })
      .finally(() => {
        this.loading = null
      })
    return this.loading
  }

  clear(): void {
    this.snapshot = null
  }

  /** Published issues per region id (reads the whole table: callers cache the answer). */
  async issueCountsByRegion(now: number): Promise<Map<number, number>> {
    const counts = await this.db
      .selectFrom('issues')
      .select(['region_id', (eb) => eb.fn.countAll<number | string>().as('count')])
      .where('status', '=', 'published')
      .where('published_at', '<=', now)
      .groupBy('region_id')
      .execute()
    return new Map(counts.map((row) => [row.region_id, Number(row.count)]))
  }

  /** Column ids of a column and all its descendants. */
  static columnAndDescendants(snapshot: CatalogSnapshot, columnId: number): number[] {
    const ids = [columnId]
    for (let index = 0; index < ids.length; index++) {
      for (const column of snapshot.columnsById.values()) {
        if (column.parent_id === ids[index]) ids.push(column.id)
      }
    }
    return ids
  }

  /** The column chain from the root down to a column. */
  static columnPath(snapshot: CatalogSnapshot, columnId: number): ColumnRow[] {
    const chain: ColumnRow[] = []
    let current = snapshot.columnsById.get(columnId)
    while (current && chain.length < 16) {
      chain.unshift(current)
      current = current.parent_id === null ? undefined : snapshot.columnsById.get(current.parent_id)
    }
    return chain
  }

  private async load(): Promise<CatalogSnapshot> {
    const [regions, columns, plans] = await Promise.all([
      this.db.selectFrom('regions').selectAll().orderBy('sort_order').execute(),
      this.db.selectFrom('columns').selectAll().orderBy('sort_order').execute(),
      this.db.selectFrom('plans').selectAll().where('active', '=', 1).orderBy('sort_order').execute(),
    ])
    return {
      regionsByCode: new Map(regions.map((r) => [r.code, r])),
      regionsById: new Map(regions.map((r) => [r.id, r])),
      columnsBySlug: new Map(columns.map((c) => [c.slug, c])),
      columnsById: new Map(columns.map((c) => [c.id, c])),
      plans: plans.map((p) => ({
        id: p.id,
        name: p.name,
        months: p.months,
        priceFen: p.price_fen,
        originalPriceFen: p.original_price_fen,
        benefits: JSON.parse(p.benefits_json) as string[],
      })),
    }
  }
}
