import type { ProductFields } from '../src/domain/store'

/** A shipping address in the seven fields of wx.chooseAddress that checkout takes */
export const SAMPLE_ADDRESS = {
  userName: '张三',
  telNumber: '13800138000',
  provinceName: '广东省',
  cityName: '广州市',
  countyName: '海珠区',
  detailInfo: '新港中路397号',
  postalCode: '510000',
}

/** A 现货 book on the shelf, ¥37, 50 copies, 5 per reader; `overrides` change any field */
export function bookFields(slug: string, overrides: Partial<ProductFields> = {}): ProductFields {
  return {
    slug,
    title: `2024年10月笔试考题解析 ${slug}`,
    cover: null,
    priceFen: 3700,
    originalPriceFen: null,
    kind: 'in_stock',
    shipDate: null,
    issuesCount: null,
    stock: 50,
    limitPerReader: 5,
    onShelf: true,
    sortOrder: 0,
    ...overrides,
  }
}
