import { request } from './http'
import type { CreateGoodsOrderInput, CreateOrderResult, ItemList, Order, Product } from './types'

const productPath = (id: number) => `/api/store/products/${encodeURIComponent(String(id))}`

/** GET /api/store/products: the 图书 shelf in the operator's order, with stock, 销售 and 浏览 counts. */
export function listProducts(): Promise<ItemList<Product>> {
  return request<ItemList<Product>>('/api/store/products')
}

/** GET /api/store/products/:id: one product on the shelf; the server counts the view (浏览 N人). */
export function getProduct(id: number): Promise<Product> {
  return request<Product>(productPath(id))
}

/**
 * POST /api/store/orders: copies of a product shipped to an address. No price is sent: the server
 * prices the order, reserves the copies and answers what WeChat Pay is paid with.
 */
export function createGoodsOrder(input: CreateGoodsOrderInput): Promise<CreateOrderResult> {
  const { productId, quantity, address, platform, requestKey } = input
  return request<CreateOrderResult>('/api/store/orders', {
    method: 'POST',
    data: { productId, quantity, address, platform, requestKey },
  })
}

/** POST /api/store/orders/:id/confirm-receipt: 确认收货, decided by the server asking WeChat (409 NOT_RECEIVED otherwise). */
export function confirmReceipt(orderId: number): Promise<Order> {
  return request<Order>(`/api/store/orders/${encodeURIComponent(String(orderId))}/confirm-receipt`, { method: 'POST' })
}

/** POST /api/store/orders/:id/refund: 申请退款 of an order not shipped yet, in full (409 ALREADY_SHIPPED once shipped). */
export function requestRefund(orderId: number): Promise<Order> {
  return request<Order>(`/api/store/orders/${encodeURIComponent(String(orderId))}/refund`, { method: 'POST' })
}
