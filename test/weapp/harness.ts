/**
 * Runs the REAL weapp build (dist/) under miniprogram-simulate, against the REAL API server.
 * Shared by the runtime tests (test/weapp/*.test.ts) and the page benchmark (bench/weapp.ts).
 *
 * How it works:
 * - a DOM (jsdom, the one jest-environment-jsdom ships) is installed as globals when missing;
 * - `wx` is miniprogram-simulate's mock, with the APIs the app touches replaced by recorders
 *   and `wx.request` forwarded over HTTP to the API server;
 * - Taro compiles pages to `Page()`, which miniprogram-simulate lacks: a shim turns the page
 *   into a `Component()` (functions into `methods`, onLoad/onShow from `attached`, onReady
 *   from `ready`), and every component's setData is wrapped to record its payload;
 * - dist/app.js is loaded, `onLaunch` called, then a page is loaded, rendered and attached.
 * The first render is asynchronous (React commits, then Taro calls setData), so callers poll.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const ROOT = path.resolve(__dirname, '..', '..')
export const DIST = path.join(ROOT, 'dist')
export const ARTICLE_PAGE = 'subpackages/article/pages/index'
export const HOME_PAGE = 'pages/index/index'

/* ------------------------------------------------------------------------------------------ */
/* The build                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** Throws a message that says what to run when the weapp build is missing. */
export function assertWeappBuilt(): void {
  const missing = ['app.js', 'app.json', 'base.wxml', `${HOME_PAGE}.js`, `${ARTICLE_PAGE}.js`].filter(
    (file) => !fs.existsSync(path.join(DIST, file)),
  )
  if (missing.length > 0) {
    throw new Error(
      `The weapp build is missing (${missing.map((file) => `dist/${file}`).join(', ')}).\n` +
        'Build it first: npm run build:weapp   (npm test does this before jest)',
    )
  }
  const built = fs.statSync(path.join(DIST, 'app.js')).mtimeMs
  const newer = newestFile(path.join(ROOT, 'src'))
  if (newer && newer.mtimeMs > built) {
    console.warn(
      `dist/ is older than ${path.relative(ROOT, newer.file)}: results are for the previous build (npm run build:weapp)`,
    )
  }
}

function newestFile(dir: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    const candidate = entry.isDirectory() ? newestFile(full) : { file: full, mtimeMs: fs.statSync(full).mtimeMs }
    if (candidate && (!newest || candidate.mtimeMs > newest.mtimeMs)) newest = candidate
  }
  return newest
}

/* ------------------------------------------------------------------------------------------ */
/* The API server                                                                             */
/* ------------------------------------------------------------------------------------------ */

export interface ApiServer {
  origin: string
  /** The server's combined output so far, for failure messages */
  output: () => string
  /** Runs a CLI of server/src/cli/ (e.g. 'content-demo.ts') on this server's database; resolves with its stdout */
  cli: (script: string, ...args: string[]) => Promise<string>
  /** Runs the admin CLI (server/src/cli/admin.ts) on this server's database; resolves with its stdout */
  admin: (...args: string[]) => Promise<string>
  /** A bearer token of a reader who is a VIP member for the next 30 days */
  vipToken: () => Promise<string>
  stop: () => Promise<void>
}

/** A port that was free a moment ago, e.g. for startApiServer({port}) when others must know the address first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** A plain HTTP call with node:http (no dependence on a global fetch inside jest's sandbox). */
export function httpCall(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, signal: options.signal },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })
}

/**
 * Starts the real API server (server/src/main.ts) on a free port with a throwaway SQLite
 * database; it imports the sample content (content/, the seed issue) on its first start.
 */
