import fs from 'node:fs'
import type { ProductKind } from '../db/schema'
import { EXPRESS_COMPANIES } from '../domain/shipping-companies'
import { shipCsv } from '../domain/shipping'
import { MAX_SHIP_CSV_BYTES } from '../schemas/admin-store'
import { PRODUCT_KINDS, productFields, type ProductFields } from '../domain/store'
import { ApiError } from '../errors'
import type { Services } from '../services'
import { cliActor } from './operators'
import { runSubcommand, UsageError } from './subcommand'

export const PRODUCT_USAGE = `  npm run admin -- product list                      the store's products: price, stock, 销售, 浏览, on the shelf or not
  npm run admin -- product add <slug> --title <t> --price <yuan> --kind <in_stock|preorder|subscription> --stock <n>
        [--original <yuan>] [--ship-date YYYY-MM-DD] [--issues <n>] [--limit <n>] [--cover <url>] [--sort <n>] [--on-shelf]
                                                     add a book or magazine (off the shelf unless --on-shelf); a preorder
                                                     needs --ship-date, a subscription --issues; --limit per reader, default 5
  npm run admin -- product update <#id|slug> [--slug s] [--title t] [--price yuan] [--original yuan|none] [--kind k]
        [--ship-date date|none] [--issues n|none] [--limit n] [--cover url|none] [--sort n]
                                                     change a product; orders already made keep their title and price
  npm run admin -- product shelf <#id|slug> on|off   put a product on the shelf or take it off
  npm run admin -- product stock <#id|slug> <+n|-n>  add copies to the stock or take them away (never below 0)
  npm run admin -- product awaiting                  待发货: paid goods orders waiting to be shipped, oldest first,
                                                     OVERDUE 48 h after payment, WeChat's 提醒发货 reminders
  npm run admin -- product ship <orderId> --company <code> --tracking <no> [--reason <text>]
                                                     已发货: ship a paid order; the shipping-upload job tells WeChat
  npm run admin -- product ship-csv <file>           ship many: one "orderId,company,tracking" per line, a report per line
  npm run admin -- product upload                    run the shipping-upload job once (uploads, preorder reports)
  npm run admin -- product retry-upload <orderId>    upload a shipment WeChat refused again, after fixing why
  npm run admin -- product delivered <orderId> [--at <time>] [--reason <text>]
                                                     已签收: the courier delivered it (at an ISO time, default now);
                                                     WeChat reminds the reader to confirm receipt (once per order)
  npm run admin -- product refund <orderId> [--amount <yuan>] --reason <text>
                                                     refund a goods order: in full before shipping, up to what is left after
  npm run admin -- product trade-managed             ask WeChat whether the mini-program is under 发货信息管理 (is_trade_managed)
  express companies: ${Object.entries(EXPRESS_COMPANIES)
    .map(([code, name]) => `${code} ${name}`)
    .join(', ')}`

type WithServices = (work: (services: Services) => Promise<number>) => Promise<number>

/** Flags that take a value, by their name in ProductFields terms */
const VALUE_FLAGS = [
  '--slug',
  '--title',
  '--price',
  '--original',
  '--kind',
  '--ship-date',
  '--issues',
  '--limit',
  '--cover',
  '--sort',
  '--stock',
  '--reason',
  '--company',
  '--tracking',
  '--amount',
  '--at',
] as const
type ValueFlag = (typeof VALUE_FLAGS)[number]

/** "37", "37.5" or "37.00" yuan → fen */
export function parseYuan(text: string): number {
  const match = /^(\d{1,6})(?:\.(\d{1,2}))?$/.exec(text)
  if (!match) throw new UsageError(`"${text}" is not a price in yuan, e.g. 37.00`)
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'))
}

function parseWhole(text: string, what: string): number {
  if (!/^-?\d{1,9}$/.test(text)) throw new UsageError(`${what} must be a whole number, not "${text}"`)
  return Number(text)
}

