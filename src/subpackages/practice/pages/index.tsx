import { useEffect } from 'react'
import { Button, Text, Textarea, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import StateView, { LoadFailed } from '../../../components/StateView'
import ThemedPage from '../../../components/ThemedPage'
import { routes } from '../../../constants'
import type { PracticeDetail } from '../../../services/api'
import { signIn, useSession } from '../../../store/session'
import { shanghaiDateTime } from '../../../utils/format'
import { QuestionCard, ReferenceAnswer } from '../components/QuestionCard'
import { countAnswerCharacters, formatElapsed, limitRange, RANGE_WORDS, rangeStatus } from '../count'
import { parseIssueParam, parseQuestionParam } from '../params'
import { MAX_ANSWER_LENGTH, usePractice, type SaveState } from '../usePractice'
import { buttonFlag } from '../../../utils/button'
import './index.scss'

const SAVE_WORDS: Record<SaveState, string> = {
  saved: '已保存',
  saving: '保存中…',
  unsaved: '未保存',
  failed: '保存失败，稍后自动重试',
  offline: '离线，联网后自动保存',
}

/** The live count against the question's limit: 360–440 for 400字左右, below / within / above highlighted. */
function CountLine({ count, limit }: { count: number; limit: number | null }) {
  const status = rangeStatus(count, limit)
  if (limit === null || status === null) {
    return (
      <View className='pp-count'>
        <Text>已写 {count} 字</Text>
      </View>
    )
  }
  const { min, max } = limitRange(limit)
  return (
    <View className={`pp-count pp-count-${status}`}>
      <Text className='pp-count-n'>已写 {count} 字</Text>
      <Text className='pp-count-range'>
        目标 {min}–{max} 字 · {RANGE_WORDS[status]}
      </Text>
    </View>
  )
}

function Submitted({ detail }: { detail: PracticeDetail }) {
  const { submission } = detail.question
  if (!submission || !detail.reference) return null
  return (
    <View className='pp-compare'>
      <View className='pp-mine'>
        <View className='pp-mine-head'>
          <Text className='pp-mine-tag'>我的作答</Text>
          <Text className='pp-mine-meta'>
            {countAnswerCharacters(submission.text)}字 · 用时 {formatElapsed(submission.elapsedSeconds)} ·{' '}
            {shanghaiDateTime(submission.submittedAt)}
          </Text>
        </View>
        <Text className='pp-mine-text' userSelect>
          {submission.text}
        </Text>
      </View>
      <ReferenceAnswer blocks={detail.reference} />
    </View>
  )
}

/**
 * 练习作答: one 例题. The reference answer stays hidden (the server sends it only after a
 * submission); the reader writes with a live count against the limit and a timer, the draft is
 * saved on the server as they go, and on submit the reference shows beside their answer.
 *
 * The count leaves out whitespace (see count.ts); the Textarea's maxlength (3000, the server's
 * limit) counts every character, line breaks included, so the two may differ by the blank space.
 */
/**
 * The mini-program's textarea keeps its own text: sending every keystroke back through setData
 * makes the cursor jump, so it only gets the loaded draft. Taro's H5 textarea puts its value prop
 * back on every render, so there it must follow the text typed.
 */
const KEEPS_OWN_TEXT = process.env.TARO_ENV === 'weapp'

/** 练习作答 in the reader's theme and font size, as the article. */
export default function PracticePage() {
  return (
    <ThemedPage className='pp-page' withFontSize>
      <Practice />
    </ThemedPage>
  )
}

function Practice() {
  const { params } = useRouter()
  const issueId = parseIssueParam(params.id)
  const questionId = parseQuestionParam(params.q)
  const { status: session } = useSession()
  const signedIn = session === 'signed-in'
  const { load, text, initialText, elapsed, save, submitting, input, submit, retry } = usePractice(
    issueId,
    questionId,
    signedIn,
  )
  const detail = load.status === 'ready' ? load.detail : null

  useEffect(() => {
    if (detail) void Taro.setNavigationBarTitle({ title: `练习作答·${detail.question.label}` }).catch(() => undefined)
  }, [detail])

  if (issueId === null || questionId === null) {
    return <StateView kind='not-found' title='题目不存在' description='链接可能有误，请从文章中的“练习作答”进入' />
  }
  if (session === 'signed-out' || session === 'preview') {
    return (
      <StateView
        kind='empty'
        title='登录后练习作答'
        description='使用微信登录后，草稿和作答会保存在你的账号中，任意设备都能继续'
        actionText={session === 'preview' ? undefined : '微信一键登录'}
        onAction={() => void signIn().catch(() => undefined)}
        footer={session === 'preview' ? null : <LoginConsent />}
      />
    )
  }
  if (load.status === 'vip-required') {
    return (
      <StateView
        kind='empty'
        title='本题为VIP内容'
        description='开通VIP会员后即可练习本期全部例题，并查看参考作答'
        actionText='开通VIP会员'
        onAction={() => void Taro.navigateTo({ url: routes.vipBuy })}
      />
    )
  }
  if (load.status === 'not-found') {
    return (
      <StateView
        kind='not-found'
        title='题目不存在或已下线'
        actionText='返回文章'
        onAction={() => void Taro.redirectTo({ url: routes.article(issueId) })}
      />
    )
  }
  if (load.status === 'error') {
    return <LoadFailed error={load.error} onRetry={retry} />
  }
  if (!detail) {
    return (
      <View className='pp'>
        <TextSkeleton lines={4} />
        <TextSkeleton lines={8} />
      </View>
    )
  }

  const { question } = detail
  const count = countAnswerCharacters(text)
  const submitted = question.submission !== null
  return (
    <View className='pp'>
      <Text className='pp-issue'>{detail.fullTitle}</Text>
      <QuestionCard
        label={question.label}
        prompt={question.prompt}
        requirements={question.requirements}
        wordLimitText={question.wordLimitText}
      />
      <View className='pp-bar'>
        <Text className='pp-timer'>用时 {formatElapsed(elapsed)}</Text>
        <Text className={`pp-save pp-save-${save}`}>{SAVE_WORDS[save]}</Text>
      </View>
      <Textarea
        className='pp-input'
        value={KEEPS_OWN_TEXT ? initialText : text}
        maxlength={MAX_ANSWER_LENGTH}
        autoHeight
        placeholder='在此写下你的作答，参考作答将在提交后显示'
        onInput={(event) => input(event.detail.value)}
      />
      <CountLine count={count} limit={question.wordLimit} />
      {/* The field stops at its maxlength without a word, even when a paste was longer. */}
      {text.length >= MAX_ANSWER_LENGTH ? (
        <Text className='pp-cut'>作答最多{MAX_ANSWER_LENGTH}字，超出的部分没有保留</Text>
      ) : null}
      <Button className='btn btn-accent pp-submit' disabled={buttonFlag(submitting || count === 0)} onClick={submit}>
        {submitting ? '提交中…' : submitted ? '重新提交' : '提交作答'}
      </Button>
      <Text
        className='pp-link'
        onClick={() => void Taro.navigateTo({ url: routes.practiceAnswers(issueId) }).catch(() => undefined)}
      >
        我的作答 ›
      </Text>
      <Submitted detail={detail} />
    </View>
  )
}
