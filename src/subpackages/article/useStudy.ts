import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useAddToFavorites, useDidHide, usePageScroll, useUnload } from '@tarojs/taro'
import {
  addFavorite,
  announceProgress,
  getFavorite,
  getProgress,
  recordProgress,
  removeFavorite,
  shareCardUrl,
  type IssueDetail,
  type ReadingProgress,
} from '../../services/api'
import { blockAnchor, blockExcerpt, sectionAnchor } from './components/Blocks'
import { shareTitle } from './useShare'

/** The block reached is sent at most this often while reading, and when the page hides or closes. */
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

/** Where the reader stopped last time, as the resume bar shows it. */
export interface ResumePlace {
  /** The heading or first words of the block reached (only text this reader may read) */
  excerpt: string
  /** How far through the issue; null when only the section was recorded */
  percent: number | null
  /** What 继续阅读 scrolls to: the block, its section (older records), or the paywall */
  selector: string
}

/** The section of each block on the page, in order: the server counts blocks the same way. */
function blockSections(issue: IssueDetail): string[] {
  return issue.sections.flatMap((section) => section.blocks.map(() => section.id))
}

/** What the bar shows for a place recorded on the server, or null when it is the very start. */
function resumePlace(issue: IssueDetail, progress: ReadingProgress): ResumePlace | null {
  const section = issue.sections.find((candidate) => candidate.id === progress.sectionId)
  if (!section) return null
  const blocks = issue.sections.flatMap((candidate) => candidate.blocks)
  const block = progress.block === null ? undefined : blocks[progress.block]
  if (progress.block === null ? section === issue.sections[0] : progress.block === 0) return null
  if (progress.block !== null && !block) return null
  const excerpt = block ? blockExcerpt(block) : section.heading
  const selector = progress.atPaywall
    ? '#paywall'
    : progress.block === null
      ? `#${sectionAnchor(section.id)}`
      : `#${blockAnchor(progress.block)}`
  return { excerpt: excerpt || section.heading, percent: progress.percent, selector }
}

export interface ReadingProgressState {
  /** The place to offer (上次读到「…」· 42% · 继续阅读 / 从头读); null when there is none or it was answered */
  resume: ResumePlace | null
  /** 继续阅读: scrolls to the place and closes the bar */
  continueReading: () => void
  /** 从头读: closes the bar; the reader stays at the top */
  restart: () => void
}

/**
 * Resume and history. On opening an issue, asks the server (so on any device) where the reader
 * stopped and offers it in a bar rather than jumping there unasked. While reading, records the block
 * in the upper part of the screen, throttled to one request per PROGRESS_INTERVAL_MS. Nothing is
 * recorded while the bar waits for an answer: the top of the page is not where the reader stopped.
 */
export function useReadingProgress(issue: IssueDetail | null, active: boolean): ReadingProgressState {
  const issueId = issue?.id ?? null
  const pending = useRef<number | null>(null)
  const saved = useRef<number | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const [resumed, setResumed] = useState(false)
  const [resume, setResume] = useState<ResumePlace | null>(null)
  const offered = useRef<ResumePlace | null>(null)
  offered.current = resume

  const latest = useRef(issue)
  latest.current = issue

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    const block = pending.current
    const current = latest.current
    if (issueId === null || !current || block === null || block === saved.current) return
    const sectionId = blockSections(current)[block]
    if (sectionId === undefined) return
    saved.current = block
    recordProgress(issueId, sectionId, block).then(
      () => announceProgress(issueId, sectionId),
      () => {
        saved.current = null
      },
    )
  }, [issueId])

  const reached = useCallback(
    (block: number) => {
      if (offered.current) return
      pending.current = block
      if (!timer.current) timer.current = setTimeout(flush, PROGRESS_INTERVAL_MS)
    },
    [flush],
  )
  useDidHide(flush)
  useUnload(flush)

  // Reading on without answering the bar (a screen or more down) answers it.
  usePageScroll(({ scrollTop }) => {
    if (!offered.current) return
    const windowHeight = Taro.getSystemInfoSync().windowHeight || 600
    if (scrollTop > windowHeight) setResume(null)
  })

  // Asked once per issue opened: an issue loaded again in place (unlocked after buying VIP) keeps its state.
  useEffect(() => {
    setResumed(false)
    setResume(null)
    pending.current = null
    saved.current = null
    const opened = latest.current
    if (!active || !opened) return
    let live = true
    getProgress(opened.id)
      .then(
        (progress) => {
          const current = latest.current
          if (!live || !progress || !current) return
          if (progress.block !== null && !progress.atPaywall) saved.current = progress.block
          setResume(resumePlace(current, progress))
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

  const continueReading = useCallback(() => {
    if (offered.current) void Taro.pageScrollTo({ selector: offered.current.selector, duration: 300 })
    setResume(null)
  }, [])
  const restart = useCallback(() => setResume(null), [])

  useEffect(() => {
    if (!active || !issue || !resumed) return
    const page = Taro.getCurrentInstance?.()?.page
    if (!page || typeof Taro.createIntersectionObserver !== 'function') return
    const observers: Taro.IntersectionObserver[] = []
    // Blocks in the upper part of the screen now. When two are (one ends, the next begins), the
    // later one is reached: its start has come up. Callbacks arrive in any order.
    const inView = new Set<number>()
    const count = blockSections(issue).length
    let live = true
    // After the blocks are on the page: an observer finds its node when it starts. One observer
    // per block, so the callback knows its block: Taro's H5 results carry no node id.
    Taro.nextTick(() => {
      if (!live) return
      const windowHeight = Taro.getSystemInfoSync().windowHeight || 600
      for (let block = 0; block < count; block++) {
        const observer = Taro.createIntersectionObserver(page as never)
        observer
          .relativeToViewport({ top: 0, bottom: -Math.round(windowHeight * 0.6) })
          .observe(`#${blockAnchor(block)}`, (result) => {
            if ((result.intersectionRatio ?? 0) > 0) inView.add(block)
            else inView.delete(block)
            if (inView.size > 0) reached(Math.max(...inView))
          })
        observers.push(observer)
      }
    })
    return () => {
      live = false
      for (const observer of observers) observer.disconnect()
    }
  }, [issue, active, resumed, reached])

  return { resume, continueReading, restart }
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
