import { request } from './http'
import type { CreateOrderInput, CreateOrderResult, ItemList, Order, Platform, PlansWithPurchase } from './types'

/**
 * GET /api/plans: the plans on sale and whether this platform may buy them. When `purchase.available`
 * is false (iOS on the WeChat Pay rail, or payments not configured) no price and no buy button may be shown.
 */
export function listPlans(platform?: Platform): Promise<PlansWithPurchase> {
  return request<PlansWithPurchase>('/api/plans', { query: { platform } })
}

/**
 * POST /api/orders: an order for a plan at the server's price, and what the client pays it with
 * (`payment` is null when the order can no longer be paid). The same requestKey returns the same order.
 */
export function createOrder(input: CreateOrderInput): Promise<CreateOrderResult> {
  return request<CreateOrderResult>('/api/orders', { method: 'POST', data: { ...input } })
}

/** GET /api/orders/:id: a pending order is first checked with WeChat by the server, so polling this learns the outcome. */
export function getOrder(id: number): Promise<Order> {
  return request<Order>(`/api/orders/${encodeURIComponent(String(id))}`)
}

/** POST /api/orders/:id/cancel: the server checks the order with WeChat first, then closes it. */
export function cancelOrder(id: number): Promise<Order> {
  return request<Order>(`/api/orders/${encodeURIComponent(String(id))}/cancel`, { method: 'POST' })
}

/** POST /api/orders/:id/pay: 继续支付, what a pending order is paid with again; 409 ORDER_NOT_PAYABLE once it is not. */
export function resumePayment(id: number): Promise<CreateOrderResult> {
  return request<CreateOrderResult>(`/api/orders/${encodeURIComponent(String(id))}/pay`, { method: 'POST' })
}

/** GET /api/orders: the reader's orders, newest first. */
export function listOrders(): Promise<ItemList<Order>> {
  return request<ItemList<Order>>('/api/orders')
}
