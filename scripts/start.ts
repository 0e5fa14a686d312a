/**
 * `npm start`: everything a newcomer needs to see the product, in one command.
 *
 *   1. the WeChat simulator on SIM_PORT (3100), which the API and the H5 preview's login and
 *      payments use instead of WeChat (see startWechatSimulator below);
 *   2. the API server (server/src/main.ts) on PORT (3000), SQLite at data/beichen.db; a new
 *      database gets the sample issues from content/ by itself;
 *   2b. the operator console (console/), built into console/dist, which the API serves at /admin/;
 *   3. the mini-program, built once for WeChat into project.config.json's miniprogramRoot:
 *      open the repository root in WeChat DevTools (appid touristappid);
 *   4. the H5 preview, built against that API and served on H5_PORT (10086).
 *
 * Ctrl-C stops everything it started.
 *
 * The weapp is built once (production mode, the build that readers get) rather than kept
 * in `--watch`: a resident webpack watcher costs a core on a 2-core machine and memory,
 * and a newcomer first wants to look, not edit. Set WATCH=1 to keep
 * `taro build --type weapp --watch` running after the first build (DevTools reloads dist/
 * on every change), or run `npm run dev:weapp` in a second terminal.
 *
 * Environment: PORT (3000), H5_PORT (10086), SIM_PORT (3100), WATCH (unset), NO_BUILD (unset: 1 starts
 * only the simulator and the API), and every server variable (docs/configuration.md), e.g. DATABASE_URL.
 *
 * This run's simulator keys and the API's settings live in data/run/<PORT>/ (removed at exit), so two
 * runs on different ports never collide, and operator commands beside a run use its settings.
 */
import { type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, bin, captureOutput, isPortFree, spawnGroup, stopGroup, waitForHealthy } from './lib/processes'
import { startStaticServer, type StaticServer } from './lib/static-server'
import { SIM_SUBSCRIBE_TEMPLATE_ID } from '../simulator/src/subscribe'
import { devRunDir } from '../server/src/bootstrap'
import { ConfigSchema } from '../server/src/config'

const API_PORT = parsePort('PORT', 3000)
const H5_PORT = parsePort('H5_PORT', 10086)
const WATCH = process.env.WATCH === '1' || process.env.WATCH === 'true'
/** The API and the simulator only, no weapp or H5 build (operator work, tests of the stack) */
const NO_BUILD = process.env.NO_BUILD === '1' || process.env.NO_BUILD === 'true'
const API_BASE = `http://localhost:${API_PORT}`
const H5_ORIGINS = [`http://localhost:${H5_PORT}`, `http://127.0.0.1:${H5_PORT}`]
const SIM_PORT = parsePort('SIM_PORT', 3100)
const SIM_BASE = `http://localhost:${SIM_PORT}`
/** Built into the H5 preview as its API base and served as '' (relative URLs: the page's own origin) */
const H5_SAME_ORIGIN_PLACEHOLDER = 'http://h5-same-origin.invalid'
const RUN_DIR = devRunDir(API_PORT)
/** The simulator's appid; the weapp build keeps touristappid for WeChat DevTools */
const SIM_APPID = 'wx0000000000000000'
/** What the API needs to reach the simulator, set once it runs */
let apiWechatEnv: NodeJS.ProcessEnv = {}

const children: ChildProcess[] = []
const closers: Array<() => Promise<void>> = []
let stopping = false

function parsePort(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`[start] ${name} must be a port number (1-65535), got "${raw}"\n`)
    process.exit(1)
  }
  return port
}

function log(message: string): void {
  process.stdout.write(`\x1b[1m[start]\x1b[0m ${message}\n`)
}

/** Stops the start-up with a message for the user (caught in main). */
function fail(message: string): never {
  throw new Error(message)
}

/** Stops everything from an event handler, outside main's flow. */
function abort(message: string): void {
  process.stderr.write(`\x1b[31m[start] ${message}\x1b[0m\n`)
  void shutdown(1)
}

/** Prefixes each line of a child's output with its name. */
function pipeWithPrefix(child: ChildProcess, name: string): void {
  const prefix = `\x1b[2m[${name}]\x1b[0m `
  for (const stream of [child.stdout, child.stderr]) {
    let rest = ''
    stream?.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n')
      rest = lines.pop() ?? ''
      for (const line of lines) process.stdout.write(prefix + line + '\n')
    })
    stream?.on('end', () => rest && process.stdout.write(prefix + rest + '\n'))
  }
}

