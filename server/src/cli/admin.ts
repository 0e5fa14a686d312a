import { cliLogger, configOrExit, openMigratedDb } from '../bootstrap'
import { createServices, type Services } from '../services'
import { ApiError } from '../errors'
import type { OrderStatus } from '../db/schema'
import { ORDER_TRANSITIONS } from '../payments/payments'
import { findUser, issueToken, type UserRef } from '../domain/users'
import { grantMembership } from '../domain/membership'
import fs from 'node:fs'
import { parseImportPhone, parseMembersCsv } from '../domain/members'
import { shanghaiDate } from '../infra/time'
import { subscriptionReport } from '../domain/subscriptions'
import { SHARE_SCENES } from '../domain/sharing'
import { backupCommand } from './backup'
import { COURSE_USAGE, courseCommand } from './courses'
import { OPERATOR_USAGE, operatorCommand } from './operators'
import { PRODUCT_USAGE, productCommand } from './store'

const USAGE = `usage:
  npm run admin -- token <name>                      issue a bearer token for a named user (created if new)
  npm run admin -- grant-vip <user> <days> [reason]  extend VIP by <days>; <user> is #<id> or a name
  npm run admin -- import-members <file.csv>         import web-site members: phone,name,vip_expires_at
  npm run admin -- member-links [phone]              recorded phone links and refusals, newest first
  npm run admin -- unlink-phone <phone> <reason>     free a phone from the account holding it
  npm run admin -- revoke-vip <user> <days> <reason> take back VIP days (never below now)
  npm run admin -- orders [--status S] [--user U] [--limit N]   list orders, newest first; U is #<id> or a name
  npm run admin -- refund <order id> <reason>        full refund of a fulfilled order
  npm run admin -- ledger [--order N] [--user U]     the money ledger, newest first
  npm run admin -- reconcile                         run the reconciliation sweep once
  npm run admin -- shares [--issue ID] [--days N]    share opens per issue, per sharer (masked) and by scene
  npm run admin -- subscriptions                     通知我下一期: opt-ins waiting per region, messages by status
${OPERATOR_USAGE}
${PRODUCT_USAGE}
${COURSE_USAGE}
<user> is #<id> (e.g. #7) or a name; a bare number is refused, since names are never all digits`

type Command = (args: string[]) => Promise<number>

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2)
  const commands: Record<string, Command> = {
    token,
    'grant-vip': grantVip,
    'import-members': importMembersCommand,
    'member-links': memberLinks,
    'unlink-phone': unlinkPhoneCommand,
    'revoke-vip': revokeVip,
    orders,
    refund,
    ledger: ledgerCommand,
    reconcile,
    shares,
    subscriptions,
    backup: backupCommand,
    operator: (args) => operatorCommand(args, withServices),
    product: (args) => productCommand(args, withServices),
    course: (args) => courseCommand(args, withServices),
  }
  const run = command ? commands[command] : undefined
  if (!run) {
    process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n`)
    return 64
  }
  return run(args)
}

/**
 * A user argument: `#7` is the user with id 7, a bare word is a name. A bare number is refused
 * rather than guessed: `token 7` once made a user named "7" while `grant-vip 7` meant id 7.
 */
function parseUserRef(text: string): UserRef | string {
  const id = /^#(\d{1,10})$/.exec(text)
  if (id) {
    const value = Number(id[1])
    return value >= 1 && value <= 2147483647 ? { id: value } : `there is no user id ${id[1]}: ids are 1 to 2147483647`
  }
  if (/^\p{Nd}+$/u.test(text)) return `"${text}" could be an id or a name: write #${text} for the user with id ${text}`
  if (!text || text.startsWith('#')) return `"${text}" is not a user: write #<id> (e.g. #7) or the user's name`
  return { name: text }
}

async function token(args: string[]): Promise<number> {
  const name = args[0]?.trim() ?? ''
  if (args.length !== 1 || !/^[\p{L}\p{N}_.-]{1,64}$/u.test(name)) {
    process.stderr.write('token needs one name of 1–64 letters, digits, "_", "." or "-"\n')
    return 64
  }
  if (/^\p{Nd}+$/u.test(name)) {
    process.stderr.write(`a name may not be only digits: "${name}" would read as an id (write ids as #${name})\n`)
    return 64
  }
  return withServices(async (services) => {
    const { db } = services
    const issued = await issueToken(db.kysely, name, Date.now())
    process.stdout.write(`user ${issued.userId} (${name})\ntoken ${issued.token}\n`)
    return 0
  })
}

async function grantVip(args: string[]): Promise<number> {
  const [who, daysText, ...reasonWords] = args
  const days = Number(daysText)
  if (!who || !Number.isInteger(days) || days < 1 || days > 3660) {
    process.stderr.write('grant-vip needs a user (#<id> or a name) and a whole number of days from 1 to 3660\n')
    return 64
  }
  const ref = parseUserRef(who)
  if (typeof ref === 'string') {
    process.stderr.write(`${ref}\n`)
    return 64
  }
  const reason = reasonWords.join(' ').trim() || 'granted by an operator'
  if (reason.length > 200) {
    process.stderr.write('the reason must be at most 200 characters\n')
    return 64
  }
  return withServices(async (services) => {
    const { db } = services
    const user = await findUser(db.kysely, ref)
    if (!user) {
      process.stderr.write(`no user "${who}": create one with npm run admin -- token <name>\n`)
      return 1
    }
    const { expiresAt } = await grantMembership(db.kysely, user.id, days, reason, 'admin', Date.now())
    // Running replicas on PostgreSQL drop the reader's cached access at once.
    await services.changes.publish('membership')
    process.stdout.write(
      `user ${user.id} is VIP until ${new Date(expiresAt).toISOString()} (${shanghaiDate(expiresAt)} Asia/Shanghai)\n`,
    )
    return 0
  })
}

async function importMembersCommand(args: string[]): Promise<number> {
  const [file] = args
  if (args.length !== 1) {
    process.stderr.write('import-members needs one CSV file with the header phone,name,vip_expires_at\n')
    return 64
  }
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    process.stderr.write(`${file}: cannot be read\n`)
    return 1
  }
  const { rows, problems } = parseMembersCsv(text)
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`${file}:${problem}\n`)
    process.stderr.write(`nothing imported: fix the ${problems.length} problem(s) above and run again\n`)
    return 1
  }
  return withServices(async (services) => {
    const result = await services.members.import(rows, Date.now())
    process.stdout.write(
      `${rows.length} member(s): ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged\n`,
    )
    return 0
  })
}

