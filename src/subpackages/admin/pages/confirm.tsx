import { useState } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro, { useRouter } from '@tarojs/taro'
import LoginConsent from '../../../components/LoginConsent'
import StateView, { type StateViewProps } from '../../../components/StateView'
import ThemedPage from '../../../components/ThemedPage'
import { routes } from '../../../constants'
import { toApiError } from '../../../services/api'
import { confirmConsoleSignIn } from '../../../services/api/console-sign-in'
import { signIn, useSession } from '../../../store/session'
import { busyButton, buttonFlag } from '../../../utils/button'
import './confirm.scss'

type Step =
  | { kind: 'asking' }
  | { kind: 'confirming' }
  | { kind: 'confirmed' }
  | { kind: 'cancelled' }
  | { kind: 'refused'; message: string; notAnOperator: boolean }

/** The ticket is the 小程序码's scene, which WeChat hands over URL-encoded. */
function ticketOf(scene: string | undefined): string | null {
  if (!scene) return null
  try {
    const ticket = decodeURIComponent(scene).trim()
    return ticket.length > 0 && ticket.length <= 64 ? ticket : null
  } catch {
    return null
  }
}

const goHome = () => void Taro.switchTab({ url: routes.home }).catch(() => undefined)

/** Where the page ends when there is nothing left to confirm: a message and the way home. */
function Ending(props: Pick<StateViewProps, 'kind' | 'title' | 'description'>) {
  return (
    <View className='console-confirm'>
      <StateView {...props} actionText='返回首页' onAction={goHome} />
    </View>
  )
}

/**
 * 确认登录后台: opened by scanning the operator console's sign-in 小程序码. The signed-in reader
 * confirms, and the server lets the console in only if this WeChat account is an operator.
 */
export default function ConfirmConsoleSignInPage() {
  return (
    <ThemedPage className='console-confirm-page'>
      <ConfirmConsoleSignIn />
    </ThemedPage>
  )
}

function ConfirmConsoleSignIn() {
  const { params } = useRouter()
  const ticket = ticketOf(params.scene)
  const { status, me, error } = useSession()
  const [step, setStep] = useState<Step>({ kind: 'asking' })

  const confirm = () => {
    if (!ticket || step.kind === 'confirming') return
    setStep({ kind: 'confirming' })
    confirmConsoleSignIn(ticket).then(
      () => setStep({ kind: 'confirmed' }),
      (error: unknown) => {
        const failure = toApiError(error)
        setStep({ kind: 'refused', message: failure.message, notAnOperator: failure.code === 'NOT_AN_OPERATOR' })
      },
    )
  }

  if (!ticket) {
    return <Ending kind='error' title='二维码无效' description='请在电脑上打开运营后台，用微信重新扫描登录二维码' />
  }
  if (step.kind === 'confirmed') {
    return (
      <View className='console-confirm'>
        <View className='console-confirm-mark console-confirm-mark-done'>✓</View>
        <Text className='console-confirm-title'>已确认登录</Text>
        <Text className='console-confirm-desc'>请回到电脑上继续操作运营后台</Text>
        <Button className='btn btn-ghost console-confirm-action' onClick={goHome}>
          返回首页
        </Button>
      </View>
    )
  }
  if (step.kind === 'cancelled') {
    return <Ending kind='empty' title='已取消登录' description='电脑上的二维码将在几分钟后失效' />
  }
  if (step.kind === 'refused') {
    return (
      <Ending
        kind='error'
        title={step.notAnOperator ? '无法登录运营后台' : '确认失败'}
        description={
          step.notAnOperator
            ? `这个微信账号不是北辰遴选后台的操作员。${me ? `如需开通，请把读者编号 #${me.id} 告诉管理员` : ''}`
            : step.message
        }
      />
    )
  }

  const signedIn = status === 'signed-in'
  return (
    <View className='console-confirm'>
      <View className='console-confirm-mark'>后台</View>
      <Text className='console-confirm-title'>登录北辰遴选运营后台</Text>
      <Text className='console-confirm-desc'>
        {signedIn
          ? '电脑上正在用你的微信账号登录运营后台。请确认是你本人操作，如不是，请点击取消。'
          : error
            ? `登录没有成功：${error.message}`
            : '请先用微信登录，再确认电脑上的运营后台登录。'}
      </Text>
      {/* Keys keep the two buttons distinct elements: a second tap on 微信一键登录 that lands as the
          sign-in completes must not become a tap on 确认登录. */}
      {signedIn ? (
        <Button
          key='confirm'
          className='btn btn-primary console-confirm-action'
          {...busyButton(step.kind === 'confirming')}
          disabled={buttonFlag(step.kind === 'confirming')}
          onClick={confirm}
        >
          确认登录
        </Button>
      ) : (
        <Button
          key='sign-in'
          className='btn btn-primary console-confirm-action'
          {...busyButton(status === 'signing-in' || status === 'starting')}
          disabled={buttonFlag(status === 'signing-in')}
          onClick={() => void signIn().catch(() => undefined)}
        >
          微信一键登录
        </Button>
      )}
      {signedIn ? null : <LoginConsent />}
      <Button className='btn btn-ghost console-confirm-action' onClick={() => setStep({ kind: 'cancelled' })}>
        取消
      </Button>
    </View>
  )
}
