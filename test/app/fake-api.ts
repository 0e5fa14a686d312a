import Taro from '@tarojs/taro'
import { resetContacts } from '@/services/api/contacts'

/**
 * A scripted API behind the Taro mock: `route('POST /api/auth/login', answer)` queues answers per
 * method and path (the last one repeats), and every call is recorded with the token it carried.
 * Taro.uploadFile goes through the same routes (always POST), answering JSON text as WeChat does.
 */
export interface Answer {
  status: number
  body?: unknown
  header?: Record<string, string>
}
type Responder = Answer | ((call: Call) => Answer | Promise<Answer>)

export interface Call {
  method: string
  path: string
  data: unknown
  token: string
}

export interface FakeApi {
  calls: Call[]
  route: (key: string, ...answers: Responder[]) => void
  count: (key: string) => number
}

const error = (status: number, code: string, header: Record<string, string> = {}): Answer => ({
  status,
  body: { error: { code, message: code.toLowerCase() } },
  header,
})
export const answers = {
  ok: (body: unknown): Answer => ({ status: 200, body }),
  noContent: (): Answer => ({ status: 204, body: '' }),
  error,
  invalidToken: () => error(401, 'INVALID_TOKEN'),
  loginRequired: () => error(401, 'LOGIN_REQUIRED'),
}

/** What GET /api/contacts answers unless a test routes it: the server's defaults. */
export const CONTACTS = {
  service: { phone: '400-1788-950', hours: '09:00—21:30' },
  business: { phone: '18674025063' },
  officialAccount: { name: '北辰遴选', qrUrl: null },
  channels: { name: '北辰遴选', finderUserName: null },
  weibo: { name: '北辰遴选' },
}

export function fakeApi(): FakeApi {
  resetContacts()
  const routes = new Map<string, Responder[]>([['GET /api/contacts', [{ status: 200, body: CONTACTS }]]])
  const calls: Call[] = []

  const respond = async (method: string, url: string, data: unknown, header: Record<string, string> = {}) => {
    const path = new URL(url).pathname
    const token = (header.Authorization ?? '').replace(/^Bearer /, '')
    const call = { method, path, data, token }
    calls.push(call)
    const queue = routes.get(`${method} ${path}`)
    if (!queue || queue.length === 0) return error(404, 'NOT_FOUND')
    const next = queue.length > 1 ? queue.shift()! : queue[0]
    return typeof next === 'function' ? next(call) : next
  }

  ;(Taro.request as jest.Mock).mockImplementation(
    (options: { url: string; method?: string; data?: unknown; header?: Record<string, string> }) =>
      Object.assign(
        respond(options.method ?? 'GET', options.url, options.data, options.header).then((answer) => ({
          statusCode: answer.status,
          data: answer.body,
          header: answer.header ?? {},
        })),
        { abort: jest.fn() },
      ),
  )
  ;(Taro.uploadFile as jest.Mock).mockImplementation(
    (options: { url: string; filePath: string; header?: Record<string, string> }) =>
      respond('POST', options.url, { filePath: options.filePath }, options.header).then((answer) => ({
        statusCode: answer.status,
        data: answer.body === undefined ? '' : JSON.stringify(answer.body),
        header: answer.header ?? {},
      })),
  )

  return {
    calls,
    route: (key, ...list) => void routes.set(key, list),
    count: (key) => calls.filter((call) => `${call.method} ${call.path}` === key).length,
  }
}