/** Runs a command to completion with its output shown; rejects on a non-zero exit. */
function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawnGroup(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    pipeWithPrefix(child, name)
    child.on('exit', (code, signal) => {
      children.splice(children.indexOf(child), 1)
      if (code === 0) resolve()
      else reject(new Error(`${name} failed (${signal ?? `exit ${code}`})`))
    })
  })
}

/** Reads project.config.json's miniprogramRoot: where WeChat DevTools looks for the build. */
function miniprogramRoot(): string {
  const file = path.join(ROOT, 'project.config.json')
  if (!fs.existsSync(file)) fail('project.config.json is missing: it tells WeChat DevTools where the weapp build is')
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { miniprogramRoot?: string }
  return path.resolve(ROOT, config.miniprogramRoot ?? '.')
}

async function startApi(): Promise<void> {
  if (!(await isPortFree(API_PORT))) {
    fail(`port ${API_PORT} is in use (another \`npm start\`?): stop it, or choose another port: PORT=3001 npm start`)
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...apiWechatEnv, PORT: String(API_PORT) }
  if (!env.DATABASE_URL && !env.SQLITE_PATH) env.SQLITE_PATH = 'data/beichen.db'
  if (env.SQLITE_PATH) fs.mkdirSync(path.dirname(path.resolve(ROOT, env.SQLITE_PATH)), { recursive: true })
  // The H5 preview calls the API from another origin (another port).
  env.CORS_ORIGINS = [env.CORS_ORIGINS, ...H5_ORIGINS].filter(Boolean).join(',')
  // The console's "Preview as" frames the H5 preview's article page.
  if (!NO_BUILD && !env.PREVIEW_H5_BASE) env.PREVIEW_H5_BASE = H5_ORIGINS[0]
  writeRunSettings(env)

  log(`starting the API on port ${API_PORT} …`)
  const api = spawnGroup(bin('tsx'), ['server/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(api)
  const output = captureOutput(api)
  pipeWithPrefix(api, 'api')
  api.on('exit', (code, signal) => {
    if (!stopping) abort(`the API stopped (${signal ?? `exit ${code}`}); see its output above`)
  })
  await waitForHealthy(`http://127.0.0.1:${API_PORT}/healthz`, api, output, 120_000)
  log(`API ready: ${API_BASE}`)
}

async function buildWeapp(): Promise<string> {
  const outDir = miniprogramRoot()
  log('building the mini-program (taro build --type weapp) …')
  await run('weapp', bin('taro'), ['build', '--type', 'weapp'], { TARO_APP_API_BASE: API_BASE })
  if (!fs.existsSync(path.join(outDir, 'app.json'))) {
    fail(
      `the weapp build is not in ${path.relative(ROOT, outDir)}/ (no app.json there): ` +
        "config/index.ts's outputRoot and project.config.json's miniprogramRoot must name the same folder",
    )
  }
  if (WATCH) {
    log('WATCH=1: keeping `taro build --type weapp --watch` running')
    const watcher = spawnGroup(bin('taro'), ['build', '--type', 'weapp', '--watch'], {
      env: { ...process.env, NODE_ENV: 'development', TARO_APP_API_BASE: API_BASE },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(watcher)
    pipeWithPrefix(watcher, 'weapp:watch')
  }
  return outDir
}

/** The operator console (console/), which the API serves from console/dist under /admin/. */
async function buildConsole(): Promise<void> {
  log('building the operator console (vite build) …')
  await run('console', bin('vite'), ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'])
  if (!fs.existsSync(path.join(ROOT, 'console', 'dist', 'index.html'))) {
    fail('the console build wrote no console/dist/index.html')
  }
}

async function buildAndServeH5(): Promise<StaticServer> {
  if (!(await isPortFree(H5_PORT))) {
    fail(`port ${H5_PORT} is in use: stop whatever uses it, or choose another port: H5_PORT=10087 npm start`)
  }
  log(`building the H5 preview, which reaches the API through its own origin (taro build --type h5) …`)
  await run('h5', bin('taro'), ['build', '--type', 'h5'], {
    TARO_APP_API_BASE: H5_SAME_ORIGIN_PLACEHOLDER,
    TARO_APP_WECHAT_SIM_BASE: SIM_BASE,
  })
  const built = path.join(ROOT, 'dist-h5')
  if (!fs.existsSync(path.join(built, 'index.html'))) fail('the H5 build wrote no dist-h5/index.html')
  // Serve a private copy: `npm test` rebuilds dist-h5/ for its own use while this runs.
  const snapshot = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-h5-preview-'))
  fs.cpSync(built, snapshot, { recursive: true })
  // The app asks its own origin for /api/, which is forwarded to the API: no request needs a CORS
  // preflight, and a phone on the LAN reaches the API by the address it loaded the page from.
  const server = await startStaticServer({
    root: snapshot,
    host: '0.0.0.0',
    port: H5_PORT,
    proxy: { prefixes: ['/api/', '/healthz'], target: `http://127.0.0.1:${API_PORT}` },
    replace: { from: H5_SAME_ORIGIN_PLACEHOLDER, to: '' },
  })
  closers.push(async () => {
    await server.close()
    fs.rmSync(snapshot, { recursive: true, force: true })
  })
  return server
}

/**
 * The local stand-in for WeChat's servers (docs/wechat-simulator.md), so that login works
 * without WeChat. Its AppSecret and the API's session-key encryption key are made once per
 * checkout and kept in data/dev-secrets.json (git-ignored, readable by the owner only);
 * nothing secret is committed or printed.
 */
async function startWechatSimulator(): Promise<string> {
  if (!(await isPortFree(SIM_PORT))) {
    fail(`port ${SIM_PORT} is in use: stop whatever uses it, or choose another port: SIM_PORT=3101 npm start`)
  }
  const secrets = await devSecrets()
  // A fresh payment key set per run, in this run's own folder (per API port, removed at exit), so two
  // stacks in one checkout never rewrite each other's keys (docs/wechat-simulator.md).
  const keysDir = path.join(RUN_DIR, 'wechat-sim-keys')
  fs.rmSync(keysDir, { recursive: true, force: true })
  log(`starting the WeChat simulator on port ${SIM_PORT} …`)
  const simulator = spawnGroup(bin('tsx'), ['simulator/src/main.ts'], {
    env: {
      ...process.env,
      SIM_PORT: String(SIM_PORT),
      SIM_HOST: '0.0.0.0',
      SIM_APPID: SIM_APPID,
      SIM_SECRET: secrets.appSecret,
      SIM_KEYS_DIR: keysDir,
      SIM_PUSH_URL: `http://127.0.0.1:${API_PORT}/api/wechat/message-push`,
      SIM_PUSH_AES_KEY: 'random',
      // The plans, and the sample course sold alone (content/courses/, course 2 on a new database).
      SIM_XPAY_PRODUCTS: 'month:990,half_year:4800,year:6800,course_2:2990',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(simulator)
  const output = captureOutput(simulator)
  simulator.on('exit', (code, signal) => {
    if (!stopping) abort(`the WeChat simulator stopped (${signal ?? `exit ${code}`})`)
  })
  await waitForHealthy(`http://127.0.0.1:${SIM_PORT}/healthz`, simulator, output, 60_000)
  const pay = await readJsonWhenWritten<Record<string, string>>(path.join(keysDir, 'pay.json'))
  const xpay = await readJsonWhenWritten<Record<string, string>>(path.join(keysDir, 'xpay.json'))
  apiWechatEnv = {
    WECHAT_API_BASE: `http://127.0.0.1:${SIM_PORT}`,
    WECHAT_APPID: SIM_APPID,
    WECHAT_APPSECRET: secrets.appSecret,
    SESSION_KEY_ENCRYPTION_KEY: secrets.sessionKeyEncryptionKey,
    MSG_PUSH_TOKEN: xpay.pushToken,
    MSG_PUSH_AES_KEY: xpay.encodingAesKey ?? '',
    XPAY_OFFER_ID: xpay.offerId,
    XPAY_APP_KEY: xpay.appKey,
    WECHATPAY_API_BASE: `http://127.0.0.1:${SIM_PORT}`,
    WECHATPAY_MCHID: pay.mchid,
    WECHATPAY_MERCHANT_SERIAL: pay.merchantSerialNo,
    WECHATPAY_MERCHANT_KEY_FILE: pay.merchantPrivateKeyFile,
    WECHATPAY_APIV3_KEY: pay.apiV3Key,
    WECHATPAY_PUBLIC_KEY_ID: pay.wechatpayPublicKeyId,
    WECHATPAY_PUBLIC_KEY_FILE: pay.wechatpayPublicKeyFile,
    WECHATPAY_PLATFORM_CERT_SERIAL: pay.platformCertSerial ?? '',
    WECHATPAY_PLATFORM_CERT_FILE: pay.platformCertFile ?? '',
    WECHATPAY_NOTIFY_BASE: `http://127.0.0.1:${API_PORT}`,
    // 通知我下一期: the template the simulator knows (simulator/src/subscribe.ts).
    SUBSCRIBE_TEMPLATE_ID: SIM_SUBSCRIBE_TEMPLATE_ID,
  }
  return SIM_BASE
}

async function readJsonWhenWritten<T>(file: string): Promise<T> {
  for (let attempt = 0; attempt < 100 && !fs.existsSync(file); attempt++) await new Promise((r) => setTimeout(r, 100))
  if (!fs.existsSync(file)) fail(`the WeChat simulator wrote no ${path.relative(ROOT, file)}`)
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T
}

async function devSecrets(): Promise<{ appSecret: string; sessionKeyEncryptionKey: string }> {
  const file = path.join(ROOT, 'data', 'dev-secrets.json')
  const secrets = {
    appSecret: crypto.randomBytes(16).toString('hex'),
    sessionKeyEncryptionKey: crypto.randomBytes(32).toString('hex'),
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  try {
    // Exclusive: two stacks starting at once in one checkout agree on the first one's secrets.
    fs.writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    return secrets
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as { appSecret: string; sessionKeyEncryptionKey: string }
    } catch (error) {
      // The other stack may be writing it this very moment.
      if (attempt >= 20) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/**
 * The API's settings of this run, for operator commands beside it: `npm run admin` (and the other
 * CLIs) read data/run/<PORT>/api.env while this process (data/run/<PORT>/pid) runs, so they reach
 * the same database and WeChat simulator as the API. Only the server's own variables are written.
 */
function writeRunSettings(env: NodeJS.ProcessEnv): void {
  const lines = Object.keys(ConfigSchema.properties)
    .filter((name) => env[name] !== undefined && env[name] !== '')
    .map((name) => `${name}=${JSON.stringify(String(env[name]))}`)
  fs.writeFileSync(path.join(RUN_DIR, 'api.env'), `${lines.join('\n')}\n`, { mode: 0o600 })
  fs.writeFileSync(path.join(RUN_DIR, 'pid'), String(process.pid))
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return
  stopping = true
  log('stopping …')
  await Promise.allSettled([...children].map((child) => stopGroup(child, 3000)))
  await Promise.allSettled(closers.map((close) => close()))
  process.exit(code)
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown(0))
  process.on('SIGTERM', () => void shutdown(0))
  process.on('exit', () => {
    // Last resort when something exits us without shutdown(): leave no child behind.
    for (const child of children) if (child.pid) tryKill(-child.pid)
  })

  // This run's folder: simulator keys and the API's settings for operator commands; gone at exit.
  fs.rmSync(RUN_DIR, { recursive: true, force: true })
  fs.mkdirSync(RUN_DIR, { recursive: true, mode: 0o700 })
  closers.push(async () => fs.rmSync(RUN_DIR, { recursive: true, force: true }))

  const simulator = await startWechatSimulator()
  await startApi()
  if (NO_BUILD) {
    log(`NO_BUILD=1: the API and the WeChat simulator only (${API_BASE}, ${simulator}); Ctrl-C stops them`)
    return
  }
  await buildConsole()
  const weappDir = await buildWeapp()
  const h5 = await buildAndServeH5()

  const database = process.env.DATABASE_URL
    ? process.env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@')
    : path.resolve(ROOT, process.env.SQLITE_PATH || 'data/beichen.db')
  const rows: Array<[string, string]> = [
    ['API', API_BASE],
    ['OpenAPI', `${API_BASE}/docs/json`],
    ['Console', `${API_BASE}/admin/`],
    ['H5 preview', `http://localhost:${h5.port}/`],
    [
      'Mini-program',
      `open ${ROOT} in WeChat DevTools (appid touristappid); build in ${path.relative(ROOT, weappDir)}/`,
    ],
    ['Database', database],
    ['VIP token', 'npm run admin -- token <name>  then  npm run admin -- grant-vip <user> <days>'],
  ]
  if (simulator) rows.push(['WeChat simulator', simulator])
  const width = Math.max(...rows.map(([name]) => name.length))
  process.stdout.write(
    '\n\x1b[1mBeichen Reader is running\x1b[0m\n' +
      rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n') +
      `\n${WATCH ? '  weapp: rebuilding on every change (WATCH=1)\n' : '  weapp: built once; WATCH=1 npm start keeps rebuilding it\n'}` +
      '  Ctrl-C stops everything.\n\n',
  )
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}

main().catch((error: Error) => abort(error.message))
