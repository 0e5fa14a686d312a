import type { ReactNode } from 'react'
import { Button, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { routes } from '../../constants'
import type { ApiError } from '../../services/api'
import './index.scss'

export type StateKind = 'empty' | 'error' | 'offline' | 'not-found'

const glyphs: Record<StateKind, string> = {
  empty: '空',
  error: '!',
  offline: '网',
  'not-found': '?',
}

export interface StateViewProps {
  kind: StateKind
  title: string
  description?: string
  actionText?: string
  onAction?: () => void
  /** Under the action, e.g. the consent line of a sign-in */
  footer?: ReactNode
}

/** Full-width message for empty lists, failed loads and missing pages, with one optional action. */
export default function StateView({ kind, title, description, actionText, onAction, footer }: StateViewProps) {
  return (
    <View className={`state state-${kind}`}>
      <View className='state-glyph'>{glyphs[kind]}</View>
      <Text className='state-title'>{title}</Text>
      {description ? <Text className='state-desc'>{description}</Text> : null}
      {actionText && onAction ? (
        <Button className='btn btn-ghost state-action' onClick={onAction}>
          {actionText}
        </Button>
      ) : null}
      {footer}
    </View>
  )
}

export interface LoadFailedProps {
  /** What failed; its message is shown, and offline failures get the offline glyph */
  error: ApiError
  onRetry: () => void
  title?: string
  actionText?: string
}

/** Back to where the reader came from; home when the page was opened directly. */
function goBack(): void {
  Taro.navigateBack().catch(() => Taro.switchTab({ url: routes.home }).catch(() => undefined))
}

/**
 * A failed load with a retry: the one error state of every page (offline or not). What is not
 * there (404) will not appear by loading again, so that offers 返回 instead.
 */
export function LoadFailed({ error, onRetry, title = '加载失败', actionText = '重新加载' }: LoadFailedProps) {
  const missing = error.isNotFound
  return (
    <StateView
      kind={error.isOffline ? 'offline' : missing ? 'not-found' : 'error'}
      title={title}
      description={error.message}
      actionText={missing ? '返回' : actionText}
      onAction={missing ? goBack : onRetry}
    />
  )
}
