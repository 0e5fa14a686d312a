import type { Kysely, Selectable } from 'kysely'
import type { Database, ProductKind, ProductTable } from '../db/schema'
import { ApiError } from '../errors'
import { shanghaiDate } from '../infra/time'
import type { ProductDto } from '../schemas/store'

/**
 * The store's shelf (docs/store.md): books and magazines with the server's prices, what is left,
 * 销售 N件 from paid lines (refunded copies not counted) and 浏览 N人, one per viewer and day.
 * Checkout and the money are in payments/goods.ts.
 */

export type ProductRow = Selectable<ProductTable>

export const PRODUCT_KINDS: readonly ProductKind[] = ['in_stock', 'preorder', 'subscription']

/** What an operator sets on a product (CLI now, the console later) */
export interface ProductFields {
  slug: string
  title: string
  cover: string | null
  priceFen: number
  originalPriceFen: number | null
  kind: ProductKind
  shipDate: string | null
  issuesCount: number | null
  stock: number
  limitPerReader: number
  onShelf: boolean
  sortOrder: number
}

/** ¥100,000: far above any book, and 99 copies of it still fit an int4 amount */
export const MAX_PRICE_FEN = 10_000_000
export const MAX_STOCK = 1_000_000
export const MAX_LIMIT_PER_READER = 99

/** Why these fields cannot be a product, or null when they can */
export function productProblem(fields: ProductFields): string | null {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(fields.slug)) return 'the slug is 1–64 lowercase letters, digits or "-"'
  const title = fields.title.trim()
  if (title.length === 0 || [...title].length > 100 || /\p{Cc}/u.test(title)) return 'the title is 1–100 characters'
  if (fields.cover !== null && (fields.cover.length > 300 || !/^(https:\/\/|\/)[^\s]+$/.test(fields.cover)))
    return 'the cover is an https URL or a path starting with "/", at most 300 characters'
  const fen = (value: number) => Number.isInteger(value) && value >= 1 && value <= MAX_PRICE_FEN
  if (!fen(fields.priceFen)) return 'the price is ¥0.01 to ¥100000.00'
  if (fields.originalPriceFen !== null && (!fen(fields.originalPriceFen) || fields.originalPriceFen <= fields.priceFen))
    return 'the original price (原价) is above the price'
  if (!PRODUCT_KINDS.includes(fields.kind)) return `the kind is one of ${PRODUCT_KINDS.join(', ')}`
  if (fields.kind === 'preorder') {
    if (fields.shipDate === null || !isDate(fields.shipDate)) return 'a preorder needs its ship date, YYYY-MM-DD'
  } else if (fields.shipDate !== null) return 'only a preorder has a ship date'
  if (fields.kind === 'subscription') {
    const count = fields.issuesCount
    if (count === null || !Number.isInteger(count) || count < 1 || count > 120)
      return 'a subscription ships 1 to 120 issues'
  } else if (fields.issuesCount !== null) return 'only a subscription has an issue count'
  if (!Number.isInteger(fields.stock) || fields.stock < 0 || fields.stock > MAX_STOCK)
    return `the stock is 0 to ${MAX_STOCK}`
  if (
    !Number.isInteger(fields.limitPerReader) ||
    fields.limitPerReader < 1 ||
    fields.limitPerReader > MAX_LIMIT_PER_READER
  )
    return `the limit per reader is 1 to ${MAX_LIMIT_PER_READER}`
  if (!Number.isInteger(fields.sortOrder) || Math.abs(fields.sortOrder) > 1_000_000)
    return 'the sort order is a whole number'
  return null
}

function isDate(text: string): boolean {
  return /^\d{4}-\d\d-\d\d$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)
}

export function productFields(row: ProductRow): ProductFields {
  return {
    slug: row.slug,
    title: row.title,
    cover: row.cover,
    priceFen: row.price_fen,
    originalPriceFen: row.original_price_fen,
    kind: row.kind,
    shipDate: row.ship_date,
    issuesCount: row.issues_count,
    stock: row.stock,
    limitPerReader: row.limit_per_reader,
    onShelf: row.on_shelf === 1,
    sortOrder: row.sort_order,
  }
}

