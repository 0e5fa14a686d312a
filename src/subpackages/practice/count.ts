/**
 * How an answer is counted against a question's limit ("400字左右"). Exam graders count what is
 * written, punctuation included, not the layout: so every character except whitespace (spaces,
 * the full-width space, tabs, line breaks) counts one, and a character outside the BMP (a rare
 * 汉字 of extension B) is one character, not two UTF-16 units.
 */
export function countAnswerCharacters(text: string): number {
  let count = 0
  for (const character of text) if (!/\s/u.test(character)) count += 1
  return count
}

/** "左右" is read as ±10%: 400 → 360…440. */
export const LIMIT_TOLERANCE = 0.1

export interface LimitRange {
  min: number
  max: number
}

export function limitRange(limit: number): LimitRange {
  return { min: Math.round(limit * (1 - LIMIT_TOLERANCE)), max: Math.round(limit * (1 + LIMIT_TOLERANCE)) }
}

export type RangeStatus = 'below' | 'within' | 'above'

/** Where a count stands against the range of a limit; null when the question sets no limit. */
export function rangeStatus(count: number, limit: number | null): RangeStatus | null {
  if (limit === null) return null
  const { min, max } = limitRange(limit)
  if (count < min) return 'below'
  if (count > max) return 'above'
  return 'within'
}

export const RANGE_WORDS: Record<RangeStatus, string> = {
  below: '字数不足',
  within: '字数合适',
  above: '字数超出',
}

/** 75 → "01:15", 3725 → "1:02:05" */
export function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const two = (n: number) => String(n).padStart(2, '0')
  const hours = Math.floor(s / 3600)
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`
  return hours > 0 ? `${hours}:${rest}` : rest
}
