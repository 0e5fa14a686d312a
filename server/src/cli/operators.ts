import os from 'node:os'
import readline from 'node:readline'
import { Writable } from 'node:stream'
import { OPERATOR_ROLES, passwordProblem, type OperatorRole } from '../domain/operators'
import type { Services } from '../services'
import { runSubcommand } from './subcommand'

export const OPERATOR_USAGE = `  npm run admin -- operator add <name> --role <editor|finance|admin> [--password] [--openid <openid> | --reader #<id>]
                                                     add a console operator: --password reads it from the terminal
                                                     (or ADMIN_PASSWORD / stdin when not a terminal), --openid lets
                                                     that WeChat account scan in; --reader takes the WeChat account
                                                     of reader #<id> (the number 确认登录后台 shows a refused reader)
  npm run admin -- operator list                     console operators, their roles and how they sign in
  npm run admin -- operator disable <name>           stop an operator signing in (their sessions end at once)`

/** Who the audit trail names for a command run at this terminal */
export const cliActor = () => ({ id: null, name: `cli:${safeUser()}`.slice(0, 32) })

function safeUser(): string {
  try {
    return os.userInfo().username
  } catch {
    return 'unknown'
  }
}

/** `npm run admin -- operator …`: the console's operators (docs/console.md) */
export async function operatorCommand(
  args: string[],
  withServices: (work: (services: Services) => Promise<number>) => Promise<number>,
): Promise<number> {
  const [sub, ...rest] = args
  return runSubcommand(OPERATOR_USAGE, () => {
    if (sub === 'add') return add(rest, withServices)
    if (sub === 'list' && rest.length === 0) return withServices(list)
    if (sub === 'disable' && rest.length === 1) {
      return withServices(async (services) => {
        const operator = await services.operators.disable(rest[0], Date.now())
        await services.audit.record({
          operator: cliActor(),
          action: 'operator.disable',
          target: `operator:${operator.id}`,
          before: { ...operator, disabled: false },
          after: { ...operator, disabled: true },
        })
        process.stdout.write(`operator ${operator.id} (${operator.name}) is disabled\n`)
        return 0
      })
    }
    return undefined
  })
}

async function add(
  args: string[],
  withServices: (work: (services: Services) => Promise<number>) => Promise<number>,
): Promise<number> {
  const [name, ...flags] = args
  let role: string | undefined
  let openid: string | undefined
  let reader: number | undefined
  let wantsPassword = false
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]
    if (flag === '--password') wantsPassword = true
    else if (flag === '--role' && flags[i + 1] !== undefined) role = flags[++i]
    else if (flag === '--openid' && flags[i + 1] !== undefined) openid = flags[++i]
    else if (flag === '--reader' && /^#?[1-9]\d{0,9}$/.test(flags[i + 1] ?? ''))
      reader = Number(flags[++i].replace('#', ''))
    else {
      process.stderr.write(`unknown or incomplete option "${flag}"\nusage:\n${OPERATOR_USAGE}\n`)
      return 64
    }
  }
  if (!name || name.startsWith('--') || !role || !OPERATOR_ROLES.includes(role as OperatorRole)) {
    process.stderr.write(`operator add needs a name and --role ${OPERATOR_ROLES.join('|')}\n`)
    return 64
  }
  if (openid !== undefined && reader !== undefined) {
    process.stderr.write('operator add takes --openid or --reader, not both\n')
    return 64
  }
  if (!wantsPassword && openid === undefined && reader === undefined) {
    process.stderr.write('operator add needs a way to sign in: --password, --openid <openid> or --reader #<id>\n')
    return 64
  }
  const password = wantsPassword ? await readPassword() : undefined
  if (password !== undefined) {
    const problem = passwordProblem(password)
    if (problem) {
      process.stderr.write(`${problem}\n`)
      return 65
    }
  }
  return withServices(async (services) => {
    if (reader !== undefined) openid = await services.accounts.openidOf(reader, `reader #${reader} as an operator`)
    const operator = await services.operators.add({ name, role: role as OperatorRole, password, openid }, Date.now())
    await services.audit.record({
      operator: cliActor(),
      action: 'operator.add',
      target: `operator:${operator.id}`,
      after: { ...operator, password: password !== undefined, openid: openid ?? null },
    })
    process.stdout.write(`operator ${operator.id} (${operator.name}, ${operator.role}) added\n`)
    return 0
  })
}

async function list(services: Services): Promise<number> {
  const operators = await services.operators.list()
  if (operators.length === 0) process.stdout.write('no operators yet: npm run admin -- operator add …\n')
  for (const operator of operators) {
    const ways = [operator.hasPassword ? 'password' : '', operator.openid ? `scan (${operator.openid})` : '']
      .filter(Boolean)
      .join(', ')
    const state = operator.disabledAt ? `disabled ${new Date(operator.disabledAt).toISOString()}` : 'enabled'
    process.stdout.write(
      `${String(operator.id).padStart(4)}  ${operator.name.padEnd(16)}  ${operator.role.padEnd(7)}  ${state.padEnd(34)}  ${ways}\n`,
    )
  }
  return 0
}

/**
 * The new password: typed at the terminal (not echoed, asked twice), or when stdin is not a
 * terminal ADMIN_PASSWORD, else the first line of stdin. Never an argument: it would stay in the
 * shell history and the process list.
 */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    return text.split(/\r?\n/)[0] ?? ''
  }
  const first = await ask('password: ')
  const second = await ask('again: ')
  if (first !== second) {
    process.stderr.write('the two passwords differ\n')
    process.exit(65)
  }
  return first
}

function ask(prompt: string): Promise<string> {
  process.stderr.write(prompt)
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() })
  const rl = readline.createInterface({ input: process.stdin, output: muted, terminal: true })
  return new Promise((resolve) => {
    rl.question('', (answer) => {
      rl.close()
      process.stderr.write('\n')
      resolve(answer)
    })
  })
}
