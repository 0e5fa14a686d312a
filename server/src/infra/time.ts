/** Publication dates and view days are calendar days in China Standard Time (UTC+8, no DST). */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000

export function shanghaiDate(epochMs: number): string {
  return new Date(epochMs + CST_OFFSET_MS).toISOString().slice(0, 10)
}

/** Midnight in Asia/Shanghai of a YYYY-MM-DD date, as epoch ms. */
export function shanghaiMidnight(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`)
}
