import { useCallback, useEffect, useRef, useState } from 'react'
import { Text, View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro'
import { TextSkeleton } from '../../../components/Skeleton'
import LoginConsent from '../../../components/LoginConsent'
import StateView from '../../../components/StateView'
import ThemedPage from '../../../components/ThemedPage'
import { routes } from '../../../constants'
import {
  listPracticeAnswers,
  toApiError,
  type ApiError,
  type PracticeAnswer,
  type PracticeAnswerList,
} from '../../../services/api'
import { signIn, useSession } from '../../../store/session'
import { shanghaiDateTime, withoutLabel } from '../../../utils/format'
import { countAnswerCharacters, formatElapsed, rangeStatus, RANGE_WORDS } from '../count'
import { parseIssueParam } from '../params'
import './answers.scss'

type ListState =
  { status: 'loading' } | { status: 'ready'; list: PracticeAnswerList } | { status: 'error'; error: ApiError }

function AnswerItem({ issueId, answer }: { issueId: number; answer: PracticeAnswer }) {
  const { submission } = answer
  const count = countAnswerCharacters(submission.text)
  const status = rangeStatus(count, answer.wordLimit)
  const open = () => void Taro.navigateTo({ url: routes.practice(issueId, answer.questionId) })
  return (
    <View className='pa-item' hoverClass='pa-item-hover' onClick={open}>
      <View className='pa-head'>
        <Text className='pa-label'>{answer.label}</Text>
        {answer.revising ? <Text className='pa-revising'>修改未提交</Text> : null}
      </View>
      <Text className='pa-prompt'>{withoutLabel(answer.prompt, answer.label)}</Text>
      <Text className='pa-text'>{submission.text}</Text>
      <View className='pa-meta'>
        <Text className={status ? `pa-count pa-count-${status}` : 'pa-count'}>
          {count}字
          {answer.wordLimitText ? `（${answer.wordLimitText}${status ? `，${RANGE_WORDS[status]}` : ''}）` : ''}
        </Text>
        <Text>用时 {formatElapsed(submission.elapsedSeconds)}</Text>
        <Text>{shanghaiDateTime(submission.submittedAt)}</Text>
      </View>
      <Text className='pa-open'>查看参考作答 / 修改 ›</Text>
    </View>
  )
}

/** 我的作答: the reader's submitted answers to one issue's 例题; tap one to compare or revise it. */
export default function PracticeAnswersPage() {
  return (
    <ThemedPage className='pa-page' withFontSize>
      <PracticeAnswers />
    </ThemedPage>
  )
}

function PracticeAnswers() {
  const { params } = useRouter()
  const issueId = parseIssueParam(params.id)
  const { status: session } = useSession()
  const signedIn = session === 'signed-in'
  const [state, setState] = useState<ListState>({ status: 'loading' })
  const generation = useRef(0)
  const shown = useRef(false)

  const reload = useCallback(
    (quiet: boolean) => {
      if (issueId === null || !signedIn) return Promise.resolve()
      const mine = ++generation.current
      if (!quiet) setState({ status: 'loading' })
      return listPracticeAnswers(issueId).then(
        (list) => {
          if (mine === generation.current) setState({ status: 'ready', list })
        },
        (error: unknown) => {
          if (mine === generation.current) setState({ status: 'error', error: toApiError(error) })
        },
      )
    },
    [issueId, signedIn],
  )

  useEffect(() => {
    void reload(false)
    return () => {
      generation.current += 1
    }
  }, [reload])

  useDidShow(() => {
    // Back from a question: its answer may have changed.
    if (shown.current) void reload(true)
    shown.current = true
  })
  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    reload(true).then(done, done)
  })

  if (issueId === null) {
    return <StateView kind='not-found' title='内容不存在' description='链接可能有误，请从文章页进入' />
  }
  if (session === 'signed-out' || session === 'preview') {
    return (
      <StateView
        kind='empty'
        title='登录后查看'
        description='使用微信登录后，可在任意设备查看和修改你的作答'
        actionText={session === 'preview' ? undefined : '微信一键登录'}
        onAction={() => void signIn().catch(() => undefined)}
        footer={session === 'preview' ? null : <LoginConsent />}
      />
    )
  }
  if (state.status === 'loading') {
    return (
      <View className='pa'>
        <TextSkeleton lines={6} />
      </View>
    )
  }
  if (state.status === 'error') {
    return (
      <StateView
        kind={state.error.isOffline ? 'offline' : state.error.isNotFound ? 'not-found' : 'error'}
        title={state.error.isNotFound ? '内容不存在或已下线' : '加载失败'}
        description={state.error.message}
        actionText='重新加载'
        onAction={() => void reload(false)}
      />
    )
  }
  const { list } = state
  const locked =
    list.lockedAnswers > 0 ? (
      <View className='pa-locked' onClick={() => void Taro.navigateTo({ url: routes.vipBuy })}>
        <Text>另有 {list.lockedAnswers} 份VIP例题的作答，开通VIP会员后可查看 ›</Text>
      </View>
    ) : null
  if (list.items.length === 0) {
    return (
      <View>
        <StateView
          kind='empty'
          title='还没有提交的作答'
          description='在文章的“实战应用”中点击“练习作答”，提交后会保存在这里'
          actionText='返回文章'
          onAction={() => void Taro.redirectTo({ url: routes.article(issueId) })}
        />
        {locked}
      </View>
    )
  }
  return (
    <View className='pa'>
      <Text className='pa-issue'>{list.fullTitle}</Text>
      {list.items.map((answer) => (
        <AnswerItem key={answer.questionId} issueId={issueId} answer={answer} />
      ))}
      {locked}
    </View>
  )
}
