import type { Product } from '../../services/api'
import { formatAmount, formatCount } from '../../utils/format'

/** 现货 / 预售 with its ship date / 预定 with its issue count, as the shelf tags a product */
export function kindTag(product: Pick<Product, 'kind' | 'shipDate' | 'issuesCount'>): string {
  if (product.kind === 'preorder') return product.shipDate ? `预售 · ${product.shipDate}发货` : '预售'
  if (product.kind === 'subscription') return product.issuesCount ? `预定 · ${product.issuesCount}期` : '预定'
  return '现货'
}

/** 销售 N件 · 浏览 N人 */
export function countsText(product: Pick<Product, 'sold' | 'views'>): string {
  return `销售 ${formatCount(product.sold)}件 · 浏览 ${formatCount(product.views)}人`
}

/** ¥37.00, and 原价 only when it is above the price */
export function priceTexts(product: Pick<Product, 'priceFen' | 'originalPriceFen'>): {
  price: string
  original: string
} {
  const { priceFen, originalPriceFen } = product
  return {
    price: formatAmount(priceFen),
    original: originalPriceFen !== null && originalPriceFen > priceFen ? formatAmount(originalPriceFen) : '',
  }
}

/** Most copies one order may hold now: the stock, the limit per reader, the server's 99 */
export function maxQuantity(product: Pick<Product, 'stock' | 'limitPerReader' | 'soldOut'>): number {
  if (product.soldOut) return 0
  return Math.max(0, Math.min(product.stock, product.limitPerReader, 99))
}