/** --flag value pairs and bare --on-shelf; anything else is a usage error */
function parseFlags(args: string[]): { values: Partial<Record<ValueFlag, string>>; onShelf: boolean } {
  const values: Partial<Record<ValueFlag, string>> = {}
  let onShelf = false
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? ''
    if (flag === '--on-shelf') {
      onShelf = true
      continue
    }
    const value = args[i + 1]
    if (!(VALUE_FLAGS as readonly string[]).includes(flag) || value === undefined)
      throw new UsageError(`unknown or incomplete option "${flag}"`)
    if (values[flag as ValueFlag] !== undefined) throw new UsageError(`${flag} is given twice`)
    values[flag as ValueFlag] = value
    i++
  }
  return { values, onShelf }
}

/** `none` clears an optional field */
const orNone = <T>(text: string | undefined, parse: (text: string) => T, current: T | null): T | null =>
  text === undefined ? current : text === 'none' ? null : parse(text)

function kindOf(text: string): ProductKind {
  if (!(PRODUCT_KINDS as readonly string[]).includes(text))
    throw new UsageError(`--kind is one of ${PRODUCT_KINDS.join(', ')}`)
  return text as ProductKind
}

/** The flags applied over a product's fields (all of them, for add) */
function applyFlags(values: Partial<Record<ValueFlag, string>>, current: ProductFields): ProductFields {
  return {
    slug: values['--slug'] ?? current.slug,
    title: values['--title'] ?? current.title,
    cover: orNone(values['--cover'], (text) => text, current.cover),
    priceFen: values['--price'] === undefined ? current.priceFen : parseYuan(values['--price']),
    originalPriceFen: orNone(values['--original'], parseYuan, current.originalPriceFen),
    kind: values['--kind'] === undefined ? current.kind : kindOf(values['--kind']),
    shipDate: orNone(values['--ship-date'], (text) => text, current.shipDate),
    issuesCount: orNone(values['--issues'], (text) => parseWhole(text, '--issues'), current.issuesCount),
    stock: values['--stock'] === undefined ? current.stock : parseWhole(values['--stock'], '--stock'),
    limitPerReader: values['--limit'] === undefined ? current.limitPerReader : parseWhole(values['--limit'], '--limit'),
    onShelf: current.onShelf,
    sortOrder: values['--sort'] === undefined ? current.sortOrder : parseWhole(values['--sort'], '--sort'),
  }
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`

/** What the audit trail keeps of a product */
const audited = productFields

/** `npm run admin -- product …`: the store's shelf (docs/store.md); every change is audited */
export async function productCommand(args: string[], withServices: WithServices): Promise<number> {
  const [sub, ...rest] = args
  return runSubcommand(PRODUCT_USAGE, () => {
    if (sub === 'list' && rest.length === 0) return withServices(list)
    if (sub === 'awaiting' && rest.length === 0) return withServices(awaiting)
    if (sub === 'ship') return ship(rest, withServices)
    if (sub === 'ship-csv' && rest.length === 1) return shipCsvFile(rest[0] as string, withServices)
    if (sub === 'upload' && rest.length === 0) return withServices(upload)
    if (sub === 'retry-upload') return retryUpload(rest, withServices)
    if (sub === 'delivered') return delivered(rest, withServices)
    if (sub === 'refund') return refund(rest, withServices)
    if (sub === 'trade-managed' && rest.length === 0) return withServices(tradeManaged)
    if (sub === 'add') return add(rest, withServices)
    if (sub === 'update') return update(rest, withServices)
    if (sub === 'shelf') return shelf(rest, withServices)
    if (sub === 'stock') return stock(rest, withServices)
    return undefined
  })
}

async function list(services: Services): Promise<number> {
  const products = await services.store.all()
  if (products.length === 0) process.stdout.write('no products yet: npm run admin -- product add …\n')
  for (const p of products) {
    const kind =
      p.kind === 'preorder'
        ? `preorder ${p.shipDate}`
        : p.kind === 'subscription'
          ? `${p.issuesCount} issues`
          : 'in stock'
    process.stdout.write(
      `#${String(p.id).padEnd(4)} ${p.slug.padEnd(24)} ${yuan(p.priceFen).padStart(10)}  stock ${String(p.stock).padStart(6)}  sold ${String(p.sold).padStart(6)}  views ${String(p.views).padStart(6)}  ${(p.onShelf ? 'on shelf' : 'off shelf').padEnd(9)}  ${kind.padEnd(19)}  ${p.title}\n`,
    )
  }
  return 0
}