const columns = (fields: ProductFields) => ({
  slug: fields.slug,
  title: fields.title.trim(),
  cover: fields.cover,
  price_fen: fields.priceFen,
  original_price_fen: fields.originalPriceFen,
  kind: fields.kind,
  ship_date: fields.shipDate,
  issues_count: fields.issuesCount,
  limit_per_reader: fields.limitPerReader,
  on_shelf: fields.onShelf ? 1 : 0,
  sort_order: fields.sortOrder,
})

/** Viewer-days remembered in memory so a reader opening a page again writes nothing */
const MAX_SEEN = 50000

export class Store {
  private seen = new Set<string>()
  private seenDay = ''

  constructor(private readonly db: Kysely<Database>) {}

  /** Products on the shelf, in the operator's order */
  async list(): Promise<ProductDto[]> {
    const rows = await this.db
      .selectFrom('products')
      .selectAll()
      .where('on_shelf', '=', 1)
      .orderBy('sort_order')
      .orderBy('id', 'desc')
      .limit(200)
      .execute()
    return this.views(rows)
  }

  /** One product on the shelf, counting the viewer once a day; 404 when it is not on the shelf */
  async detail(id: number, viewerKey: string, now: number): Promise<ProductDto> {
    const row = await this.db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .where('on_shelf', '=', 1)
      .executeTakeFirst()
    if (!row) throw new ApiError(404, 'PRODUCT_NOT_FOUND', `没有编号为 ${id} 的在售商品`)
    if (await this.recordView(id, viewerKey, now)) row.view_count += 1
    const [view] = await this.views([row])
    return view as ProductDto
  }

  /** Every product, on the shelf or not, with its sales: for the operator */
  async all(): Promise<(ProductDto & { onShelf: boolean; sortOrder: number })[]> {
    const rows = await this.db.selectFrom('products').selectAll().orderBy('sort_order').orderBy('id', 'desc').execute()
    const views = await this.views(rows)
    return views.map((view, i) => ({ ...view, onShelf: rows[i]?.on_shelf === 1, sortOrder: rows[i]?.sort_order ?? 0 }))
  }

  /** A product by `#<id>` or slug */
  async find(ref: string): Promise<ProductRow> {
    const id = /^#([1-9]\d{0,9})$/.exec(ref)
    let query = this.db.selectFrom('products').selectAll()
    query = id ? query.where('id', '=', Number(id[1])) : query.where('slug', '=', ref)
    const row = await query.executeTakeFirst()
    if (!row) throw new ApiError(404, 'PRODUCT_NOT_FOUND', `there is no product "${ref}"`)
    return row
  }

