interface IssueLabelSource {
  region: { name: string }
  number: number
}

/** 【山西·第32期】 */
export function issueLabel(issue: IssueLabelSource): string {
  return `【${issue.region.name}·第${issue.number}期】`
}

/** 【山西·第32期】中部城市群高质量发展: built from the free fields only (used for share texts). */
export function issueFullTitle(issue: IssueLabelSource & { title: string }): string {
  return `${issueLabel(issue)}${issue.title}`
}

/** 986 → "986", 12 345 → "1.2万", 120 000 → "12万" */
export function formatCount(value: number): string {
  if (!Number.isFinite(value) || value < 0) return '0'
  if (value < 10_000) return String(Math.floor(value))
  const wan = value / 10_000
  const text = wan >= 10 ? String(Math.floor(wan)) : (Math.floor(wan * 10) / 10).toFixed(1).replace(/\.0$/, '')
  return `${text}万`
}

/** Price in fen → yuan text without the sign: 990 → "9.9", 4800 → "48", 1234 → "12.34" */
export function formatYuan(fen: number): string {
  const yuan = Math.round(fen) / 100
  return Number.isInteger(yuan) ? String(yuan) : yuan.toFixed(2).replace(/0$/, '')
}

/** Price in fen → "¥48" */
export function formatPrice(fen: number): string {
  return `¥${formatYuan(fen)}`
}

/**
 * Price in fen per month → "约¥5.7/月", to the nearest 0.1 yuan: it says 约, so ¥68 a year is
 * ¥5.67 a month, 约¥5.7, not the ¥5.6 cutting off would claim.
 */
export function formatMonthly(fen: number, months: number): string {
  if (months <= 0) return ''
  const perMonth = Math.round(fen / months / 10) / 10
  return `约¥${perMonth.toFixed(1).replace(/\.0$/, '')}/月`
}

/** 2022-04-26 stays as is; anything else is shown as the server sent it. */
export function formatDate(date: string): string {
  return /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : date
}

/** China keeps UTC+8 all year (no daylight saving), so a fixed offset gives Asia/Shanghai dates. */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000

/** An ISO instant as its calendar date in Beijing time: 2027-06-30T15:59:59Z → "2027-06-30"; "" when unreadable. */
export function shanghaiDate(iso: string): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  return new Date(time + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** An amount in fen with two decimals, as on a receipt: 4800 → "¥48.00", 990 → "¥9.90" */
export function formatAmount(fen: number): string {
  return `¥${(Math.round(fen) / 100).toFixed(2)}`
}

/** An ISO instant in Beijing time to the minute: 2026-01-01T00:00:00Z → "2026-01-01 08:00"; "" when unreadable. */
export function shanghaiDateTime(iso: string): string {
  const time = Date.parse(iso)
  if (Number.isNaN(time)) return ''
  return new Date(time + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')
}

/**
 * The server keeps the author's wording: a point's text and a question's prompt start with their
 * label ("一是…", "例题1:…"). Where the label is drawn on its own, it is taken off the front of the
 * text when it is there (and the text left alone when written without it).
 */
export function withoutLabel(text: string, label: string): string {
  if (!label || !text.startsWith(label)) return text
  return text.slice(label.length).replace(/^\s*[:：]?\s*/, '')
}

/** "要求:准确全面…" as written, or "准确全面…" alone: shown with one 要求 prefix either way. */
export function requirementsText(requirements: string): string {
  return /^要求\s*[:：]/.test(requirements)
    ? requirements.replace(/^要求\s*[:：]\s*/, '要求：')
    : `要求：${requirements}`
}
