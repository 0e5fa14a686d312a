/**
 * Signing in to the operator console by scanning: the computer shows a 小程序码 whose scene is a
 * one-time ticket; the operator's WeChat opens the confirm page, which answers for the signed-in reader.
 */
import { request } from './http'

/** POST /api/scan-login/confirm: 204 when this reader is an operator; 403 NOT_AN_OPERATOR, 410 TICKET_EXPIRED. */
export function confirmConsoleSignIn(ticket: string): Promise<void> {
  return request<void>('/api/scan-login/confirm', { method: 'POST', data: { ticket } })
}
