import { useEffect, useMemo, useRef } from 'react'
import type { LessonProgress } from '../../services/api'
import { saveLessonProgress } from '../../services/api/courses'

/** The player's place goes to the server at most this often while it plays (and on pause, hide, switch, end) */
export const SAVE_EVERY_MS = 10_000

export interface ProgressSaver {
  /** A lesson starts playing at `seconds` (where the server had it: nothing to save yet) */
  start: (lessonId: number, seconds: number) => void
  /** The player's time update; saves when SAVE_EVERY_MS passed since the last save */
  time: (seconds: number) => void
  /** Saves the place now when it moved since the last save (pause, page hidden, another lesson) */
  flush: () => void
  /** The player ended: the lesson is done */
  ended: () => void
  /** Where the current lesson is, in whole seconds (0 before a lesson starts) */
  position: () => number
}

interface Place {
  lessonId: number
  position: number
  /** The position last sent; -1 when the last save failed */
  saved: number
}

/**
 * Saves where the signed-in reader is in a lesson (PUT /api/courses/lessons/:id/progress): while
 * playing at most every SAVE_EVERY_MS, and at once on pause, when the page hides or closes, before
 * another lesson and when it ends. Saves go out one after another, so an older place never lands
 * after a newer one. `enabled` is false for a reader not signed in (the server keeps nothing for them).
 */
export function useProgressSaver(
  enabled: boolean,
  onSaved: (lessonId: number, progress: LessonProgress) => void,
): ProgressSaver {
  const latest = useRef({ enabled, onSaved })
  latest.current = { enabled, onSaved }
  const place = useRef<Place | null>(null)
  const lastSave = useRef(0)
  const queue = useRef<Promise<void>>(Promise.resolve())

  const saver = useMemo<ProgressSaver>(() => {
    const send = (ended: boolean) => {
      const current = place.current
      if (!current || !latest.current.enabled) return
      if (!ended && current.position === current.saved) return
      const { lessonId, position } = current
      current.saved = position
      lastSave.current = Date.now()
      queue.current = queue.current
        .then(() => saveLessonProgress(lessonId, { positionSeconds: position, ended }))
        .then(
          (progress) => latest.current.onSaved(lessonId, progress),
          () => {
            // Offline or refused: the next save carries the place again.
            if (place.current === current && current.saved === position) current.saved = -1
          },
        )
    }
    return {
      start: (lessonId, seconds) => {
        const position = Math.max(0, Math.floor(seconds))
        place.current = { lessonId, position, saved: position }
        lastSave.current = Date.now()
      },
      time: (seconds) => {
        const current = place.current
        if (!current || !Number.isFinite(seconds)) return
        current.position = Math.max(0, Math.floor(seconds))
        if (Date.now() - lastSave.current >= SAVE_EVERY_MS) send(false)
      },
      flush: () => send(false),
      ended: () => send(true),
      position: () => place.current?.position ?? 0,
    }
  }, [])

  // The page closes: where the reader stopped is saved.
  useEffect(() => () => saver.flush(), [saver])

  return saver
}
