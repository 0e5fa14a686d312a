import Fastify, { type FastifyInstance } from 'fastify'
import { controlRoutes } from './control'
import { payRoutes } from './pay'
import { phoneSideRoutes } from './phone-side'
import { resolveConfig, SimState, type SimulatorOptions } from './state'
import { wechatApi } from './wechat'

export type { SimulatorOptions } from './state'

/**
 * The local WeChat simulator, for development and tests only (the API server never imports it).
 * It serves api.weixin.qq.com's paths with WeChat's parameters and response shapes, so the API
 * server talks to it with its production code and only a different base URL, plus:
 * - `/v3/*`: WeChat Pay API v3 (api.mch.weixin.qq.com), when the options have `pay`;
 * - `/__phone/*`: what the WeChat client does for a page (wx.login, getPhoneNumber, the payment
 *   sheets of wx.requestVirtualPayment and wx.requestPayment), CORS open;
 * - `/__control/*`: faults, clock, reset, counters and notification switches for tests;
 * - `/healthz`.
 *
 * Tests start it in-process: `const sim = buildSimulator({ secret }); const base = await sim.listen({ port: 0 })`.
 */
export function buildSimulator(options: SimulatorOptions): FastifyInstance {
  const state = new SimState(resolveConfig(options), options.now)
  const app = Fastify({ logger: options.logger ?? false })

  app.get('/healthz', async () => ({ status: 'ok' as const }))
  app.addHook('onClose', async () => state.close())
  void app.register(wechatApi, { state })
  if (state.pay) void app.register(payRoutes, { state, store: state.pay, prefix: '/v3' })
  void app.register(phoneSideRoutes, { state, prefix: '/__phone' })
  void app.register(controlRoutes, { state, prefix: '/__control' })
  return app
}