async function memberLinks(args: string[]): Promise<number> {
  const phone = args[0] ? parseImportPhone(args[0]) : null
  if (args.length > 1 || (args[0] && !phone)) {
    process.stderr.write('member-links takes at most one mainland mobile number\n')
    return 64
  }
  return withServices(async (services) => {
    const rows = await services.members.links(phone)
    for (const row of rows) {
      process.stdout.write(
        `${new Date(row.created_at).toISOString()}  ${row.action.padEnd(8)}  phone ${row.phone}  user ${row.user_id ?? '-'}  member ${row.member_id ?? '-'}  ${row.detail}\n`,
      )
    }
    if (rows.length === 0) process.stdout.write('no phone links recorded\n')
    return 0
  })
}

async function unlinkPhoneCommand(args: string[]): Promise<number> {
  const [phoneText, ...reasonWords] = args
  const phone = phoneText ? parseImportPhone(phoneText) : null
  const reason = reasonWords.join(' ').trim()
  if (!phone || !reason || reason.length > 200) {
    process.stderr.write('unlink-phone needs a mainland mobile number and a reason (at most 200 characters)\n')
    return 64
  }
  return withServices(async (services) => {
    const { userId } = await services.members.unlinkPhone(phone, `operator: ${reason}`, Date.now())
    process.stdout.write(
      userId ? `phone freed from user ${userId}; it can be bound again\n` : 'no account held this phone; recorded\n',
    )
    return 0
  })
}

function options(args: string[], allowed: string[]): Record<string, string> | string {
  const result: Record<string, string> = {}
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i]?.replace(/^--/, '')
    if (!args[i]?.startsWith('--') || !allowed.includes(name) || args[i + 1] === undefined) {
      return `unknown or incomplete option "${args[i]}": allowed are ${allowed.map((a) => `--${a} <value>`).join(', ')}`
    }
    result[name] = args[i + 1]
  }
  return result
}

async function revokeVip(args: string[]): Promise<number> {
  const [who, daysText, ...reasonWords] = args
  const days = Number(daysText)
  const reason = reasonWords.join(' ').trim()
  if (!who || !Number.isInteger(days) || days < 1 || days > 3660 || !reason || reason.length > 200) {
    process.stderr.write('revoke-vip needs a user (#<id> or a name), whole days from 1 to 3660 and a reason\n')
    return 64
  }
  const ref = parseUserRef(who)
  if (typeof ref === 'string') {
    process.stderr.write(`${ref}\n`)
    return 64
  }
  return withServices(async (services) => {
    const { db } = services
    const user = await findUser(db.kysely, ref)
    if (!user) {
      process.stderr.write(`no user "${who}"\n`)
      return 1
    }
    const { expiresAt } = await grantMembership(db.kysely, user.id, -days, reason, 'admin', Date.now())
    await services.changes.publish('membership')
    process.stdout.write(`user ${user.id} is VIP until ${new Date(expiresAt).toISOString()}\n`)
    return 0
  })
}

