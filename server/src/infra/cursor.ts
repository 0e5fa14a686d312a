import { badRequest } from '../errors'
import { INT4_MAX } from '../schemas/common'

/** Keyset paging: a cursor is the last row's first sort key (a time or an issue number) and its id. */
export interface Cursor {
  publishedAt: number
  id: number
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.publishedAt}.${cursor.id}`).toString('base64url')
}

/**
 * One page of rows fetched with `limit + 1` in keyset order: the first `limit` as items, and a
 * cursor after the last of them when there are more. `key` is the row's first sort key.
 */
export function cursorPage<R extends { id: number }, T>(
  rows: R[],
  limit: number,
  key: (row: R) => number,
  item: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page[page.length - 1]
  return {
    items: page.map(item),
    nextCursor: rows.length > limit && last ? encodeCursor({ publishedAt: key(last), id: last.id }) : null,
  }
}

/** Bounds of what a cursor may carry: ids and issue numbers are int4 columns, times are epoch ms. */
const CURSOR_BOUNDS = {
  id: { min: 1, max: INT4_MAX },
  /** The first key as a time: 1970 … the end of year 9999 (bigint column) */
  time: { min: 0, max: 253402300799999 },
  /** The first key as an issue number (the navigator's order) */
  number: { min: 0, max: INT4_MAX },
} as const

/**
 * Reads a cursor this server made. `first` says what its first key is: a time (most lists) or
 * an issue number (the navigator). Numbers outside what the columns hold are refused here, the
 * one place, so no route sends the database a value it cannot compare (a 500 on PostgreSQL).
 */
export function decodeCursor(value: string, first: 'time' | 'number' = 'time'): Cursor {
  const decoded = /^[A-Za-z0-9_-]+$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : ''
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(decoded)
  const key = match ? Number(match[1]) : NaN
  const id = match ? Number(match[2]) : NaN
  const within = (n: number, bounds: { min: number; max: number }) =>
    Number.isSafeInteger(n) && n >= bounds.min && n <= bounds.max
  if (!within(key, CURSOR_BOUNDS[first]) || !within(id, CURSOR_BOUNDS.id))
    throw badRequest(
      'INVALID_CURSOR',
      'query parameter "cursor" is not one this server returned: pass back nextCursor unchanged, or start again without it',
    )
  return { publishedAt: key, id }
}
