import { formatMonthly, formatPrice } from '../../src/utils/format'

describe('prices as readers see them', () => {
  it('gives the monthly price of each plan to the nearest 0.1 yuan, since it says 约', () => {
    expect(formatMonthly(990, 1)).toBe('约¥9.9/月')
    expect(formatMonthly(4800, 6)).toBe('约¥8/月')
    // ¥68 a year is ¥5.67 a month: 约¥5.7, not the ¥5.6 that cutting off claimed.
    expect(formatMonthly(6800, 12)).toBe('约¥5.7/月')
    expect(formatMonthly(11800, 12)).toBe('约¥9.8/月')
    expect(formatMonthly(6800, 0)).toBe('')
  })

  it('writes prices without trailing zeros', () => {
    expect([formatPrice(990), formatPrice(4800), formatPrice(1234), formatPrice(5)]).toEqual([
      '¥9.9',
      '¥48',
      '¥12.34',
      '¥0.05',
    ])
  })
})
