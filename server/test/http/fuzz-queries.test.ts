import { generateDemoIssues } from '../../src/domain/demo-content'
import { encodeCursor } from '../../src/infra/cursor'
import { grantMembership } from '../../src/domain/membership'
import { dialects, issueToken, startTestApp, type TestApp } from '../helpers'

/**
 * Every route whose query or path has an integer or a cursor, read from the OpenAPI document
 * (so a new route is covered without touching this file), fed numbers no client should send:
 * the answer is always the client's 4xx, never a 500, on both databases, signed in or not.
 */

interface Parameter {
  in: 'query' | 'path' | 'header'
  name: string
  required?: boolean
  schema: { type?: string; minimum?: number; maximum?: number }
}
interface Operation {
  method: string
  path: string
  parameters: Parameter[]
}

const INTEGER_VALUES = ['0', '-1', String(2 ** 31), '9223372036854775808', '1e309', 'Infinity', 'NaN', '1.5', '']

/** A cursor in encodeCursor's encoding; strings go where numbers belong. */
const cursorOf = (key: number | string, id: number | string) =>
  encodeCursor({ publishedAt: key as number, id: id as number })

const BAD_IDS: (number | string)[] = [0, -1, 2 ** 31, 2 ** 53, Infinity, NaN, '1e309', 'abc', '1.5']
const BAD_KEYS: (number | string)[] = [-1, 2 ** 53, Infinity, NaN, '1e309', 'abc', '1.5', '9007199254740993']
/** Cursors out of range whatever their first key is (a time, or the navigator's issue number) */
const INVALID_CURSORS = [
  ...BAD_IDS.map((id) => cursorOf(1, id)),
  ...BAD_KEYS.map((key) => cursorOf(key, 1)),
  cursorOf(2 ** 53, 2 ** 53),
]
/** In range as a time (25 days after 1970), out of range as an issue number: never a 500 */
const DEPENDS_CURSORS = [cursorOf(2 ** 31, 1), cursorOf(2 ** 31 - 1, 2 ** 31 - 1)]

const isValidInteger = (value: string, schema: Parameter['schema']) =>
  /^-?\d+$/.test(value) &&
  Number(value) >= (schema.minimum ?? -Infinity) &&
  Number(value) <= (schema.maximum ?? Infinity)