export async function startApiServer(
  options: { timeoutMs?: number; env?: Record<string, string>; port?: number } = {},
): Promise<ApiServer> {
  const mainFile = path.join(ROOT, 'server', 'src', 'main.ts')
  if (!fs.existsSync(mainFile)) throw new Error(`The API server is missing: ${path.relative(ROOT, mainFile)}`)
  const port = options.port ?? (await freePort())
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-weapp-'))
  const origin = `http://127.0.0.1:${port}`
  let output = ''
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: '',
    SQLITE_PATH: path.join(dataDir, 'weapp.db'),
    LOG_LEVEL: 'warn',
    ...options.env,
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', mainFile], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  }

  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    if (child.exitCode !== null) {
      await stop()
      throw new Error(`The API server exited (code ${child.exitCode}) before answering /healthz:\n${output}`)
    }
    try {
      const answer = await httpCall(`${origin}/healthz`)
      if (answer.status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`The API server did not answer /healthz within ${options.timeoutMs ?? 30_000} ms:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  const cli = (script: string, ...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'cli', script), ...args],
        {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      )
      let stdout = ''
      let stderr = ''
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      child.on('error', reject)
      child.on('exit', (code) =>
        code === 0
          ? resolve(stdout)
          : reject(new Error(`${script} ${args.join(' ')} exited with ${code}:\n${stderr}${stdout}`)),
      )
    })
  const admin = (...args: string[]) => cli('admin.ts', ...args)

  let vip: Promise<string> | null = null
  const vipToken = () =>
    (vip ??= (async () => {
      const issued = await admin('token', 'weapp-vip')
      const token = /^token (\S+)$/m.exec(issued)?.[1]
      if (!token) throw new Error(`admin token printed no token:\n${issued}`)
      await admin('grant-vip', 'weapp-vip', '30', 'weapp runtime test')
      return token
    })())

  return { origin, output: () => output, cli, admin, vipToken, stop }
}

/** The seed issue among the sample issues every API server imports on its first start (content/, 【山西·第32期】) */
export const SEED_SLUG = 'shanxi-32-zhongbu-chengshiqun'

/** How many sample issues content/ holds (all published, all dated in the past) */
export const SAMPLE_ISSUES = fs.readdirSync(path.join(ROOT, 'content')).filter((name) => name.endsWith('.md')).length

/** The seed issue's id on `api`, from its public list of 山西 issues. */
export async function seedIssueId(api: ApiServer): Promise<number> {
  const list = JSON.parse((await httpCall(`${api.origin}/api/issues?region=shanxi&limit=50`)).body) as {
    items: Array<{ id: number; slug: string }>
  }
  const seed = list.items.find((item) => item.slug === SEED_SLUG)
  if (!seed) {
    throw new Error(
      `the API has no seed issue ${SEED_SLUG}; it lists: ${list.items.map((item) => item.slug).join(', ')}`,
    )
  }
  return seed.id
}

/* ------------------------------------------------------------------------------------------ */
/* The simulated WeChat runtime                                                               */
/* ------------------------------------------------------------------------------------------ */

/** Byte size of a setData payload as WeChat measures it: JSON.stringify, UTF-8. */
export const payloadBytes = (data: unknown): number => Buffer.byteLength(JSON.stringify(data), 'utf8')

export interface SetDataRecord {
  /** The component that called setData: a page route, or 'comp' for Taro's recursive component */
  owner: string
  bytes: number
  keys: number
}

export interface WxCall {
  api: string
  options: Record<string, unknown>
}

export interface WeappOptions {
  /** Where wx.request calls go: the request's path and query are sent to this origin */
  apiOrigin: string
  /** Launch/enter scene, e.g. 1154 for a Moments single-page open; default 1001 */
  scene?: number
  /** Initial wx storage, e.g. { token: '…' } */
  storage?: Record<string, unknown>
  /** wx.getDeviceInfo().platform; 'android' unless given (miniprogram-simulate's own mock says 'ios') */
  platform?: string
  /** wx APIs to replace, over the recorders below (e.g. login, requestVirtualPayment against the simulator) */
  wx?: Record<string, (options: Record<string, any>) => unknown> // eslint-disable-line @typescript-eslint/no-explicit-any
}

type AnyFn = (...args: any[]) => any // eslint-disable-line @typescript-eslint/no-explicit-any
type Dict = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** What miniprogram-simulate's render() returns, as far as we use it. */
export interface SimComponent {
  dom: HTMLElement
  instance: Dict
  attach: (parent: Element) => void
  detach: () => void
  querySelector: (selector: string) => SimComponent | null
  querySelectorAll: (selector: string) => SimComponent[]
  dispatchEvent: (name: string, detail?: Dict) => void
}

export interface PageHandle {
  route: string
  component: SimComponent
  /** Text of the whole page as rendered */
  text: () => string
  /** Polls until the page's text contains every string (or the predicate holds) */
  waitFor: (what: string | string[] | (() => boolean), timeoutMs?: number) => Promise<void>
  /** True when an element matches a selector (class names as written in the app, or #id) */
  has: (selector: string) => boolean
  /** Number of rendered WXML elements of a tag, e.g. count('button') */
  count: (tag: string) => number
  /** Taps the first element that matches a CSS selector (class names as written in the app) */
  tap: (selector: string) => void
  /** Calls a page lifecycle method as WeChat would, e.g. onReachBottom, onShareAppMessage */
  call: (method: string, ...args: unknown[]) => unknown
  unload: () => void
}

export interface Weapp {
  wxCalls: WxCall[]
  setDataLog: SetDataRecord[]
  /** "GET /api/issues?limit=20" for every wx.request */
  requests: string[]
  /** wx storage (e.g. the `token` key the API client reads) */
  storage: Map<string, unknown>
  /** Scene of the next launch/enter options, e.g. 1154 for Moments single-page mode */
  setScene: (scene: number) => void
  /** Loads (once) and renders a page with the given query, attached to the document */
  open: (route: string, query?: Record<string, string>) => Promise<PageHandle>
  /** Polls until a recorded wx API was called (taps dispatch asynchronously); returns the call */
  waitForCall: (api: string, timeoutMs?: number) => Promise<WxCall>
  /** Forgets recorded wx calls, setData payloads and requests */
  clearLogs: () => void
  /** Sends later wx.request calls to another API server (e.g. one started with other settings) */
  setApiOrigin: (origin: string) => void
}

let installedDom = false

/** Installs a jsdom window as globals, unless a DOM is already there (jest's jsdom environment). */
function ensureDom(): void {
  if (typeof (globalThis as Dict).document !== 'undefined' || installedDom) return
  // The jsdom that jest-environment-jsdom (a direct devDependency) brings.
  const jsdomPath = require.resolve('jsdom', { paths: [path.dirname(require.resolve('jest-environment-jsdom'))] })
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { JSDOM } = require(jsdomPath) as typeof import('jsdom')
  const dom = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>', { pretendToBeVisual: true })
  const g = globalThis as Dict
  g.window = dom.window
  // Node has its own Event classes; the DOM must get jsdom's, or dispatchEvent rejects them.
  const domOwned = new Set(['Event', 'EventTarget', 'CustomEvent', 'UIEvent', 'MouseEvent', 'TouchEvent'])
  for (const key of Object.getOwnPropertyNames(dom.window)) {
    if (key in g && !domOwned.has(key)) continue
    try {
      Object.defineProperty(g, key, { configurable: true, get: () => (dom.window as unknown as Dict)[key] })
    } catch {
      // a non-configurable global of Node's own: keep it
    }
  }
  installedDom = true
}

let current: Weapp | null = null

/**
 * Boots the weapp once per module registry (each jest test file gets its own): stubs `wx`,
 * shims `Page`, loads dist/app.js and calls onLaunch. Later calls return the same runtime.
 */
export function bootWeapp(options: WeappOptions): Weapp {
  if (current) return current
  assertWeappBuilt()
  ensureDom()
  const g = globalThis as Dict

  const wxCalls: WxCall[] = []
  const setDataLog: SetDataRecord[] = []
  const requests: string[] = []
  const storage = new Map<string, unknown>(Object.entries(options.storage ?? {}))
  let scene = options.scene ?? 1001
  const pageStack: Dict[] = []

  const record =
    (api: string, result: Dict = {}) =>
    (opts: Dict = {}) => {
      wxCalls.push({ api, options: opts })
      const res = { errMsg: `${api}:ok`, ...result }
      opts.success?.(res)
      opts.complete?.(res)
    }

  /** A recorded call that ends in `fail`, as a closed payment sheet does */
  const refuse =
    (api: string, result: Dict) =>
    (opts: Dict = {}) => {
      wxCalls.push({ api, options: opts })
      opts.fail?.(result)
      opts.complete?.(result)
    }

  const enterOptions = () => ({
    scene,
    path: pageStack.at(-1)?.route ?? HOME_PAGE,
    query: pageStack.at(-1)?.options ?? {},
    referrerInfo: {},
  })

  const stubs: Dict = {
    request(opts: Dict) {
      const url = new URL(String(opts.url))
      const target = `${options.apiOrigin}${url.pathname}${url.search}`
      requests.push(`${opts.method ?? 'GET'} ${url.pathname}${url.search}`)
      const controller = new AbortController()
      const headers: Record<string, string> = { ...(opts.header ?? {}) }
      let body: string | undefined
      if (opts.data !== undefined && (opts.method ?? 'GET') !== 'GET') {
        body = typeof opts.data === 'string' ? opts.data : JSON.stringify(opts.data)
        headers['content-type'] ??= 'application/json'
      }
      httpCall(target, { method: opts.method ?? 'GET', headers, body, signal: controller.signal }).then(
        (answer) => {
          let data: unknown = answer.body
          if (opts.dataType === undefined || opts.dataType === 'json') {
            try {
              data = JSON.parse(answer.body)
            } catch {
              // WeChat hands over the raw text when it is not JSON
            }
          }
          const res = { statusCode: answer.status, data, header: answer.headers, errMsg: 'request:ok' }
          opts.success?.(res)
          opts.complete?.(res)
        },
        (error: Error) => {
          const res = { errMsg: `request:fail ${controller.signal.aborted ? 'abort' : error.message}` }
          opts.fail?.(res)
          opts.complete?.(res)
        },
      )
      return {
        abort: () => controller.abort(),
        onHeadersReceived: () => undefined,
        offHeadersReceived: () => undefined,
      }
    },
    getStorageSync: (key: string) => (storage.has(key) ? storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
    removeStorageSync: (key: string) => void storage.delete(key),
    getLaunchOptionsSync: enterOptions,
    getEnterOptionsSync: enterOptions,
    navigateTo: record('navigateTo'),
    redirectTo: record('redirectTo'),
    switchTab: record('switchTab'),
    reLaunch: record('reLaunch'),
    navigateBack: record('navigateBack'),
    pageScrollTo: record('pageScrollTo'),
    showToast: record('showToast'),
    hideToast: record('hideToast'),
    showLoading: record('showLoading'),
    hideLoading: record('hideLoading'),
    stopPullDownRefresh: record('stopPullDownRefresh'),
    setNavigationBarTitle: record('setNavigationBarTitle'),
    makePhoneCall: record('makePhoneCall'),
    getDeviceInfo: () => ({ platform: options.platform ?? 'android', brand: 'devtools', model: 'weapp-test' }),
    // The payment sheets: closed by the reader unless a test pays (options.wx).
    requestVirtualPayment: refuse('requestVirtualPayment', {
      errMsg: 'requestVirtualPayment:fail cancel',
      errCode: -2,
    }),
    requestPayment: refuse('requestPayment', { errMsg: 'requestPayment:fail cancel' }),
    ...options.wx,
  }

  // Our stubs first: miniprogram-simulate merges an existing global wx over its own mock.
  g.wx = { ...(g.wx ?? {}), ...stubs }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const simulate = require('miniprogram-simulate') as Dict
  Object.assign(g.wx, stubs)

  // Every component's setData is measured; the page's own shows the first-render payload.
  const simulateComponent: AnyFn = g.Component
  const probe = (owner: string) =>
    function (this: Dict) {
      const original: AnyFn = this.setData.bind(this)
      this.setData = (data: Dict, callback?: AnyFn) => {
        setDataLog.push({ owner, bytes: payloadBytes(data), keys: Object.keys(data).length })
        return original(data, callback)
      }
    }
  g.Component = (definition: Dict) => {
    const created: AnyFn | undefined = definition.lifetimes?.created ?? definition.created
    const wrap = probe(definition.__route__ ?? 'comp')
    return simulateComponent({
      ...definition,
      lifetimes: {
        ...definition.lifetimes,
        created(this: Dict, ...args: unknown[]) {
          wrap.call(this)
          return created?.apply(this, args)
        },
      },
    })
  }

  // Page() → Component(): lifecycle from attached/ready, every function into methods.
  let pendingQuery: Record<string, string> = {}
  let loadingRoute: string | null = null
  g.Page = (config: Dict) => {
    const methods: Dict = {}
    const fields: Dict = {}
    for (const [key, value] of Object.entries(config)) {
      if (typeof value === 'function') methods[key] = value
      else fields[key] = value
    }
    const route: string = loadingRoute ?? 'unknown'
    g.Component({
      ...fields,
      __route__: route,
      data: config.data ?? {},
      methods,
      lifetimes: {
        attached(this: Dict) {
          this.route = route
          this.__route__ = route
          this.options = pendingQuery
          pageStack.push(this)
          this.onLoad?.(pendingQuery)
          this.onShow?.()
        },
        ready(this: Dict) {
          this.onReady?.()
        },
        detached(this: Dict) {
          this.onHide?.()
          this.onUnload?.()
          const index = pageStack.indexOf(this)
          if (index >= 0) pageStack.splice(index, 1)
        },
      },
    })
  }
  g.getCurrentPages = () => pageStack.slice()

  let app: Dict | null = null
  g.App = (config: Dict) => {
    app = config
  }
  g.getApp = () => app

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(DIST, 'app.js'))
  if (!app) throw new Error('dist/app.js did not call App()')
  const launched = app as Dict
  launched.onLaunch?.call(launched, enterOptions())
  launched.onShow?.call(launched, enterOptions())

  const loaded = new Map<string, string>()

  const open = async (route: string, query: Record<string, string> = {}): Promise<PageHandle> => {
    let id = loaded.get(route)
    if (!id) {
      loadingRoute = route
      try {
        id = simulate.load(path.join(DIST, route), { rootPath: DIST }) as string
      } finally {
        loadingRoute = null
      }
      loaded.set(route, id)
    }
    pendingQuery = query
    const component = simulate.render(id) as SimComponent
    const parent = document.createElement(`page-${route.replace(/\W+/g, '-')}`)
    document.body.appendChild(parent)
    component.attach(parent)

    const text = () => component.dom.textContent ?? ''
    const handle: PageHandle = {
      route,
      component,
      text,
      async waitFor(what, timeoutMs = 20_000) {
        const test =
          typeof what === 'function'
            ? what
            : () => {
                const now = text()
                return (Array.isArray(what) ? what : [what]).every((needle) => now.includes(needle))
              }
        const deadline = Date.now() + timeoutMs
        while (!test()) {
          if (Date.now() > deadline) {
            throw new Error(
              `${route}: timed out after ${timeoutMs} ms waiting for ${JSON.stringify(typeof what === 'function' ? 'a condition' : what)}; the page shows:\n${text().slice(0, 800)}`,
            )
          }
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      },
      has: (selector) => Boolean(component.querySelector(selector)),
      count: (tag) => component.dom.querySelectorAll(`wx-${tag}`).length,
      tap(selector) {
        const target = component.querySelector(selector)
        if (!target) throw new Error(`${route}: nothing matches ${selector}`)
        target.dispatchEvent('tap')
      },
      call(method, ...args) {
        const fn = component.instance[method]
        if (typeof fn !== 'function') throw new Error(`${route}: the page has no ${method}()`)
        return fn.apply(component.instance, args)
      },
      unload() {
        component.detach()
        parent.remove()
      },
    }
    return handle
  }

  const waitForCall = async (api: string, timeoutMs = 5_000): Promise<WxCall> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const call = wxCalls.find((entry) => entry.api === api)
      if (call) return call
      if (Date.now() > deadline) {
        throw new Error(
          `wx.${api} was not called within ${timeoutMs} ms; calls: ${wxCalls.map((entry) => entry.api).join(', ') || 'none'}`,
        )
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  const clearLogs = () => {
    wxCalls.length = 0
    setDataLog.length = 0
    requests.length = 0
  }

  current = {
    wxCalls,
    setDataLog,
    requests,
    storage,
    setScene: (value) => {
      scene = value
    },
    open,
    waitForCall,
    clearLogs,
    setApiOrigin: (origin) => {
      options.apiOrigin = origin
    },
  }
  return current
}

/* ------------------------------------------------------------------------------------------ */
/* Measuring a rendered page                                                                  */
/* ------------------------------------------------------------------------------------------ */

export interface TreeStats {
  /** Element nodes under the page root (what WeChat's audit counts as WXML nodes) */
  nodes: number
  /** Text nodes with content, reported beside the elements */
  textNodes: number
  /** Deepest element nesting below the page root */
  depth: number
  /** Most children of a single element */
  maxChildren: number
}

export function treeStats(root: Element): TreeStats {
  let nodes = 0
  let textNodes = 0
  let depth = 0
  let maxChildren = 0
  const walk = (element: Element, level: number) => {
    for (const child of Array.from(element.childNodes)) {
      if (child.nodeType === 3 && child.textContent?.trim()) textNodes++
    }
    const children = Array.from(element.children)
    maxChildren = Math.max(maxChildren, children.length)
    for (const child of children) {
      nodes++
      depth = Math.max(depth, level)
      walk(child, level + 1)
    }
  }
  walk(root, 1)
  return { nodes, textNodes, depth, maxChildren }
}

/** Resolves once no component has called setData for `quietMs` (the render has settled). */
export async function settled(weapp: Weapp, quietMs = 250, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let seen = weapp.setDataLog.length
  let since = Date.now()
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`setData did not settle within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
    if (weapp.setDataLog.length !== seen) {
      seen = weapp.setDataLog.length
      since = Date.now()
    }
  }
}
