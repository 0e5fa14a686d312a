import type { CourseFields } from '../domain/course-desk'
import type { AdminCourseDto } from '../schemas/admin-courses'
import type { Services } from '../services'
import { cliActor } from './operators'
import { parseYuan } from './store'
import { runSubcommand, UsageError } from './subcommand'

export const COURSE_USAGE = `  npm run admin -- course list                       video courses: access and price, lessons, 试看, on the shelf or not,
                                                     购买 (paid orders not refunded), revenue, 学习人数
  npm run admin -- course import <folder> [<folder>…] [--reason <text>]
                                                     import course folders (one with course.yaml, or a folder of them);
                                                     a new course comes on the shelf, an imported one is updated in place
  npm run admin -- course shelf <id|slug> on|off [--reason <text>]
                                                     put a course on the shelf or take it off
  npm run admin -- course price <id|slug> <yuan> [--original <yuan>|none] --reason <text>
                                                     the price of a course sold alone; set the 道具 course_<id> of
                                                     WeChat's virtual payment to the same price
  npm run admin -- course grants <id|slug>          who bought a course: reader, order, when, refunded or not`

type WithServices = (work: (services: Services) => Promise<number>) => Promise<number>

const yuan = (fen: number | null) => (fen === null ? '—' : `¥${(fen / 100).toFixed(2)}`)

/** 1:05:09 or 4:48 */
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = String(seconds % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}

const access = (course: Pick<AdminCourseDto, 'access' | 'priceFen' | 'originalPriceFen'>) =>
  course.access === 'vip'
    ? 'VIP'
    : `单独购买 ${yuan(course.priceFen)}${course.originalPriceFen === null ? '' : ` (原价 ${yuan(course.originalPriceFen)})`}`

/** `--name value` pairs among `allowed`; the rest are positional arguments */
function split(args: string[], allowed: string[]): { positional: string[]; flags: Record<string, string> } {
  const positional: string[] = []
  const flags: Record<string, string> = {}
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    if (!arg.startsWith('--')) {
      positional.push(arg)
      continue
    }
    const value = args[i + 1]
    if (!allowed.includes(arg) || value === undefined) throw new UsageError(`unknown or incomplete option "${arg}"`)
    if (flags[arg] !== undefined) throw new UsageError(`${arg} is given twice`)
    flags[arg] = value
    i++
  }
  return { positional, flags }
}

/** `npm run admin -- course …`: the courses' shelf, prices, buyers and imports (docs/courses.md); every change is audited */
export async function courseCommand(args: string[], withServices: WithServices): Promise<number> {
  const [sub, ...rest] = args
  return runSubcommand(COURSE_USAGE, () => {
    if (sub === 'list' && rest.length === 0) return withServices(list)
    if (sub === 'import') return importFolders(rest, withServices)
    if (sub === 'shelf') return shelf(rest, withServices)
    if (sub === 'price') return price(rest, withServices)
    if (sub === 'grants' && rest.length === 1) return grants(rest[0] as string, withServices)
    return undefined
  })
}

async function list(services: Services): Promise<number> {
  const courses = await services.courseDesk.all()
  if (courses.length === 0) process.stdout.write('no courses yet: npm run admin -- course import <folder>\n')
  for (const c of courses) {
    process.stdout.write(
      `#${String(c.id).padEnd(4)} ${c.slug.padEnd(24)} ${access(c).padEnd(28)}  ${String(c.lessonCount).padStart(3)} lessons ${duration(c.durationSeconds).padStart(8)}  试看 ${c.previewCount}  ${(c.onShelf ? 'on shelf' : 'off shelf').padEnd(9)}  购买 ${String(c.purchases).padStart(5)}  ${yuan(c.revenueFen).padStart(10)}  学习人数 ${String(c.learners).padStart(5)}  ${c.title}\n`,
    )
  }
  return 0
}

/** What changed between two imports of a course, for people */
function changes(before: CourseFields, after: CourseFields): string[] {
  const lines: string[] = []
  const show = (value: unknown, key: keyof CourseFields) =>
    key === 'priceFen' || key === 'originalPriceFen' ? yuan(value as number | null) : JSON.stringify(value)
  for (const key of Object.keys(after) as (keyof CourseFields)[])
    if (before[key] !== after[key]) lines.push(`${key} ${show(before[key], key)} → ${show(after[key], key)}`)
  return lines
}

