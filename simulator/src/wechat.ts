import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { wechatError } from './errcodes'
import { upstreamGate } from './faults'
import { lenientJsonBodies } from './http'
import { loginRoutes } from './login'
import { phoneRoutes } from './phone'
import { securityRoutes } from './security'
import { subscribeRoutes } from './subscribe'
import { shippingRoutes } from './shipping'
import type { SimState } from './state'
import { tokenRoutes } from './tokens'
import { wxacodeRoutes } from './wxacode'
import { xpayRoutes } from './xpay'

export interface WechatApiOptions {
  state: SimState
}

/**
 * The api.weixin.qq.com side: the paths, parameters and response shapes of WeChat's server API.
 * Registers every api.weixin.qq.com route inside one encapsulated context, so all of them share
 * the WeChat body parser, the WeChat error shape, the call counter and the fault hook. A new
 * WeChat area is one more `app.register(...)` line below. The xpay routes exist only when the
 * simulator has xpay options.
 */
export async function wechatApi(app: FastifyInstance, { state }: WechatApiOptions): Promise<void> {
  lenientJsonBodies(app)

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    const clientError = (error.statusCode ?? 500) < 500
    if (!clientError) request.log.error({ err: error }, 'simulator route failed')
    // Validation and parse errors become WeChat's 47001; anything else its -1, always HTTP 200.
    void reply.code(200).send(wechatError(state, clientError ? 47001 : -1))
  })

  app.addHook('onRoute', (route) => {
    state.upstreamPaths.add(route.url)
  })
  app.addHook(
    'onRequest',
    upstreamGate(state, (fault) =>
      fault.errcode === undefined
        ? undefined
        : { status: fault.httpStatus ?? 200, body: wechatError(state, fault.errcode, fault.errmsg) },
    ),
  )

  await app.register(loginRoutes, { state })
  await app.register(tokenRoutes, { state })
  await app.register(phoneRoutes, { state })
  await app.register(securityRoutes, { state })
  await app.register(subscribeRoutes, { state })
  await app.register(wxacodeRoutes, { state })
  if (state.xpay) await app.register(xpayRoutes, { state, store: state.xpay })
  if (state.shipping) await app.register(shippingRoutes, { state, store: state.shipping })
}
