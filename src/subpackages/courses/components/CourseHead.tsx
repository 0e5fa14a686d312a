import { useState } from 'react'
import { Image, Text, View } from '@tarojs/components'
import type { CourseSummary } from '../../../services/api'
import { getPlatform } from '../../../services/wechat'
import { mediaUrl } from '../../../utils/media'
import { courseMeta, coursePrice, learnedText } from '../course'
import './CourseHead.scss'

interface CourseHeadProps {
  course: CourseSummary
  /** The list's row (with the cover) or the course page's head (under the player) */
  size: 'row' | 'head'
  /** Lessons finished: the page counts them as the reader plays; the list has the server's count */
  completed?: number
  onOpen?: (course: CourseSummary) => void
}

/** Cover, title, subtitle, teacher, N节 · 共时长 · 试看, VIP免费 / ¥29.9 with 原价 struck / 已购, 已学 N/M */
export default function CourseHead({ course, size, completed = course.completedCount, onOpen }: CourseHeadProps) {
  const [priced] = useState(() => getPlatform() !== 'ios')
  const price = coursePrice(course, priced)
  const cover = size === 'row' ? mediaUrl(course.cover) : ''
  const learned = learnedText(completed, course.lessonCount)
  return (
    <View className={`course course-${size}`} onClick={onOpen ? () => onOpen(course) : undefined}>
      {size === 'row' ? (
        <View className='course-cover'>
          {cover ? <Image className='course-cover-image' src={cover} mode='aspectFill' lazyLoad /> : null}
          <Text className='course-cover-count'>{course.lessonCount}节</Text>
        </View>
      ) : null}
      <View className='course-body'>
        <Text className='course-title'>{course.title}</Text>
        {course.subtitle ? <Text className='course-subtitle'>{course.subtitle}</Text> : null}
        <Text className='course-teacher'>主讲：{course.teacher}</Text>
        <Text className='course-meta'>{courseMeta(course)}</Text>
        <View className='course-price-line'>
          <Text className={`course-price course-price-${price.kind}`}>{price.label}</Text>
          {price.original ? <Text className='course-original'>{price.original}</Text> : null}
          {learned ? <Text className='course-learned'>{learned}</Text> : null}
        </View>
      </View>
    </View>
  )
}
