import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, toApiError, type Lesson, type LessonLock, type LessonPlayback } from '../../services/api'
import { getLessonPlayback } from '../../services/api/courses'
import type { ProgressSaver } from './useProgressSaver'

/**
 * What the top of the course page shows for the chosen lesson:
 * - `loading`: asking for its playback;
 * - `ready`: the player, at `startAt`, playing at once when the reader asked for it (`autoplay`);
 * - `locked`: the paywall in place of the player (`message`: the server's, when it refused to play);
 * - `failed`: the playback could not be had or played, with a retry.
 */
export type LessonStage =
  | { kind: 'none' }
  | { kind: 'loading'; lesson: Lesson }
  | { kind: 'ready'; lesson: Lesson; playback: LessonPlayback; autoplay: boolean; startAt: number; ended: boolean }
  | { kind: 'locked'; lesson: Lesson; lockedBy: LessonLock; message: string }
  | { kind: 'failed'; lesson: Lesson; error: ApiError }

export interface PlayOptions {
  /** Start playing as soon as the video is there (the reader tapped); false when the page opens */
  autoplay: boolean
  /** Where to start instead of the server's startSeconds (a refetch after the URL expired) */
  startAt?: number
}

export interface LessonStageHandle {
  stage: LessonStage
  /** Shows a lesson: its paywall when locked, else its playback (asked for every time: the URLs expire) */
  play: (lesson: Lesson, options: PlayOptions) => void
  /** The player failed: past expiresAt the URLs are asked for again and it goes on where it was */
  playerFailed: () => void
  /** The player ended */
  ended: () => void
}

/** URLs this close to expiresAt are taken as expired (the phone's clock is not the server's) */
const EXPIRY_SLACK_MS = 5_000

export const PLAYBACK_FAILED = '视频播放失败，请重试'

/**
 * The chosen lesson and its player. A locked lesson shows its paywall and asks the server for
 * nothing; a playable one is asked for (GET …/play) each time it is chosen, since the signed URLs
 * live a few minutes. When the server refuses (403 LESSON_LOCKED: the membership ended meanwhile),
 * the paywall shows and `onRefused` reloads the course.
 */
export function useLessonStage(saver: ProgressSaver, onRefused: () => void): LessonStageHandle {
  const [stage, setStage] = useState<LessonStage>({ kind: 'none' })
  const current = useRef(stage)
  current.current = stage
  const ticket = useRef(0)
  const refused = useRef(onRefused)
  refused.current = onRefused
  const alive = useRef(true)
  useEffect(
    () => () => {
      alive.current = false
    },
    [],
  )

  const play = useCallback(
    (lesson: Lesson, { autoplay, startAt }: PlayOptions) => {
      const mine = ++ticket.current
      saver.flush()
      if (!lesson.playable) {
        setStage({ kind: 'locked', lesson, lockedBy: lesson.lockedBy ?? 'vip', message: '' })
        return
      }
      setStage({ kind: 'loading', lesson })
      getLessonPlayback(lesson.id).then(
        (playback) => {
          if (!alive.current || mine !== ticket.current) return
          const at = startAt ?? playback.startSeconds
          saver.start(lesson.id, at)
          setStage({ kind: 'ready', lesson, playback, autoplay, startAt: at, ended: false })
        },
        (error: unknown) => {
          if (!alive.current || mine !== ticket.current) return
          const apiError = toApiError(error)
          if (apiError.code === 'LESSON_LOCKED') {
            setStage({ kind: 'locked', lesson, lockedBy: lesson.lockedBy ?? 'vip', message: apiError.message })
            refused.current()
          } else {
            setStage({ kind: 'failed', lesson, error: apiError })
          }
        },
      )
    },
    [saver],
  )

  const playerFailed = useCallback(() => {
    const shown = current.current
    if (shown.kind !== 'ready') return
    const expired = Date.now() >= Date.parse(shown.playback.expiresAt) - EXPIRY_SLACK_MS
    if (expired) {
      play(shown.lesson, { autoplay: true, startAt: saver.position() })
    } else {
      saver.flush()
      setStage({ kind: 'failed', lesson: shown.lesson, error: new ApiError('PLAYBACK_FAILED', PLAYBACK_FAILED, 0) })
    }
  }, [play, saver])

  const ended = useCallback(() => {
    saver.ended()
    setStage((shown) => (shown.kind === 'ready' ? { ...shown, ended: true } : shown))
  }, [saver])

  return { stage, play, playerFailed, ended }
}
