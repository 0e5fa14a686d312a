import { useCallback, useEffect, useRef, useState } from 'react'
import Taro, { useDidHide, useDidShow, useUnload } from '@tarojs/taro'
import {
  getPractice,
  savePracticeDraft,
  submitPractice,
  toApiError,
  type ApiError,
  type PracticeDetail,
} from '../../services/api'
import { countAnswerCharacters } from './count'

/** The draft is saved this long after the reader stops typing, and when the page hides or closes. */
export const AUTOSAVE_DELAY_MS = 2000
/** A failed save (offline, server busy) is tried again this long after. */
export const SAVE_RETRY_MS = 10000
/** The server keeps at most a day of practice time per answer. */
export const MAX_ELAPSED_SECONDS = 86400
/** The server's limit on an answer, in characters. */
export const MAX_ANSWER_LENGTH = 3000

export type LoadState =
  | { status: 'loading' }
  | { status: 'ready'; detail: PracticeDetail }
  | { status: 'vip-required' }
  | { status: 'not-found' }
  | { status: 'error'; error: ApiError }

/** 已保存 / 保存中… / the reader typed since the last save / the save failed / no network. */
export type SaveState = 'saved' | 'saving' | 'unsaved' | 'failed' | 'offline'

/**
 * One question being practised: loads it with the reader's draft, keeps the text and the timer,
 * autosaves the draft (debounced, and on hide / close) and submits. The timer runs while the page
 * is shown (not while the reader only reviews a submitted answer) and resumes from the saved time;
 * it is measured from the clock, so a throttled interval does not lose seconds.
 */
export function usePractice(issueId: number | null, questionId: string | null, active: boolean) {
  const [load, setLoad] = useState<LoadState>({ status: 'loading' })
  const [text, setText] = useState('')
  // What the textarea starts from: set on load only. Feeding every keystroke back as its value makes
  // the cursor jump on some phones (the mini-program's setData round trip), so the box keeps its own.
  const [initialText, setInitialText] = useState('')
  const [elapsed, setElapsed] = useState(0)
  const [save, setSave] = useState<SaveState>('saved')
  const [submitting, setSubmitting] = useState(false)
  const [shown, setShown] = useState(true)
  const textRef = useRef('')
  const elapsedRef = useRef(0)
  const saved = useRef({ text: '', elapsed: 0 })
  const debounce = useRef<ReturnType<typeof setTimeout> | null>(null)
  const generation = useRef(0)
  const ready = load.status === 'ready'

  const fetch = useCallback(() => {
    if (!active || issueId === null || questionId === null) return
    const mine = ++generation.current
    setLoad({ status: 'loading' })
    getPractice(issueId, questionId).then(
      (detail) => {
        if (mine !== generation.current) return
        const draft = detail.question.draft
        textRef.current = draft?.text ?? ''
        elapsedRef.current = draft?.elapsedSeconds ?? 0
        saved.current = { text: textRef.current, elapsed: elapsedRef.current }
        setText(textRef.current)
        setInitialText(textRef.current)
        setElapsed(elapsedRef.current)
        setSave('saved')
        setLoad({ status: 'ready', detail })
      },
      (error: unknown) => {
        if (mine !== generation.current) return
        const apiError = toApiError(error)
        if (apiError.isVipRequired) setLoad({ status: 'vip-required' })
        else if (apiError.isNotFound) setLoad({ status: 'not-found' })
        else setLoad({ status: 'error', error: apiError })
      },
    )
  }, [active, issueId, questionId])

  useEffect(() => {
    fetch()
    return () => {
      generation.current += 1
    }
  }, [fetch])

  const flush = useCallback(() => {
    if (debounce.current) clearTimeout(debounce.current)
    debounce.current = null
    if (!ready || issueId === null || questionId === null) return
    const input = { text: textRef.current, elapsedSeconds: Math.min(elapsedRef.current, MAX_ELAPSED_SECONDS) }
    if (input.text === saved.current.text && input.elapsedSeconds === saved.current.elapsed) return
    setSave('saving')
    savePracticeDraft(issueId, questionId, input).then(
      () => {
        saved.current = { text: input.text, elapsed: input.elapsedSeconds }
        setSave(textRef.current === input.text ? 'saved' : 'unsaved')
      },
      (error: unknown) => {
        setSave(toApiError(error).isOffline ? 'offline' : 'failed')
        if (!debounce.current) debounce.current = setTimeout(() => flushRef.current(), SAVE_RETRY_MS)
      },
    )
  }, [ready, issueId, questionId])
  const flushRef = useRef(flush)
  flushRef.current = flush

  const input = useCallback(
    (value: string) => {
      textRef.current = value
      setText(value)
      setSave(value === saved.current.text ? 'saved' : 'unsaved')
      if (debounce.current) clearTimeout(debounce.current)
      debounce.current = setTimeout(flush, AUTOSAVE_DELAY_MS)
    },
    [flush],
  )

  // Reading the reference answer after submitting is not writing: the timer waits until the reader
  // changes their submitted answer again.
  const submittedText = load.status === 'ready' ? (load.detail.question.submission?.text ?? null) : null
  const reviewing = submittedText !== null && text === submittedText

  // The timer: runs while the page is shown.
  useEffect(() => {
    if (!ready || !shown || reviewing) return
    const startedAt = Date.now()
    const base = elapsedRef.current
    const tick = setInterval(() => {
      const next = Math.min(base + Math.floor((Date.now() - startedAt) / 1000), MAX_ELAPSED_SECONDS)
      if (next === elapsedRef.current) return
      elapsedRef.current = next
      setElapsed(next)
    }, 1000)
    return () => clearInterval(tick)
  }, [ready, shown, reviewing])

  useDidShow(() => {
    setShown(true)
    // Back from 开通会员: the question may be open now.
    if (load.status === 'vip-required') fetch()
  })
  useDidHide(() => {
    setShown(false)
    flush()
  })
  useUnload(flush)
  useEffect(
    () => () => {
      if (debounce.current) clearTimeout(debounce.current)
    },
    [],
  )

  const submit = useCallback(() => {
    if (!ready || submitting || issueId === null || questionId === null) return
    if (countAnswerCharacters(textRef.current) === 0) {
      void Taro.showToast({ title: '请先写下你的作答', icon: 'none' })
      return
    }
    if (debounce.current) clearTimeout(debounce.current)
    debounce.current = null
    setSubmitting(true)
    const answer = { text: textRef.current, elapsedSeconds: Math.min(elapsedRef.current, MAX_ELAPSED_SECONDS) }
    submitPractice(issueId, questionId, answer)
      .then(
        (detail) => {
          saved.current = { text: answer.text, elapsed: answer.elapsedSeconds }
          setSave(textRef.current === answer.text ? 'saved' : 'unsaved')
          setLoad({ status: 'ready', detail })
          void Taro.showToast({ title: '已提交，参考作答见下方', icon: 'none' })
        },
        (error: unknown) => {
          const apiError = toApiError(error)
          if (apiError.isVipRequired) setLoad({ status: 'vip-required' })
          else void Taro.showToast({ title: apiError.message, icon: 'none' })
        },
      )
      .then(() => setSubmitting(false))
  }, [ready, submitting, issueId, questionId])

  return { load, text, initialText, elapsed, save, submitting, input, submit, retry: fetch }
}
