import crypto from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import './types'

/** Who counts as one viewer for view counts: the user, or an anonymous reader's address and browser. */
export function viewerKey(request: FastifyRequest): string {
  if (request.viewer) return `u:${request.viewer.userId}`
  const fingerprint = `${request.ip}|${request.headers['user-agent'] ?? ''}`
  return `a:${crypto.createHash('sha256').update(fingerprint).digest('hex').slice(0, 32)}`
}
