/**
 * Wall-clock times in Asia/Shanghai (UTC+8 all year, no DST) for pickers that work in the
 * browser's own zone: an operator abroad still schedules 北京时间. A picker value is read for its
 * calendar fields alone, and those fields are written with +08:00, so no zone of the browser
 * enters the moment sent.
 */
import dayjs, { type Dayjs } from 'dayjs'

const OFFSET_MS = 8 * 3600 * 1000

/** The picker's fields as the moment they name in Beijing: 2026-12-07T09:30:00+08:00 */
export function shanghaiIso(value: Dayjs): string {
  return `${value.format('YYYY-MM-DDTHH:mm')}:00+08:00`
}

/** Epoch ms of the picker's fields read as Beijing time */
export function shanghaiMs(value: Dayjs): number {
  return Date.parse(shanghaiIso(value))
}

/** A picker value whose fields show `ms` in Beijing time (whatever the browser's zone) */
export function shanghaiPickerValue(ms: number): Dayjs {
  const wall = new Date(ms + OFFSET_MS)
  return dayjs(
    new Date(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), wall.getUTCHours(), wall.getUTCMinutes()),
  )
}

/** YYYY-MM-DD of `ms` in Beijing */
export function shanghaiDay(ms: number): string {
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10)
}

/** An ISO time as 2026-12-07 09:30 in Beijing, or — */
export function shanghaiMinute(value: unknown): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) return '—'
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')
}
