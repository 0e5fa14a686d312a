import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config'
import type { Viewer } from '../domain/gating'
import type { Operator, OperatorRole } from '../domain/operators'
import type { PreviewGrant } from '../domain/preview-tickets'
import type { Services } from '../services'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    /** Every service of this process (see services.ts); routes take what they need from here */
    services: Services
    /** The request's session, or a 401 LOGIN_REQUIRED */
    requireSession(request: FastifyRequest): { userId: number; tokenHash: string }
    /**
     * The console operator of the request's session cookie (plugins/admin-auth.ts), or 401
     * ADMIN_LOGIN_REQUIRED; 403 ADMIN_ROLE_REQUIRED unless their role is one of `roles` or admin
     */
    requireOperator(request: FastifyRequest, roles?: OperatorRole[]): Operator
  }
  interface FastifyRequest {
    /** The signed-in viewer, or null for an anonymous one (set by the auth hook) */
    viewer: Viewer | null
    /** The session the bearer token stands for, or null without one */
    session: { userId: number; tokenHash: string } | null
    /** The preview ticket's grant when the request carries x-preview-ticket (viewer is then its pretend viewer) */
    preview: PreviewGrant | null
    /** The console's encrypted session cookie (plugins/admin-auth.ts) */
    adminSession: AdminSessionCookie
    /** The console operator signed in with the session cookie, on /api/admin/ routes; else null */
    operator: Operator | null
    /** The session's CSRF token, set with `operator` */
    adminCsrfToken: string | null
  }
}

/** The parts of @fastify/secure-session's Session the console uses (see plugins/admin-auth.ts) */
export interface AdminSessionCookie {
  get(key: string): unknown
  set(key: string, value: unknown): void
  data(): Record<string, unknown> | undefined
  delete(): void
  regenerate(ignoreFields?: string[]): void
}

/** The Fastify instance routes are registered on, with TypeBox schemas typing requests. */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

export type { FastifyRequest }
