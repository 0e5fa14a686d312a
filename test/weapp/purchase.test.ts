/**
 * Buying VIP on the real weapp build (miniprogram-simulate), against the real API selling on the
 * 小程序虚拟支付 rail and the WeChat simulator in this process: the mini-program's own code path,
 * i.e. the global wx.requestVirtualPayment that Taro does not wrap. wx.login and the payment sheet
 * are answered by the simulator's phone side, as the phone would. Build first: npm run build:weapp.
 */
import fs from 'node:fs'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { buildSimulator } from '../../simulator/src/app'
import { makePaymentFixture } from '../../simulator/src/fixture'
import {
  ARTICLE_PAGE,
  assertWeappBuilt,
  bootWeapp,
  freePort,
  httpCall,
  seedIssueId,
  startApiServer,
  type ApiServer,
  type Weapp,
} from './harness'

jest.setTimeout(90_000)

const VIP_PAGE = 'subpackages/vip/pages/index'
const READER = 'weapp-buyer'

type Options = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

let api: ApiServer | undefined
let sim: ReturnType<typeof buildSimulator> | undefined
let weapp: Weapp
let seedId: number
let keys: string

async function phoneSide(simOrigin: string, route: string, body: Record<string, unknown>): Promise<Options> {
  const answer = await httpCall(`${simOrigin}/__phone${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return JSON.parse(answer.body) as Options
}

beforeAll(async () => {
  assertWeappBuilt()
  keys = fs.mkdtempSync(path.join(os.tmpdir(), 'beichen-weapp-pay-'))
  // The simulator pushes deliveries to the API's own address: pick it first.
  const port = await freePort()
  const fixture = makePaymentFixture({ dir: keys, apiBase: `http://127.0.0.1:${port}` })
  sim = buildSimulator({ ...fixture.simulator, retryScale: 0.001 })
  await sim.listen({ host: '127.0.0.1', port: 0 })
  const simOrigin = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`
  api = await startApiServer({
    port,
    env: { ...fixture.server, WECHAT_API_BASE: simOrigin, WECHATPAY_API_BASE: simOrigin, PAYMENT_RAIL: 'xpay' },
  })
  seedId = await seedIssueId(api)

  weapp = bootWeapp({
    apiOrigin: api.origin,
    wx: {
      // The phone's wx.login: a code from the simulator for this reader.
      login(options) {
        weapp?.wxCalls.push({ api: 'login', options })
        phoneSide(simOrigin, '/login', { user: READER }).then(
          ({ code }) => options.success?.({ code, errMsg: 'login:ok' }),
          (error: Error) => options.fail?.({ errMsg: `login:fail ${error.message}` }),
        )
      },
      // The phone's payment sheet: the reader confirms; the simulator checks every signature.
      requestVirtualPayment(options) {
        weapp?.wxCalls.push({ api: 'requestVirtualPayment', options })
        const { signData, paySig, signature, mode } = options
        phoneSide(simOrigin, '/xpay/pay', { user: READER, signData, paySig, signature, mode, action: 'confirm' }).then(
          (answer) => (String(answer.errMsg).endsWith(':ok') ? options.success?.(answer) : options.fail?.(answer)),
          (error: Error) => options.fail?.({ errMsg: `requestVirtualPayment:fail ${error.message}` }),
        )
      },
    },
  })
})

afterAll(async () => {
  await api?.stop()
  await sim?.close()
  if (keys) fs.rmSync(keys, { recursive: true, force: true })
})

describe('buying VIP (weapp runtime, virtual payment)', () => {
  it('from the paywall: signs in afresh, pays with wx.requestVirtualPayment, goes back, and the article unlocks', async () => {
    const article = await weapp.open(ARTICLE_PAGE, { id: String(seedId) })
    await article.waitFor(['二、深度解读', '本篇为VIP章节'])
    expect(article.text()).not.toContain('例题2') // the first VIP block; 例题1 is the free teaser
    article.tap('.paywall-button')
    expect((await weapp.waitForCall('navigateTo')).options.url).toBe(`/${VIP_PAGE}`)

    // WeChat opens the page over the article.
    const vip = await weapp.open(VIP_PAGE)
    await vip.waitFor(['半年', '原价¥59', '立即开通 ¥48'])
    expect(weapp.requests).toContain('GET /api/plans?platform=android')
    vip.tap('.vip-buy-button')
    await vip.waitFor('请先阅读并同意《VIP服务协议》')
    expect(weapp.requests.some((request) => request.startsWith('POST /api/orders'))).toBe(false)

    weapp.clearLogs()
    vip.tap('.vip-agree-toggle')
    await vip.waitFor(() => vip.has('.vip-agree-box-on'))
    vip.tap('.vip-buy-button')
    const pay = await weapp.waitForCall('requestVirtualPayment')
    expect(pay.options).toMatchObject({
      mode: 'short_series_goods',
      signData: expect.stringContaining('"goodsPrice":4800'),
    })
    // Back to the article once the server says fulfilled.
    await weapp.waitForCall('navigateBack', 20_000)
    const requests = weapp.requests.slice()
    expect(requests.indexOf('POST /api/auth/login')).toBeGreaterThanOrEqual(0)
    expect(requests.indexOf('POST /api/auth/login')).toBeLessThan(requests.indexOf('POST /api/orders'))
    expect(requests.some((request) => /^GET \/api\/orders\/\d+$/.test(request))).toBe(true)
    expect(requests).toContain('GET /api/me')
    expect(weapp.wxCalls.find((call) => call.api === 'showToast')?.options).toMatchObject({ title: '开通成功' })
    vip.unload()

    // WeChat shows the article again: it loads the issue once more, now whole.
    weapp.clearLogs()
    article.call('onShow')
    await article.waitFor(['三、实战应用', '例题2', '参考作答'])
    expect(article.has('#paywall')).toBe(false)
    expect(weapp.requests).toEqual([`GET /api/issues/${seedId}`])
    article.unload()
  })
})
