import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useAddToFavorites, useDidHide, useUnload } from '@tarojs/taro'
import {
  addFavorite,
  announceProgress,
  getFavorite,
  getProgress,
  recordProgress,
  removeFavorite,
  shareCardUrl,
  type IssueDetail,
} from '../../services/api'
import { sectionAnchor } from './components/Blocks'
import { shareTitle } from './useShare'

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
    recordProgress(issueId, sectionId).then(
      () => announceProgress(issueId, sectionId),
      () => {
        saved.current = null
      },
    )
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
    const observers: Taro.IntersectionObserver[] = []
    // Sections in the upper part of the screen now. When two are (one ends, the next begins), the
    // later one is reached: its heading has come up. Callbacks arrive in any order.
    const inView = new Set<string>()
    let live = true
    // After the sections are on the page: an observer finds its node when it starts. One observer
    // per section, so the callback knows its section: Taro's H5 results carry no node id.
    Taro.nextTick(() => {
      if (!live) return
      const windowHeight = Taro.getSystemInfoSync().windowHeight || 600
      for (const section of issue.sections) {
        const observer = Taro.createIntersectionObserver(page as never)
        observer
          .relativeToViewport({ top: 0, bottom: -Math.round(windowHeight * 0.6) })
          .observe(`#${sectionAnchor(section.id)}`, (result) => {
            if ((result.intersectionRatio ?? 0) > 0) inView.add(section.id)
            else inView.delete(section.id)
            const last = issue.sections.filter((candidate) => inView.has(candidate.id)).pop()
            if (last) reached(last.id)
          })
        observers.push(observer)
      }
    })
    return () => {
      live = false
      for (const observer of observers) observer.disconnect()
    }
  }, [issue, active, resumed, reached])
}

/**
 * 收藏 from the weapp's capsule menu (onAddToFavorites): the free title (【山西·第32期】…), the
 * issue's query, so the favorite opens this issue again, and the square share card as its image.
 * Nothing from the body goes into it.
 */
export function useCapsuleFavorite(issue: IssueDetail | null, issueId: number | null): void {
  useAddToFavorites(() => ({
    title: shareTitle(issue),
    query: issueId === null ? '' : `id=${issueId}`,
    // WeChat shows a favorite's image square: the server's 1:1 card, drawn from the free fields only.
    ...(issueId === null ? {} : { imageUrl: shareCardUrl(issueId, 'moments') }),
  }))
}