async function orders(args: string[]): Promise<number> {
  const parsed = options(args, ['status', 'user', 'limit'])
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`)
    return 64
  }
  const limit = parsed.limit ? Number(parsed.limit) : 50
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    process.stderr.write('--limit must be a whole number from 1 to 1000\n')
    return 64
  }
  const ref = parsed.user === undefined ? undefined : parseUserRef(parsed.user)
  if (typeof ref === 'string') {
    process.stderr.write(`--user: ${ref}\n`)
    return 64
  }
  if (parsed.status !== undefined && !(parsed.status in ORDER_TRANSITIONS)) {
    process.stderr.write(`--status must be one of ${Object.keys(ORDER_TRANSITIONS).join(', ')}\n`)
    return 64
  }
  const status = parsed.status as OrderStatus | undefined
  return withServices(async (services) => {
    let userId: number | undefined
    if (ref) {
      const user = await findUser(services.db.kysely, ref)
      if (!user) {
        process.stderr.write(`no user "${parsed.user}"\n`)
        return 1
      }
      userId = user.id
    }
    const rows = await services.payments.listOrders({ status, userId, limit })
    for (const row of rows) {
      const refunded = row.refunded_fen > 0 ? `  refunded ¥${(row.refunded_fen / 100).toFixed(2)}` : ''
      const failure = row.refund_failure ? `  refund failed: ${row.refund_failure}` : ''
      process.stdout.write(
        `${String(row.id).padStart(6)}  ${row.out_trade_no}  user ${row.user_id}  ${row.plan_id.padEnd(9)}  ¥${(row.amount_fen / 100).toFixed(2).padStart(7)}  ${row.rail.padEnd(9)}  ${row.status.padEnd(9)}  ${new Date(row.created_at).toISOString()}${refunded}${failure}\n`,
      )
    }
    process.stdout.write(`${rows.length} order(s)\n`)
    return 0
  })
}

async function ledgerCommand(args: string[]): Promise<number> {
  const parsed = options(args, ['order', 'user'])
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`)
    return 64
  }
  const orderId = parsed.order === undefined ? undefined : Number(parsed.order)
  if (orderId !== undefined && (!Number.isInteger(orderId) || orderId < 1 || orderId > 2147483647)) {
    process.stderr.write('--order must be an order id\n')
    return 64
  }
  const ref = parsed.user === undefined ? undefined : parseUserRef(parsed.user)
  if (typeof ref === 'string') {
    process.stderr.write(`--user: ${ref}\n`)
    return 64
  }
  return withServices(async (services) => {
    const { db } = services
    let query = db.kysely.selectFrom('ledger').selectAll().orderBy('id', 'desc').limit(500)
    if (orderId !== undefined) query = query.where('order_id', '=', orderId)
    if (ref) {
      const user = await findUser(db.kysely, ref)
      if (!user) {
        process.stderr.write(`no user "${parsed.user}"\n`)
        return 1
      }
      query = query.where('user_id', '=', user.id)
    }
    for (const row of await query.execute()) {
      process.stdout.write(
        `${new Date(row.created_at).toISOString()}  ${row.event.padEnd(16)}  order ${String(row.order_id ?? '-').padStart(5)}  user ${row.user_id}  ${(row.amount_fen / 100).toFixed(2).padStart(8)}  ${row.source.padEnd(12)}  ${row.detail}\n`,
      )
    }
    return 0
  })
}

/**
 * Runs a command with the services of the API (no web server): the same configuration, database
 * and payment rails. Their timers never start here; stop() waits for anything a command began.
 */
async function withServices(work: (services: Services) => Promise<number>): Promise<number> {
  const config = { ...configOrExit({}, { devStack: true }), LOG_LEVEL: 'warn' as const }
  const { db } = await openMigratedDb(config)
  const services = createServices({ config, db, clock: Date.now, log: cliLogger(config) })
  try {
    return await work(services)
  } finally {
    await services.stop()
    await db.close()
  }
}

