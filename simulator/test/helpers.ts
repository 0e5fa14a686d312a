import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildSimulator, type SimulatorOptions } from '../src/app'

export const APPID = 'wx1234567890abcdef'
export const SECRET = 'test-secret-0123456789abcdef0123'

/** A fake base clock a test can move by hand, besides POST /__control/clock */
export class ManualClock {
  ms = Date.UTC(2026, 0, 1)
  readonly now = (): number => this.ms
}

export interface Json {
  [key: string]: unknown
}

export interface Sim {
  app: FastifyInstance
  base: string
  port: number
  get(path: string, query?: Record<string, string>): Promise<Json>
  post(path: string, body?: unknown): Promise<Json>
  /** A raw request, for status codes and headers */
  fetch(path: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** Starts a simulator in this process on a random port, as the API server's tests will */
export async function startSim(options: Partial<SimulatorOptions> = {}): Promise<Sim> {
  const app = buildSimulator({ appid: APPID, secret: SECRET, ...options })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const base = `http://127.0.0.1:${port}`
  const raw = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init)
  return {
    app,
    base,
    port,
    fetch: raw,
    async get(path, query) {
      const search = query ? `?${new URLSearchParams(query).toString()}` : ''
      const response = await raw(`${path}${search}`)
      return (await response.json()) as Json
    },
    async post(path, body) {
      const response = await raw(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return (await response.json()) as Json
    },
    close: () => app.close(),
  }
}

/** wx.login on the phone side, then the server's jscode2session */
export async function loginCode(sim: Sim, user: string, appid?: string): Promise<string> {
  const { code } = await sim.post('/__phone/login', appid === undefined ? { user } : { user, appid })
  return code as string
}

export function jscode2session(sim: Sim, code: string, overrides: Record<string, string> = {}): Promise<Json> {
  return sim.get('/sns/jscode2session', {
    appid: APPID,
    secret: SECRET,
    js_code: code,
    grant_type: 'authorization_code',
    ...overrides,
  })
}

export async function stableToken(sim: Sim, forceRefresh?: boolean): Promise<Json> {
  const body: Json = { grant_type: 'client_credential', appid: APPID, secret: SECRET }
  if (forceRefresh !== undefined) body.force_refresh = forceRefresh
  return sim.post('/cgi-bin/stable_token', body)
}

export async function accessToken(sim: Sim): Promise<string> {
  return (await stableToken(sim)).access_token as string
}

/** Asserts a WeChat error body: the errcode, and an errmsg that ends with WeChat's request id */
export function expectWechatError(body: Json, errcode: number, errmsg?: string): void {
  expect(body.errcode).toBe(errcode)
  expect(body.errmsg).toMatch(/, rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/)
  if (errmsg !== undefined) expect(String(body.errmsg).replace(/, rid: .*$/, '')).toBe(errmsg)
  expect(Object.keys(body).sort()).toEqual(['errcode', 'errmsg'])
}
