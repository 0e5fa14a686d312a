import { STATUS_CODES } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify'
import type { SimState } from './state'

/** One fault rule, as `POST /__control/faults` takes it */
export interface FaultSpec {
  /** The upstream route it hits, exactly as registered, e.g. `/sns/jscode2session` */
  path: string
  /** Answer with this errcode (and WeChat's errmsg for it) instead of the real answer (api.weixin.qq.com paths) */
  errcode?: number
  /** Answer with this WeChat Pay v3 error code, e.g. SYSTEM_ERROR, under httpStatus or 500 (/v3/ paths) */
  code?: string
  /** Overrides the errmsg looked up for `errcode` (the message of `code`) */
  errmsg?: string
  /** Answer with this HTTP status; with no errcode the body is the status line as plain text */
  httpStatus?: number
  /** Wait this long before answering (the real answer, or the fault) */
  delayMs?: number
  /** How many calls it applies to; 1 unless given */
  count?: number
}

interface ActiveFault extends FaultSpec {
  remaining: number
}

/**
 * Queued faults per upstream path. Each call to the path consumes one use of the oldest rule;
 * a rule is dropped when its count is used up, and the next queued rule (if any) takes over.
 */
export class Faults {
  private readonly queues = new Map<string, ActiveFault[]>()

  add(spec: FaultSpec): void {
    const queue = this.queues.get(spec.path) ?? []
    queue.push({ ...spec, remaining: spec.count ?? 1 })
    this.queues.set(spec.path, queue)
  }

  /** Consumes one use of the fault that applies to the next call to `path`, if any */
  take(path: string): FaultSpec | undefined {
    const queue = this.queues.get(path)
    const head = queue?.[0]
    if (!queue || !head) return undefined
    head.remaining -= 1
    if (head.remaining <= 0) queue.shift()
    if (queue.length === 0) this.queues.delete(path)
    return head
  }

  /** Rules still waiting, for `GET /__control/stats` */
  pending(): Array<FaultSpec & { remaining: number }> {
    return [...this.queues.values()].flat().map((fault) => ({ ...fault }))
  }

  clear(): void {
    this.queues.clear()
  }
}

/** Renders a fault as the error answer of the upstream it stands in for; undefined when the fault has no error */
export type FaultBody = (fault: FaultSpec) => { status: number; body: unknown } | undefined

/**
 * The hook every upstream (WeChat-side) route goes through: it counts the call, then applies the
 * next fault queued for the route, if any. Register it in the encapsulated context of an upstream
 * area with that area's error body (WeChat's `{errcode, errmsg}`, WeChat Pay v3's `{code, message}`).
 */
export function upstreamGate(state: SimState, body: FaultBody): onRequestAsyncHookHandler {
  return async function gate(request: FastifyRequest, reply: FastifyReply) {
    const path = request.routeOptions.url
    if (path === undefined) return
    state.calls.set(path, (state.calls.get(path) ?? 0) + 1)
    const fault = state.faults.take(path)
    if (!fault) return
    if (fault.delayMs) await sleep(fault.delayMs)
    const rendered = body(fault)
    if (rendered) return reply.code(rendered.status).send(rendered.body)
    if (fault.httpStatus !== undefined && fault.httpStatus !== 200) {
      const status = fault.httpStatus
      return reply
        .code(status)
        .type('text/plain; charset=utf-8')
        .send(`${status} ${STATUS_CODES[status] ?? 'Error'}`)
    }
  }
}
