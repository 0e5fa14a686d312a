import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config'
import type { Viewer } from '../domain/gating'
import type { Services } from '../services'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Every service of this process (see services.ts); routes take what they need from here */
    services: Services
    /** The request's session, or a 401 LOGIN_REQUIRED */
    requireSession(request: FastifyRequest): { userId: number; tokenHash: string }
  }
  interface FastifyRequest {
    /** The signed-in viewer, or null for an anonymous one (set by the auth hook) */
    viewer: Viewer | null
    /** The session the bearer token stands for, or null without one */
    session: { userId: number; tokenHash: string } | null
  }
}

/** The Fastify instance routes are registered on, with TypeBox schemas typing requests. */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

export type { FastifyRequest }