async function awaiting(services: Services): Promise<number> {
  const queue = await services.goods.awaitingShipment(500)
  if (queue.length === 0) process.stdout.write('no goods order is waiting to be shipped\n')
  const now = Date.now()
  for (const { order, lines, address, short, reminders } of queue) {
    const hours = order.paid_at === null ? 0 : Math.floor((now - order.paid_at) / 3600000)
    const items = lines.map((line) => `${line.title} ×${line.quantity}`).join('; ')
    const to = address
      ? `${address.userName} ${address.telNumber} ${address.provinceName}${address.cityName}${address.countyName}${address.detailInfo}${address.postalCode ? ` ${address.postalCode}` : ''}`
      : '(no address)'
    const marks = [
      hours >= 48 ? 'OVERDUE (48 h)' : '',
      short ? 'OUT OF STOCK: restock or refund' : '',
      reminders > 0 ? `提醒发货 ×${reminders}` : '',
    ]
      .filter(Boolean)
      .join(', ')
    process.stdout.write(
      `order ${order.id}  ${order.out_trade_no}  paid ${hours} h ago  ${yuan(order.amount_fen)}  ${items}  →  ${to}${marks ? `  [${marks}]` : ''}\n`,
    )
  }
  return 0
}

async function add(args: string[], withServices: WithServices): Promise<number> {
  const [slug, ...rest] = args
  if (!slug || slug.startsWith('--')) throw new UsageError('product add needs a slug first')
  const { values, onShelf } = parseFlags(rest)
  for (const required of ['--title', '--price', '--kind', '--stock'] as const)
    if (values[required] === undefined) throw new UsageError(`product add needs ${required}`)
  const fields = applyFlags(values, {
    slug,
    title: '',
    cover: null,
    priceFen: 0,
    originalPriceFen: null,
    kind: 'in_stock',
    shipDate: null,
    issuesCount: null,
    stock: 0,
    limitPerReader: 5,
    onShelf,
    sortOrder: 0,
  })
  return withServices(async (services) => {
    const row = await services.store.add(fields, Date.now())
    await services.audit.record({
      operator: cliActor(),
      action: 'product.add',
      target: `product:${row.id}`,
      reason: values['--reason'] ?? '',
      after: audited(row),
    })
    process.stdout.write(
      `product #${row.id} (${row.slug}) added${row.on_shelf ? ', on the shelf' : ', off the shelf'}\n`,
    )
    return 0
  })
}

async function update(args: string[], withServices: WithServices): Promise<number> {
  const [ref, ...rest] = args
  if (!ref || ref.startsWith('--')) throw new UsageError('product update needs a product: #<id> or its slug')
  const { values, onShelf } = parseFlags(rest)
  if (onShelf) throw new UsageError('use product shelf <product> on|off to put it on the shelf')
  if (values['--stock'] !== undefined) throw new UsageError('use product stock <product> +n|-n to change the stock')
  if (Object.keys(values).filter((flag) => flag !== '--reason').length === 0)
    throw new UsageError('product update needs something to change')
  return withServices(async (services) => {
    const { before, after } = await services.store.update(ref, (current) => applyFlags(values, current), Date.now())
    await services.audit.record({
      operator: cliActor(),
      action: 'product.update',
      target: `product:${after.id}`,
      reason: values['--reason'] ?? '',
      before: audited(before),
      after: audited(after),
    })
    process.stdout.write(`product #${after.id} (${after.slug}) updated\n`)
    return 0
  })
}