async function refund(args: string[]): Promise<number> {
  const [idText, ...reasonWords] = args
  const id = Number(idText)
  const reason = reasonWords.join(' ').trim()
  if (!Number.isInteger(id) || id < 1 || !reason || reason.length > 80) {
    process.stderr.write('refund needs an order id and a reason (at most 80 characters)\n')
    return 64
  }
  return withServices(async (services) => {
    try {
      const order = await services.payments.refund(id, reason)
      if (order.status === 'fulfilled' && order.refund_failure) {
        process.stderr.write(`order ${order.id}: the refund failed: ${order.refund_failure}\n`)
        return 1
      }
      const when =
        order.status === 'refunded' ? 'refunded' : 'the refund completes when WeChat confirms it (the sweep asks too)'
      process.stdout.write(`order ${order.id} is ${order.status}; ${when}\n`)
      return 0
    } catch (error) {
      if (error instanceof ApiError) {
        process.stderr.write(`${error.message}\n`)
        return 1
      }
      throw error
    }
  })
}

async function reconcile(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('reconcile takes no arguments\n')
    return 64
  }
  return withServices(async (services) => {
    // Asking WeChat is the whole point: without a rail, say what to set rather than report a sweep.
    const unconfigured = services.payments.unconfiguredReason(services.config.PAYMENT_RAIL)
    if (unconfigured) {
      process.stderr.write(`reconcile cannot ask WeChat: ${unconfigured}\n`)
      return 1
    }
    const report = await services.reconciler.runOnce()
    process.stdout.write(
      `checked ${report.checked} order(s): ${report.fulfilled} fulfilled, ${report.closed} closed, ` +
        `${report.refunded} refunded, ${report.refundsFailed} refund(s) failed\n`,
    )
    return 0
  })
}

async function shares(args: string[]): Promise<number> {
  const parsed = options(args, ['issue', 'days'])
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`)
    return 64
  }
  const days = parsed.days ? Number(parsed.days) : 30
  const issueId = parsed.issue ? Number(parsed.issue) : undefined
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    process.stderr.write('--days must be a whole number from 1 to 3660\n')
    return 64
  }
  if (issueId !== undefined && (!Number.isInteger(issueId) || issueId < 1)) {
    process.stderr.write('--issue must be an issue id\n')
    return 64
  }
  return withServices(async (services) => {
    const stats = await services.sharing.stats({ issueId, days, now: Date.now() })
    const scope = issueId === undefined ? 'all issues' : `issue ${issueId}`
    process.stdout.write(
      `${stats.total} share open(s) since ${new Date(stats.since).toISOString()} (${days} day(s), ${scope})\n`,
    )
    process.stdout.write('\nper issue\n')
    for (const row of stats.byIssue) {
      process.stdout.write(`  ${String(row.issueId).padStart(6)}  ${String(row.opens).padStart(6)}  ${row.title}\n`)
    }
    process.stdout.write('\nper sharer\n')
    for (const row of stats.bySharer) process.stdout.write(`  ${row.sharer}  ${String(row.opens).padStart(6)}\n`)
    process.stdout.write('\nby scene\n')
    for (const row of stats.byScene) {
      const scene = row.scene === null ? 'H5 / unknown' : `${row.scene} ${SHARE_SCENES[row.scene] ?? ''}`.trim()
      process.stdout.write(`  ${scene.padEnd(14)}  ${String(row.opens).padStart(6)}\n`)
    }
    return 0
  })
}

async function subscriptions(args: string[]): Promise<number> {
  if (args.length > 0) {
    process.stderr.write('subscriptions takes no arguments\n')
    return 64
  }
  return withServices(async (services) => {
    const { db } = services
    const report = await subscriptionReport(db.kysely)
    process.stdout.write('opt-ins waiting for the next issue\n')
    if (report.waiting.length === 0) process.stdout.write('  none\n')
    for (const row of report.waiting) {
      process.stdout.write(
        `  ${row.region.padEnd(8)}  ${String(row.optIns).padStart(6)} opt-in(s), ${row.readers} reader(s)\n`,
      )
    }
    process.stdout.write('\nmessages\n')
    if (report.messages.length === 0) process.stdout.write('  none\n')
    for (const row of report.messages)
      process.stdout.write(`  ${row.status.padEnd(8)}  ${String(row.count).padStart(6)}\n`)
    if (report.failures.length > 0) {
      process.stdout.write('\nlatest failures (43101: the reader had no accept left)\n')
      for (const row of report.failures) {
        process.stdout.write(
          `  message ${row.id}  issue ${row.issueId}  errcode ${row.errcode ?? '-'}  attempts ${row.attempts}\n`,
        )
      }
    }
    return 0
  })
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`admin failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
