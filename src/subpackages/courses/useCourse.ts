import { useCallback, useEffect, useRef, useState } from 'react'
import { toApiError, type ApiError, type CourseDetail, type LessonProgress } from '../../services/api'
import { getCourse } from '../../services/api/courses'

export type CourseState =
  | { status: 'loading' }
  | { status: 'ready'; course: CourseDetail }
  | { status: 'not-found' }
  | { status: 'error'; error: ApiError }

export interface CourseHandle {
  state: CourseState
  /** Loads the course again; `quiet` keeps the one on screen until the new one replaces it. Resolves with it (null on failure). */
  reload: (quiet?: boolean) => Promise<CourseDetail | null>
  /** The reader's place in a lesson, as the server saved it */
  setProgress: (lessonId: number, progress: LessonProgress) => void
}

/** The `id` query parameter as a positive integer, or null */
export function parseCourseId(raw: string | undefined): number | null {
  return raw && /^[1-9]\d{0,9}$/.test(raw) ? Number(raw) : null
}

/** One course by the page's `id` (GET /api/courses/:id): lessons with what this reader may play, and where to resume */
export function useCourse(id: number | null): CourseHandle {
  const [state, setState] = useState<CourseState>(id === null ? { status: 'not-found' } : { status: 'loading' })
  const alive = useRef(true)

  const reload = useCallback(
    (quiet = false): Promise<CourseDetail | null> => {
      if (id === null) return Promise.resolve(null)
      if (!quiet) setState({ status: 'loading' })
      return getCourse(id).then(
        (course) => {
          if (alive.current) setState({ status: 'ready', course })
          return course
        },
        (error: unknown) => {
          const apiError = toApiError(error)
          if (alive.current && !quiet)
            setState(apiError.isNotFound ? { status: 'not-found' } : { status: 'error', error: apiError })
          return null
        },
      )
    },
    [id],
  )

  useEffect(() => {
    alive.current = true
    void reload()
    return () => {
      alive.current = false
    }
  }, [reload])

  const setProgress = useCallback((lessonId: number, progress: LessonProgress) => {
    if (!alive.current) return
    setState((current) => {
      if (current.status !== 'ready') return current
      const lessons = current.course.lessons.map((lesson) =>
        lesson.id === lessonId ? { ...lesson, progress } : lesson,
      )
      return { status: 'ready', course: { ...current.course, lessons } }
    })
  }, [])

  return { state, reload, setProgress }
}
