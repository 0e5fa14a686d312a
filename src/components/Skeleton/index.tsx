import { View } from '@tarojs/components'
import './index.scss'

/** Grey placeholders shaped like issue cards, shown while the first page loads. */
export function IssueListSkeleton({ count = 4 }: { count?: number }) {
  return (
    <View className='skeleton-list' aria-busy='true'>
      {Array.from({ length: count }, (_, index) => (
        <View key={index} className='skeleton-card'>
          <View className='skeleton-bar skeleton-w40' />
          <View className='skeleton-bar skeleton-w90 skeleton-lg' />
          <View className='skeleton-bar skeleton-w100' />
          <View className='skeleton-bar skeleton-w60' />
        </View>
      ))}
    </View>
  )
}

/** Placeholder lines for a page of text. */
export function TextSkeleton({ lines = 8 }: { lines?: number }) {
  return (
    <View className='skeleton-text' aria-busy='true'>
      {Array.from({ length: lines }, (_, index) => (
        <View key={index} className={`skeleton-bar ${index % 4 === 3 ? 'skeleton-w60' : 'skeleton-w100'}`} />
      ))}
    </View>
  )
}
