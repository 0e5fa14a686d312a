/**
 * A cold launch from Moments (scene 1154, single-page mode) on the real weapp build: no login at
 * all, not even with a stored token, and the article is the logged-out preview.
 */
import {
  ARTICLE_PAGE,
  assertWeappBuilt,
  bootWeapp,
  seedIssueId,
  startApiServer,
  type ApiServer,
  type Weapp,
} from './harness'

jest.setTimeout(60_000)

let api: ApiServer | undefined
let weapp: Weapp
let issueId: number

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  // The seed issue has a VIP part, so the preview ends at the paywall.
  issueId = await seedIssueId(api)
  // A VIP reader's token is stored, yet single-page mode must not use it.
  weapp = bootWeapp({ apiOrigin: api.origin, scene: 1154, storage: { token: await api.vipToken() } })
})

afterAll(async () => {
  await api?.stop()
})

it('launched from Moments: no sign-in, no session check, the free preview of the issue', async () => {
  const list = await new Promise<string>((resolve) => setTimeout(() => resolve(weapp.requests.join('\n')), 200))
  expect(list).not.toContain('/api/auth/login')
  expect(list).not.toContain('/api/me')

  const page = await weapp.open(ARTICLE_PAGE, { id: String(issueId) })
  await page.waitFor(['请前往小程序使用完整服务', '本篇为VIP章节'])
  expect(page.count('button')).toBe(0)
  expect(weapp.requests.some((request) => request.startsWith('POST /api/auth/login'))).toBe(false)
  page.unload()
})
