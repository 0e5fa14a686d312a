import { startTestApp, type TestApp } from '../helpers'

/**
 * The H5 preview (npm start) calls the API from another origin: a browser sends a preflight before
 * every PUT, PATCH and DELETE (favorites, history, settings, drafts, nickname), and a method the
 * answer does not list is never sent.
 */
const ORIGIN = 'http://localhost:10086'

let t: TestApp

beforeAll(async () => {
  t = await startTestApp('sqlite', { config: { CORS_ORIGINS: ORIGIN } })
})

afterAll(async () => {
  await t.close()
})

const preflight = (method: string, url: string, origin = ORIGIN) =>
  t.app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization,content-type',
    },
  })

it.each([
  ['PUT', '/api/favorites/1'],
  ['DELETE', '/api/favorites/1'],
  ['PUT', '/api/issues/1/practice/q1/draft'],
  ['PATCH', '/api/me'],
  ['POST', '/api/share-opens'],
])('a preflight for %s %s from the preview allows it', async (method, url) => {
  const response = await preflight(method, url)
  expect(response.statusCode).toBe(204)
  expect(response.headers['access-control-allow-origin']).toBe(ORIGIN)
  expect(String(response.headers['access-control-allow-methods']).split(/,\s*/)).toContain(method)
})

it('another origin gets no CORS allowance', async () => {
  const response = await preflight('PUT', '/api/favorites/1', 'https://evil.example')
  expect(response.headers['access-control-allow-origin']).toBeUndefined()
})