async function shelf(args: string[], withServices: WithServices): Promise<number> {
  const [ref, state, ...rest] = args
  if (!ref || (state !== 'on' && state !== 'off')) throw new UsageError('product shelf needs a product and on or off')
  const { values } = parseFlags(rest)
  return withServices(async (services) => {
    const { before, after } = await services.store.update(
      ref,
      (current) => ({ ...current, onShelf: state === 'on' }),
      Date.now(),
    )
    await services.audit.record({
      operator: cliActor(),
      action: 'product.shelf',
      target: `product:${after.id}`,
      reason: values['--reason'] ?? '',
      before: { onShelf: before.on_shelf === 1 },
      after: { onShelf: after.on_shelf === 1 },
    })
    process.stdout.write(`product #${after.id} (${after.slug}) is ${state === 'on' ? 'on' : 'off'} the shelf\n`)
    return 0
  })
}

async function stock(args: string[], withServices: WithServices): Promise<number> {
  const [ref, change, ...rest] = args
  if (!ref || !change || !/^[+-]\d{1,7}$/.test(change))
    throw new UsageError('product stock needs a product and a change like +20 or -3')
  const { values } = parseFlags(rest)
  return withServices(async (services) => {
    const after = await services.store.adjustStock(ref, Number(change), Date.now())
    await services.audit.record({
      operator: cliActor(),
      action: 'product.stock',
      target: `product:${after.id}`,
      reason: values['--reason'] ?? '',
      // The stock right before this change (a checkout may have taken copies since it was read)
      before: { stock: after.stock - Number(change) },
      after: { stock: after.stock },
    })
    process.stdout.write(
      `product #${after.id} (${after.slug}): stock ${after.stock - Number(change)} → ${after.stock}\n`,
    )
    return 0
  })
}

function orderIdOf(text: string | undefined, what: string): number {
  if (!text || !/^[1-9]\d{0,9}$/.test(text)) throw new UsageError(`${what} needs an order id`)
  return Number(text)
}

async function ship(args: string[], withServices: WithServices): Promise<number> {
  const [ref, ...rest] = args
  const orderId = orderIdOf(ref, 'product ship')
  const { values } = parseFlags(rest)
  const company = values['--company']
  const trackingNo = values['--tracking']
  if (!company || !trackingNo) throw new UsageError('product ship needs --company and --tracking')
  return withServices(async (services) => {
    const { shipment } = await shipAudited(services, orderId, company, trackingNo, values['--reason'] ?? '')
    process.stdout.write(
      `order ${orderId} shipped: ${EXPRESS_COMPANIES[shipment.express_company]} ${shipment.tracking_no}; the upload to WeChat is queued\n`,
    )
    return 0
  })
}

async function shipAudited(services: Services, orderId: number, company: string, trackingNo: string, reason: string) {
  const shipped = await services.shipping.ship({ orderId, company, trackingNo })
  await services.audit.record({
    operator: cliActor(),
    action: 'order.ship',
    target: `order:${orderId}`,
    reason,
    before: { status: 'paid' },
    after: { status: shipped.order.status, company, trackingNo },
  })
  return shipped
}

async function shipCsvFile(file: string, withServices: WithServices): Promise<number> {
  let text: string
  try {
    if (fs.statSync(file).size > MAX_SHIP_CSV_BYTES) throw new UsageError(`${file} is over 1 MB: split it`)
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`cannot read ${file}`)
  }
  return withServices(async (services) => {
    const report = await shipCsv(text, (input, where) =>
      shipAudited(services, input.orderId, input.company, input.trackingNo, `ship-csv ${where}`),
    )
    for (const line of report.lines) {
      const where = `line ${line.line}`
      if (line.orderId === null) process.stdout.write(`${where}: refused: ${line.message}\n`)
      else if (line.shipped)
        process.stdout.write(`${where}: order ${line.orderId} shipped (${line.company} ${line.trackingNo})\n`)
      else process.stdout.write(`${where}: order ${line.orderId} refused: ${line.code} ${line.message}\n`)
    }
    process.stdout.write(`${report.shipped} shipped, ${report.refused} refused\n`)
    return report.refused > 0 ? 1 : 0
  })
}