async function importFolders(args: string[], withServices: WithServices): Promise<number> {
  const { positional: folders, flags } = split(args, ['--reason'])
  if (folders.length === 0) throw new UsageError('course import needs at least one folder')
  return withServices(async (services) => {
    const { report, courses } = await services.courseDesk.import(folders, {
      operator: cliActor(),
      reason: flags['--reason'],
    })
    for (const course of courses) {
      const shelf = course.after.onShelf ? 'on the shelf' : 'off the shelf'
      if (!course.before) {
        process.stdout.write(`${course.slug}: course #${course.id} added, ${shelf}, ${access(course.after)}\n`)
        continue
      }
      const changed = changes(course.before, course.after)
      process.stdout.write(
        `${course.slug}: course #${course.id} updated from course.yaml, ${shelf}${changed.length > 0 ? `: ${changed.join('; ')}` : ''}\n`,
      )
    }
    for (const problem of report.problems) process.stderr.write(`problem: ${problem}\n`)
    if (report.imported.length === 0 && report.problems.length === 0)
      process.stderr.write(`no course folder (with a course.yaml) in ${folders.join(', ')}\n`)
    process.stdout.write(`${report.imported.length} course(s) imported, ${report.problems.length} problem(s)\n`)
    return report.problems.length > 0 || report.imported.length === 0 ? 1 : 0
  })
}

async function shelf(args: string[], withServices: WithServices): Promise<number> {
  const { positional, flags } = split(args, ['--reason'])
  const [ref, state] = positional
  if (!ref || (state !== 'on' && state !== 'off') || positional.length !== 2)
    throw new UsageError('course shelf needs a course (id or slug) and on or off')
  return withServices(async (services) => {
    const after = await services.courseDesk.update(
      ref,
      { onShelf: state === 'on' },
      { operator: cliActor(), reason: flags['--reason'] },
    )
    process.stdout.write(`course #${after.id} (${after.slug}) is ${after.onShelf ? 'on' : 'off'} the shelf\n`)
    return 0
  })
}

async function price(args: string[], withServices: WithServices): Promise<number> {
  const { positional, flags } = split(args, ['--original', '--reason'])
  const [ref, amount] = positional
  if (!ref || !amount || positional.length !== 2)
    throw new UsageError('course price needs a course and a price in yuan')
  const reason = flags['--reason']?.trim()
  if (!reason) throw new UsageError('course price needs --reason: a price change is audited with why')
  const priceFen = parseYuan(amount)
  const original = flags['--original']
  const originalPriceFen = original === undefined ? undefined : original === 'none' ? null : parseYuan(original)
  return withServices(async (services) => {
    const before = await services.courseDesk.one(ref)
    const after = await services.courseDesk.update(
      ref,
      { priceFen, ...(originalPriceFen === undefined ? {} : { originalPriceFen }) },
      { operator: cliActor(), reason },
    )
    const unchanged = before.priceFen === after.priceFen && before.originalPriceFen === after.originalPriceFen
    process.stdout.write(
      `course #${after.id} (${after.slug}): ${unchanged ? `price unchanged, ${access(after)}` : `${access(before)} → ${access(after)}`}\n`,
    )
    if (!unchanged)
      process.stdout.write(
        `remember: the 道具 ${after.productId} of WeChat's virtual payment (小程序虚拟支付 → 道具管理) must carry the same price, ${yuan(after.priceFen)}; orders made before keep their price\n`,
      )
    return 0
  })
}

async function grants(ref: string, withServices: WithServices): Promise<number> {
  return withServices(async (services) => {
    const { course, items } = await services.courseDesk.grants(ref)
    process.stdout.write(`course #${course.id} (${course.slug}) ${course.title}\n`)
    if (items.length === 0) process.stdout.write('nobody has bought it\n')
    for (const grant of items) {
      const state = grant.revokedAt ? `revoked ${grant.revokedAt} (refunded)` : 'active'
      process.stdout.write(
        `order ${String(grant.orderId).padEnd(6)} ${grant.outTradeNo}  reader #${grant.userId} ${grant.reader || '-'}  ${yuan(grant.amountFen)}  ${grant.rail.padEnd(9)}  granted ${grant.grantedAt}  ${state}\n`,
      )
    }
    const active = items.filter((grant) => grant.revokedAt === null).length
    process.stdout.write(`${items.length} grant(s), ${active} active\n`)
    return 0
  })
}
