/**
 * 我的 on the real weapp build (miniprogram-simulate), against the real API server: the session
 * from launch, the open-type buttons as WeChat gets them, and the page's size. The API here has
 * no WeChat configured, so only a stored token signs a reader in. Build first: npm run build:weapp.
 */
import fs from 'node:fs'
import path from 'node:path'
import { assertWeappBuilt, bootWeapp, ROOT, treeStats, startApiServer, type ApiServer, type Weapp } from './harness'

jest.setTimeout(60_000)

const ME_PAGE = 'pages/me/index'

let api: ApiServer | undefined
let weapp: Weapp

beforeAll(async () => {
  assertWeappBuilt()
  api = await startApiServer()
  weapp = bootWeapp({ apiOrigin: api.origin, storage: { token: await api.vipToken() } })
})

afterAll(async () => {
  await api?.stop()
})

describe('我的 (weapp runtime)', () => {
  it('shows the VIP reader of the stored session, checked once at launch without a new sign-in', async () => {
    const page = await weapp.open(ME_PAGE)
    await page.waitFor(['有效期至', '绑定手机号', '退出登录'])
    expect(page.text()).toContain('VIP')
    // The build writes package.json's version into the page, for readers to quote to customer service.
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(page.text()).toContain(`版本 ${version}`)
    expect(weapp.requests.filter((request) => request === 'GET /api/me')).toHaveLength(1)
    expect(weapp.requests.some((request) => request.startsWith('POST /api/auth/login'))).toBe(false)
    page.unload()
  })

  it('sends the WeChat open-type buttons and the nickname input to the view, within the node budget', async () => {
    const page = await weapp.open(ME_PAGE)
    await page.waitFor('绑定手机号')
    // miniprogram-simulate's built-in button declares no properties, so read what Taro sent to the view.
    const viewData = JSON.stringify(page.component.instance.data)
    for (const value of ['chooseAvatar', 'getPhoneNumber', 'contact', 'nickname']) {
      expect(viewData).toContain(`"${value}"`)
    }
    expect(treeStats(page.component.dom).nodes).toBeLessThan(1000)
    page.unload()
  })
})
