import type { ReactNode } from 'react'
import { View } from '@tarojs/components'
import { usePageTheme } from '../../hooks/usePageTheme'
import { useReaderSettings } from '../../store/readerSettings'
import './index.scss'

export interface ThemedPageProps {
  /** The page's own root class */
  className: string
  /** The reader's font size too (reader-font-small / -medium / -large), for pages of reading text */
  withFontSize?: boolean
  children: ReactNode
}

/**
 * A page root in the reader's theme (hooks/usePageTheme.ts), for a page with several roots (a state
 * view, a skeleton, the content): it wraps them all, so none is left in the light palette.
 */
export default function ThemedPage({ className, withFontSize = false, children }: ThemedPageProps) {
  const theme = usePageTheme()
  const { fontSize } = useReaderSettings()
  const font = withFontSize ? ` reader-font-${fontSize}` : ''
  return <View className={`themed-page ${className}${font} ${theme}`}>{children}</View>
}