  async add(fields: ProductFields, now: number): Promise<ProductRow> {
    const problem = productProblem(fields)
    if (problem) throw new ApiError(400, 'INVALID_PRODUCT', problem)
    const taken = await this.db.selectFrom('products').select('id').where('slug', '=', fields.slug).executeTakeFirst()
    if (taken) throw new ApiError(409, 'SLUG_TAKEN', `product #${taken.id} already has the slug "${fields.slug}"`)
    return this.db
      .insertInto('products')
      .values({ ...columns(fields), stock: fields.stock, view_count: 0, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow()
  }

  /**
   * Changes what a product is (not its stock: adjustStock moves that, atomically). Lines of orders
   * already made keep the title and price they were made at.
   */
  async update(
    ref: string,
    change: (current: ProductFields) => ProductFields,
    now: number,
  ): Promise<{ before: ProductRow; after: ProductRow }> {
    const before = await this.find(ref)
    const fields = { ...change(productFields(before)), stock: before.stock }
    const problem = productProblem(fields)
    if (problem) throw new ApiError(400, 'INVALID_PRODUCT', problem)
    if (fields.slug !== before.slug) {
      const taken = await this.db.selectFrom('products').select('id').where('slug', '=', fields.slug).executeTakeFirst()
      if (taken) throw new ApiError(409, 'SLUG_TAKEN', `product #${taken.id} already has the slug "${fields.slug}"`)
    }
    const after = await this.db
      .updateTable('products')
      .set({ ...columns(fields), updated_at: now })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return { before, after }
  }

  /**
   * Adds copies to the shelf (or takes them off, `delta` < 0) in one conditional update, so it
   * never races a checkout into negative stock: 409 when fewer than -delta are left.
   */
  async adjustStock(ref: string, delta: number, now: number): Promise<ProductRow> {
    if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_STOCK)
      throw new ApiError(400, 'INVALID_STOCK', `the change is a whole number from -${MAX_STOCK} to ${MAX_STOCK}, not 0`)
    const before = await this.find(ref)
    const after = await this.db
      .updateTable('products')
      .set((eb) => ({ stock: eb('stock', '+', delta), updated_at: now }))
      .where('id', '=', before.id)
      .where('stock', '>=', Math.max(0, -delta))
      .where('stock', '<=', MAX_STOCK - Math.max(0, delta))
      .returningAll()
      .executeTakeFirst()
    if (!after) {
      const current = await this.find(ref)
      throw new ApiError(
        409,
        'STOCK_CONFLICT',
        `product #${current.id} has ${current.stock} copies: cannot change it by ${delta}`,
      )
    }
    return after
  }

  /** Records a viewer's view of a product, once per viewer and day; true when it counted */
  private async recordView(productId: number, viewerKey: string, now: number): Promise<boolean> {
    const day = shanghaiDate(now)
    if (day !== this.seenDay || this.seen.size >= MAX_SEEN) {
      this.seen = new Set()
      this.seenDay = day
    }
    const key = `${productId}|${viewerKey}`
    if (this.seen.has(key)) return false
    this.seen.add(key)
    // The unique key counts a viewer once across replicas and restarts.
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('product_views')
        .values({ product_id: productId, viewer_key: viewerKey.slice(0, 64), day })
        .onConflict((oc) => oc.doNothing())
        .returning('product_id')
        .executeTakeFirst()
      if (!inserted) return false
      await trx
        .updateTable('products')
        .set((eb) => ({ view_count: eb('view_count', '+', 1) }))
        .where('id', '=', productId)
        .execute()
      return true
    })
  }

  /**
   * Per product, copies sold (lines of paid orders, refunded copies and refunded orders not
   * counted) and the money taken (paid less refunded). A checkout makes one line per order, so an
   * order's money is its product's.
   */
  async sales(ids: number[]): Promise<Map<number, { sold: number; revenueFen: number }>> {
    if (ids.length === 0) return new Map()
    const rows = await this.db
      .selectFrom('order_lines')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select((eb) => [
        'order_lines.product_id',
        eb.fn.sum<number | string>(eb('order_lines.quantity', '-', eb.ref('order_lines.refunded_quantity'))).as('sold'),
        eb.fn.sum<number | string>(eb('orders.amount_fen', '-', eb.ref('orders.refunded_fen'))).as('revenue'),
      ])
      .where('order_lines.product_id', 'in', ids)
      .where('orders.paid_at', 'is not', null)
      .where('orders.status', '!=', 'refunded')
      .groupBy('order_lines.product_id')
      .execute()
    return new Map(rows.map((row) => [row.product_id, { sold: Number(row.sold), revenueFen: Number(row.revenue) }]))
  }

  private async views(rows: ProductRow[]): Promise<ProductDto[]> {
    const sales = await this.sales(rows.map((row) => row.id))
    return rows.map((row) => {
      const { onShelf: _onShelf, sortOrder: _sortOrder, ...fields } = productFields(row)
      return {
        id: row.id,
        ...fields,
        soldOut: row.stock === 0,
        sold: sales.get(row.id)?.sold ?? 0,
        views: row.view_count,
      }
    })
  }
}