async function upload(services: Services): Promise<number> {
  const report = await services.shipping.runOnce()
  process.stdout.write(
    `uploaded ${report.uploaded}, retrying ${report.retrying}, failed ${report.failed}, preorders reported ${report.reported}\n`,
  )
  return 0
}

async function retryUpload(args: string[], withServices: WithServices): Promise<number> {
  const [ref, ...rest] = args
  const orderId = orderIdOf(ref, 'product retry-upload')
  const { values } = parseFlags(rest)
  return withServices(async (services) => {
    const row = await services.shipping.retry(orderId)
    await services.audit.record({
      operator: cliActor(),
      action: 'order.ship_retry',
      target: `order:${orderId}`,
      reason: values['--reason'] ?? '',
      after: { status: row.status },
    })
    process.stdout.write(`order ${orderId}: the shipment is queued for upload again\n`)
    return 0
  })
}

async function delivered(args: string[], withServices: WithServices): Promise<number> {
  const [ref, ...rest] = args
  const orderId = orderIdOf(ref, 'product delivered')
  const { values } = parseFlags(rest)
  const at = values['--at'] === undefined ? undefined : Date.parse(values['--at'])
  if (at !== undefined && !Number.isFinite(at))
    throw new UsageError(`--at must be a time such as 2026-12-07T15:30+08:00, not "${values['--at']}"`)
  return withServices(async (services) => {
    const row = await services.shipping.markDelivered(orderId, at ?? services.clock())
    await services.audit.record({
      operator: cliActor(),
      action: 'order.delivered',
      target: `order:${orderId}`,
      reason: values['--reason'] ?? '',
      after: { deliveredAt: new Date(row.delivered_at ?? 0).toISOString() },
    })
    process.stdout.write(`order ${orderId}: delivered; WeChat reminds the reader to confirm receipt\n`)
    return 0
  })
}

async function refund(args: string[], withServices: WithServices): Promise<number> {
  const [ref, ...rest] = args
  const orderId = orderIdOf(ref, 'product refund')
  const { values } = parseFlags(rest)
  const reason = values['--reason']?.trim()
  if (!reason) throw new UsageError('product refund needs --reason')
  const amountFen = values['--amount'] === undefined ? undefined : parseYuan(values['--amount'])
  return withServices(async (services) => {
    const before = await services.payments.findOrder(orderId)
    if (before && before.kind !== 'goods')
      throw new ApiError(409, 'NOT_GOODS_ORDER', `order ${orderId} is a VIP order: use npm run admin -- refund`)
    const after = await services.payments.refund(orderId, reason.slice(0, 200), amountFen)
    await services.audit.record({
      operator: cliActor(),
      action: 'order.refund',
      target: `order:${orderId}`,
      reason,
      before: { status: before?.status, refundedFen: before?.refunded_fen },
      after: { status: after.status, refundedFen: after.refunded_fen, askedFen: amountFen ?? 'all that is left' },
    })
    // The refund may be over already (its notification came back): what failed says so.
    const failed = after.refund_failure !== null && after.status !== 'refunding'
    process.stdout.write(
      `order ${orderId}: refund ${after.refund_no} ${failed ? `failed: ${after.refund_failure}` : 'requested'}; refunded so far ${yuan(after.refunded_fen)} of ${yuan(after.amount_fen)}\n`,
    )
    return failed ? 1 : 0
  })
}

async function tradeManaged(services: Services): Promise<number> {
  const { managed, checkedAt } = await services.shipping.checkTradeManaged()
  process.stdout.write(
    `${managed ? 'under 发货信息管理: the money stays frozen until shipping info is uploaded' : 'not under 发货信息管理'} (is_trade_managed, asked ${new Date(checkedAt).toISOString()})\n`,
  )
  return 0
}
