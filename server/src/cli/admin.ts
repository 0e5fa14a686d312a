import { configOrExit, openMigratedDb } from '../bootstrap'
import { findUser, grantMembership, issueToken } from '../domain/users'
import { shanghaiDate } from '../domain/time'

const USAGE = `usage:
  npm run admin -- token <name>                 issue a bearer token for a named user (created if new)
  npm run admin -- grant-vip <user> <days> [reason]   extend VIP by <days>; <user> is an id or a name`

type Command = (args: string[]) => Promise<number>

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2)
  const commands: Record<string, Command> = { token, 'grant-vip': grantVip }
  const run = command ? commands[command] : undefined
  if (!run) {
    process.stderr.write(`${command ? `unknown command "${command}"\n` : ''}${USAGE}\n`)
    return 64
  }
  return run(args)
}

async function token(args: string[]): Promise<number> {
  const name = args[0]?.trim() ?? ''
  if (args.length !== 1 || !/^[\p{L}\p{N}_.-]{1,64}$/u.test(name)) {
    process.stderr.write('token needs one name of 1–64 letters, digits, "_", "." or "-"\n')
    return 64
  }
  const { db } = await openMigratedDb(configOrExit())
  try {
    const issued = await issueToken(db.kysely, name, Date.now())
    process.stdout.write(`user ${issued.userId} (${name})\ntoken ${issued.token}\n`)
    return 0
  } finally {
    await db.close()
  }
}

async function grantVip(args: string[]): Promise<number> {
  const [who, daysText, ...reasonWords] = args
  const days = Number(daysText)
  if (!who || !Number.isInteger(days) || days < 1 || days > 3660) {
    process.stderr.write('grant-vip needs a user (id or name) and a whole number of days from 1 to 3660\n')
    return 64
  }
  const reason = reasonWords.join(' ').trim() || 'granted by an operator'
  if (reason.length > 200) {
    process.stderr.write('the reason must be at most 200 characters\n')
    return 64
  }
  const { db } = await openMigratedDb(configOrExit())
  try {
    const user = await findUser(db.kysely, who)
    if (!user) {
      process.stderr.write(`no user "${who}": create one with npm run admin -- token <name>\n`)
      return 1
    }
    const { expiresAt } = await grantMembership(db.kysely, user.id, days, reason, 'admin', Date.now())
    process.stdout.write(
      `user ${user.id} is VIP until ${new Date(expiresAt).toISOString()} (${shanghaiDate(expiresAt)} Asia/Shanghai)\n`,
    )
    return 0
  } finally {
    await db.close()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`admin failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
