import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useDidHide, useUnload } from '@tarojs/taro'
import {
  addFavorite,
  getFavorite,
  getProgress,
  recordProgress,
  removeFavorite,
  type IssueDetail,
} from '../../services/api'
import { sectionAnchor } from './components/Blocks'

/** The section reached is sent at most this often while reading, and when the page hides or closes. */
export const PROGRESS_INTERVAL_MS = 5000

/**
 * The 收藏 toggle of an issue for a signed-in reader. `favorited` is null until known (and always
 * null when `active` is false: signed out, or Moments single-page mode). The toggle shows at once
 * and turns back when the server refuses it.
 */
export function useFavorite(issueId: number | null, active: boolean) {
  const [favorited, setFavorited] = useState<boolean | null>(null)
  const busy = useRef(false)

  useEffect(() => {
    setFavorited(null)
    if (!active || issueId === null) return
    let live = true
    getFavorite(issueId).then(
      (state) => {
        if (live) setFavorited(state.favorited)
      },
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [issueId, active])

  const toggle = useCallback(() => {
    if (issueId === null || favorited === null || busy.current) return
    busy.current = true
    const next = !favorited
    setFavorited(next)
    ;(next ? addFavorite(issueId) : removeFavorite(issueId))
      .then(
        () => void Taro.showToast({ title: next ? '已收藏' : '已取消收藏', icon: 'none' }),
        () => {
          setFavorited(!next)
          void Taro.showToast({ title: '操作失败，请稍后重试', icon: 'none' })
        },
      )
      .then(() => {
        busy.current = false
      })
  }, [issueId, favorited])

  return { favorited, toggle }
}

/**
 * Resume and history: on opening an issue, scrolls to the last section the reader reached (kept on
 * the server, so on any device), then records the section whose heading is in the upper part of the
 * screen as the reader scrolls, throttled to one request per PROGRESS_INTERVAL_MS.
 */
export function useReadingProgress(issue: IssueDetail | null, active: boolean): void {
  const issueId = issue?.id ?? null
  const pending = useRef<string | null>(null)
  const saved = useRef<string | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const [resumed, setResumed] = useState(false)

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    const sectionId = pending.current
    if (issueId === null || sectionId === null || sectionId === saved.current) return
    saved.current = sectionId
    recordProgress(issueId, sectionId).catch(() => {
      saved.current = null
    })
  }, [issueId])

  const reached = useCallback(
    (sectionId: string) => {
      pending.current = sectionId
      if (!timer.current) timer.current = setTimeout(flush, PROGRESS_INTERVAL_MS)
    },
    [flush],
  )
  useDidHide(flush)
  useUnload(flush)

  // Resumes once per issue opened: an issue loaded again in place (unlocked after buying VIP) stays put.
  const latest = useRef(issue)
  latest.current = issue
  useEffect(() => {
    setResumed(false)
    pending.current = null
    saved.current = null
    const opened = latest.current
    if (!active || !opened) return
    let live = true
    getProgress(opened.id)
      .then(
        (progress) => {
          const sections = latest.current?.sections ?? []
          if (!live || !progress || !sections.some((section) => section.id === progress.sectionId)) return
          saved.current = progress.sectionId
          if (progress.sectionId === sections[0]?.id) return
          void Taro.pageScrollTo({ selector: `#${sectionAnchor(progress.sectionId)}`, duration: 300 })
        },
        () => undefined,
      )
      .then(() => {
        if (live) setResumed(true)
      })
    return () => {
      live = false
    }
  }, [issueId, active])

  useEffect(() => {
    if (!active || !issue || !resumed) return
    const page = Taro.getCurrentInstance?.()?.page
    if (!page || typeof Taro.createIntersectionObserver !== 'function') return
    let observer: Taro.IntersectionObserver | null = null
    let live = true
    // After the sections are on the page: the observer finds the nodes when it starts.
    Taro.nextTick(() => {
      if (!live) return
      const windowHeight = Taro.getSystemInfoSync().windowHeight || 600
      observer = Taro.createIntersectionObserver(page as never, { observeAll: true })
      observer.relativeToViewport({ top: 0, bottom: -Math.round(windowHeight * 0.6) }).observe('.sec', (result) => {
        // weapp and H5 report the observed node's id (sec-s2); the typings leave it out.
        const sectionId = ((result as { id?: string }).id ?? '').replace(/^sec-/, '')
        if ((result.intersectionRatio ?? 0) > 0 && sectionId) reached(sectionId)
      })
    })
    return () => {
      live = false
      observer?.disconnect()
    }
  }, [issue, active, resumed, reached])
}