describe.each(dialects())('integer and cursor parameters on %s', (dialect) => {
  let t: TestApp
  let vipToken: string
  /** The console's session of an admin operator: cookie and CSRF token */
  let operator: { cookie: string; csrfToken: string }
  let operations: Operation[]
  let issueId: number

  beforeAll(async () => {
    t = await startTestApp(dialect)
    await generateDemoIssues(t.db.kysely, 3, { now: Date.now() })
    const issue = await t.db.kysely
      .selectFrom('issues')
      .select('id')
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    issueId = issue.id
    const vip = await issueToken(t.db, 'fuzz-vip')
    await grantMembership(t.db.kysely, vip.userId, 30, 'test', 'admin', Date.now())
    vipToken = vip.token
    await t.app.services.operators.add(
      { name: 'fuzz-admin', role: 'admin', password: 'fuzz-password-0123' },
      Date.now(),
    )
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/admin/session/password',
      payload: { name: 'fuzz-admin', password: 'fuzz-password-0123' },
    })
    // The cookie as sent, still encoded (the parsed one is decoded).
    const setCookie = [signIn.headers['set-cookie'] ?? []].flat()
    const cookie = setCookie.map((entry) => entry.split(';')[0]).find((entry) => entry.startsWith('beichen_admin='))
    if (!cookie) throw new Error(`no console session: ${signIn.body}`)
    operator = { cookie, csrfToken: signIn.json().csrfToken }
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: Parameter[] }>>
    }
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .map(([method, operation]) => ({ method: method.toUpperCase(), path, parameters: operation.parameters ?? [] }))
        .filter((operation) =>
          operation.parameters.some((p) => p.in !== 'header' && (p.schema.type === 'integer' || p.name === 'cursor')),
        ),
    )
  })
  afterAll(() => t.close())

  /** A value each route accepts for a parameter that is not being fuzzed */
  const plausible = (parameter: Parameter): string => {
    if (parameter.schema.type === 'integer') return String(issueId)
    const known: Record<string, string> = { questionId: 'q1', region: 'shanxi', q: '山西' }
    return known[parameter.name] ?? 'x'
  }

  function url(operation: Operation, fuzzed: string, value: string): string {
    let path = operation.path
    const query = new URLSearchParams()
    for (const parameter of operation.parameters) {
      const given = parameter.name === fuzzed ? value : plausible(parameter)
      if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodeURIComponent(given))
      else if (parameter.in === 'query' && (parameter.name === fuzzed || parameter.required)) {
        query.set(parameter.name, given)
      }
    }
    const search = query.toString()
    return search ? `${path}?${search}` : path
  }

  type Who = 'VIP' | 'operator' | 'anonymous'
  /** Console routes are tried as an operator; every route also anonymously */
  const callers = (operation: Operation): Who[] =>
    operation.path.startsWith('/api/admin/') ? ['operator', 'anonymous'] : ['VIP', 'anonymous']
  /** The console refuses a caller without its session before reading any parameter */
  const consoleRefused = (operation: Operation, who: Who, status: number) =>
    who === 'anonymous' && operation.path.startsWith('/api/admin/') && status === 401

  const send = (method: string, target: string, who: Who | string = 'anonymous') =>
    t.app.inject({
      method: method as 'GET',
      url: target,
      headers:
        who === 'operator'
          ? { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken }
          : who === 'anonymous'
            ? {}
            : { authorization: `Bearer ${who === 'VIP' ? vipToken : who}` },
    })

  it('finds the routes with integers and cursors in the OpenAPI document', () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`)
    for (const expected of [
      'GET /api/issues',
      'GET /api/issues/{id}',
      'GET /api/search',
      'GET /api/navigator/{region}',
      'GET /api/favorites',
      'GET /api/history',
      'GET /api/practice/answers',
    ]) {
      expect(names).toContain(expected)
    }
  })

  it('answers an integer parameter out of range or not an integer with a 4xx, never a 500', async () => {
    const failures: string[] = []
    for (const operation of operations) {
      for (const parameter of operation.parameters.filter((p) => p.schema.type === 'integer' && p.in !== 'header')) {
        const { minimum, maximum } = parameter.schema
        const values = [
          ...INTEGER_VALUES,
          ...(minimum === undefined ? [] : [String(minimum - 1)]),
          ...(maximum === undefined ? [] : [String(maximum + 1)]),
        ]
        for (const value of values) {
          const target = url(operation, parameter.name, value)
          for (const who of callers(operation)) {
            const response = await send(operation.method, target, who)
            if (consoleRefused(operation, who, response.statusCode)) continue
            if (response.statusCode >= 500) {
              failures.push(`${operation.method} ${target} (${who}): ${response.statusCode} ${response.body}`)
            } else if (!isValidInteger(value, parameter.schema)) {
              const code = response.json().error?.code
              // An empty path segment may route elsewhere; any other value is the parameter's fault.
              const expected =
                value === '' && parameter.in === 'path' ? response.statusCode >= 400 : code === 'INVALID_PARAMETER'
              if (!expected || response.statusCode >= 500 || response.statusCode < 400) {
                failures.push(`${operation.method} ${target} (${who}): ${response.statusCode} ${response.body}`)
              }
            }
          }
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('answers a well-encoded cursor with numbers out of range with 400 INVALID_CURSOR, never a 500', async () => {
    const failures: string[] = []
    for (const operation of operations) {
      if (!operation.parameters.some((p) => p.name === 'cursor')) continue
      for (const cursor of [...INVALID_CURSORS, ...DEPENDS_CURSORS]) {
        const target = url(operation, 'cursor', cursor)
        const decoded = Buffer.from(cursor, 'base64url').toString()
        for (const who of callers(operation)) {
          const response = await send(operation.method, target, who)
          const line = `${operation.method} ${target} [${decoded}] (${who}): ${response.statusCode} ${response.body}`
          if (response.statusCode >= 500) failures.push(line)
          else if (INVALID_CURSORS.includes(cursor)) {
            // Bearer-only lists answer an anonymous caller 401 before reading the cursor.
            const refused = response.statusCode === 401 || response.json().error?.code === 'INVALID_CURSOR'
            if (!refused || (who !== 'anonymous' && response.statusCode !== 400)) failures.push(line)
          }
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('GET /api/issues?limit=1e309 is 400 INVALID_PARAMETER naming limit', async () => {
    for (const limit of ['1e309', 'Infinity', '-1e309']) {
      const response = await send('GET', `/api/issues?limit=${limit}`)
      expect([response.statusCode, response.json().error.code]).toEqual([400, 'INVALID_PARAMETER'])
      expect(response.json().error.message).toContain('"limit"')
    }
  })

  it('a cursor naming an id or issue number past 2^31 − 1 is 400 INVALID_CURSOR with what to do', async () => {
    for (const target of [
      `/api/issues?cursor=${cursorOf(Date.now(), 2 ** 31)}`,
      `/api/search?q=%E5%B1%B1%E8%A5%BF&cursor=${cursorOf(Date.now(), 2 ** 31)}`,
      `/api/navigator/shanxi?cursor=${cursorOf(2 ** 31, 1)}`,
      `/api/favorites?cursor=${cursorOf(Date.now(), 2 ** 31)}`,
      `/api/history?cursor=${cursorOf(Date.now(), 2 ** 31)}`,
    ]) {
      const response = await send('GET', target, vipToken)
      expect([target, response.statusCode, response.json().error.code]).toEqual([target, 400, 'INVALID_CURSOR'])
      expect(response.json().error.message).toMatch(/start again without it/)
    }
  })

  it('cursors the server made still page (the bounds refuse nothing real)', async () => {
    const first = (await send('GET', '/api/issues?limit=1')).json()
    expect(first.nextCursor).toEqual(expect.any(String))
    const second = await send('GET', `/api/issues?limit=1&cursor=${first.nextCursor}`)
    expect(second.statusCode).toBe(200)
    expect(second.json().items[0].id).not.toBe(first.items[0].id)
    const region = (await send('GET', '/api/navigator/shanxi?limit=1')).json()
    if (region.nextCursor) {
      expect((await send('GET', `/api/navigator/shanxi?limit=1&cursor=${region.nextCursor}`)).statusCode).toBe(200)
    }
  })

  it('a body integer sent as the string "1e309" is 400 INVALID_BODY, not Infinity in the database', async () => {
    const cases = [
      { method: 'POST', url: '/api/share-opens', payload: { issueId: '1e309', sharer: 'abcdefghijkm', scene: null } },
      { method: 'POST', url: '/api/share-opens', payload: { issueId, sharer: 'abcdefghijkm', scene: '1e309' } },
      {
        method: 'PUT',
        url: `/api/issues/${issueId}/practice/q1/draft`,
        payload: { text: 'x', elapsedSeconds: '1e309' },
      },
    ] as const
    for (const { method, url: target, payload } of cases) {
      const response = await t.app.inject({
        method,
        url: target,
        headers: { authorization: `Bearer ${vipToken}` },
        payload,
      })
      expect([target, response.statusCode, response.json().error?.code]).toEqual([target, 400, 'INVALID_BODY'])
    }
  })
})
