import { execFile, spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { devRunDir } from '../../src/bootstrap'
import { openDb } from '../../src/db/database'
import { freePort, REPO_ROOT } from '../helpers'

/**
 * Two `npm start` runs in one checkout (API and simulator only, NO_BUILD=1) on different ports and
 * one database: both come up with their own simulator keys and both sell; an operator command
 * beside one of them uses that run's settings and reaches its simulator; without WeChat settings
 * a command that needs WeChat refuses and changes nothing.
 */

jest.setTimeout(180000)

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each call site knows its answer's shape
type Json = any

/** The environment of a plain shell: none of the server's or WeChat's settings */
function plainEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env))
    if (!/^(WECHAT|WECHATPAY|XPAY|MSG_PUSH|SQLITE|DATABASE|PORT|SIM_|SESSION_KEY|TEST_DATABASE)/.test(name))
      env[name] = value
  return { ...env, ...extra }
}

interface Stack {
  port: number
  api: string
  sim: string
  process: ChildProcess
}

describe('two npm start runs in one checkout, and operator commands beside them', () => {
  const stacks: Stack[] = []
  let dir: string
  let sqlitePath: string

  async function startStack(): Promise<Stack> {
    const [port, simPort, h5Port] = [await freePort(), await freePort(), await freePort()]
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: REPO_ROOT,
      env: plainEnv({
        PORT: String(port),
        SIM_PORT: String(simPort),
        H5_PORT: String(h5Port),
        SQLITE_PATH: sqlitePath,
        NO_BUILD: '1',
        LOG_LEVEL: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const stack = { port, api: `http://127.0.0.1:${port}`, sim: `http://127.0.0.1:${simPort}`, process: child }
    stacks.push(stack)
    const deadline = Date.now() + 120000
    while (!output.includes('NO_BUILD=1')) {
      if (child.exitCode !== null) throw new Error(`npm start on ${port} exited:\n${output}`)
      if (Date.now() > deadline) throw new Error(`npm start on ${port} did not come up:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    return stack
  }

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-dev-stacks-'))
    sqlitePath = path.join(dir, 'shared.db')
  })

  afterAll(async () => {
    await Promise.all(
      stacks.map(
        (stack) =>
          new Promise<void>((resolve) => {
            if (stack.process.exitCode !== null) return resolve()
            stack.process.once('exit', () => resolve())
            stack.process.kill('SIGTERM')
          }),
      ),
    )
    fs.rmSync(dir, { recursive: true, force: true })
  })

  const post = async (url: string, body: unknown, token?: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : null }
  }
  const orderStatus = async (stack: Stack, id: number, token: string) =>
    (
      (await (
        await fetch(`${stack.api}/api/orders/${id}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Json
    ).status as string
  const waitFor = async (what: () => Promise<boolean>) => {
    const deadline = Date.now() + 15000
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error('timed out')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const admin = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/src/cli/admin.ts', ...args], {
      cwd: REPO_ROOT,
      env,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )

  const bought: Array<{ stack: Stack; id: number; token: string }> = []

  it('both runs come up at once, each with its own keys, and each sells a VIP month', async () => {
    const [a, b] = await Promise.all([startStack(), startStack()])
    for (const stack of [a, b]) {
      expect(fs.existsSync(path.join(devRunDir(stack.port), 'wechat-sim-keys', 'pay.json'))).toBe(true)
      const user = `reader-${stack.port}`
      const { code } = (await post(`${stack.sim}/__phone/login`, { user })).body
      const login = await post(`${stack.api}/api/auth/login`, { code })
      expect(login.status).toBe(200)
      const token = login.body.token as string
      const created = await post(
        `${stack.api}/api/orders`,
        { planId: 'month', platform: 'android', requestKey: crypto.randomBytes(8).toString('hex') },
        token,
      )
      expect(created.status).toBe(200)
      const paid = await post(`${stack.sim}/__phone/xpay/pay`, {
        user,
        ...created.body.payment.xpay,
        action: 'confirm',
      })
      expect(paid.body.errMsg).toMatch(/:ok$/)
      await waitFor(async () => (await orderStatus(stack, created.body.order.id, token)) === 'fulfilled')
      bought.push({ stack, id: created.body.order.id, token })
    }
    expect(fs.readFileSync(path.join(devRunDir(a.port), 'wechat-sim-keys', 'pay.json'), 'utf8')).not.toBe(
      fs.readFileSync(path.join(devRunDir(b.port), 'wechat-sim-keys', 'pay.json'), 'utf8'),
    )
  })

  it('a refund needing WeChat, with no WeChat settings, refuses, names them and changes nothing', async () => {
    const { id } = bought[1]
    const ledgerRows = async () => {
      const db = openDb({ databaseUrl: '', sqlitePath })
      try {
        return (await db.kysely.selectFrom('ledger').select('event').where('order_id', '=', id).execute()).length
      } finally {
        await db.close()
      }
    }
    const before = await ledgerRows()
    // No run listens on this port, so the command has only the database.
    const refused = await admin(
      plainEnv({ PORT: String(await freePort()), SQLITE_PATH: sqlitePath }),
      'refund',
      String(id),
      '用户申请退款',
    )
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/not configured on this server: set .*XPAY_OFFER_ID/)
    expect(await ledgerRows()).toBe(before)
    expect(await orderStatus(bought[1].stack, id, bought[1].token)).toBe('fulfilled')
    const sweep = await admin(plainEnv({ PORT: String(await freePort()), SQLITE_PATH: sqlitePath }), 'reconcile')
    expect(sweep.code).not.toBe(0)
    expect(sweep.stderr).toMatch(/cannot ask WeChat/)
  })

  it('a refund from a plain shell beside a run reaches its simulator and the order ends refunded', async () => {
    const { stack, id, token } = bought[0]
    const refunded = await admin(plainEnv({ PORT: String(stack.port) }), 'refund', String(id), '用户申请退款')
    expect(refunded.code).toBe(0)
    await waitFor(async () => (await orderStatus(stack, id, token)) === 'refunded')
  })

  it('each run removes its own folder when it stops', async () => {
    const [a] = stacks
    await new Promise<void>((resolve) => {
      a.process.once('exit', () => resolve())
      a.process.kill('SIGTERM')
    })
    expect(fs.existsSync(devRunDir(a.port))).toBe(false)
    expect(fs.existsSync(devRunDir(stacks[1].port))).toBe(true)
  })
})
