/**
 * 通知我下一期: the server keeps one opt-in per 'accept' of WeChat's subscribe-message sheet, per reader
 * and region, and sends one message when the region's next issue is published.
 */
import type { SubscriptionStateDto } from '../../../server/src/schemas/subscriptions'
import { request } from './http'

export type SubscriptionState = SubscriptionStateDto

/** GET /api/subscriptions?region=: the template to ask WeChat for (available false: the feature is off). */
export function getSubscription(region: string): Promise<SubscriptionState> {
  return request<SubscriptionState>('/api/subscriptions', { query: { region } })
}

/** POST /api/subscriptions: records one accept; the reader must be signed in. */
export function subscribeNextIssue(region: string, templateId: string): Promise<SubscriptionState> {
  return request<SubscriptionState>('/api/subscriptions', { method: 'POST', data: { region, templateId } })
}
