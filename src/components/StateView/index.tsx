import { Button, Text, View } from '@tarojs/components'
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
}

/** Full-width message for empty lists, failed loads and missing pages, with one optional action. */
export default function StateView({ kind, title, description, actionText, onAction }: StateViewProps) {
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
    </View>
  )
}
