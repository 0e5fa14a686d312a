import { Text, View } from '@tarojs/components'
import type { Lesson } from '../../../services/api'
import { clock, lessonProgressText } from '../course'
import './LessonList.scss'

interface LessonListProps {
  lessons: Lesson[]
  /** The lesson on the player (or its paywall) */
  currentId: number | null
  onOpen: (lesson: Lesson) => void
}

function LessonRow({
  lesson,
  current,
  onOpen,
}: {
  lesson: Lesson
  current: boolean
  onOpen: LessonListProps['onOpen']
}) {
  const progress = lessonProgressText(lesson)
  const classes = ['lesson']
  if (current) classes.push('lesson-current')
  if (!lesson.playable) classes.push('lesson-locked')
  return (
    <View
      className={classes.join(' ')}
      role='button'
      aria-label={`第${lesson.position}节 ${lesson.title}`}
      aria-current={current || undefined}
      onClick={() => onOpen(lesson)}
    >
      <Text className='lesson-no'>{String(lesson.position).padStart(2, '0')}</Text>
      <View className='lesson-body'>
        <Text className='lesson-title'>{lesson.title}</Text>
        {lesson.outline ? <Text className='lesson-outline'>{lesson.outline}</Text> : null}
        <View className='lesson-meta'>
          <Text className='lesson-duration'>{clock(lesson.durationSeconds)}</Text>
          {lesson.preview ? <Text className='lesson-tag lesson-tag-preview'>试看</Text> : null}
          {lesson.playable ? null : <Text className='lesson-tag lesson-tag-lock'>🔒</Text>}
          {lesson.lockedBy === 'vip' ? <Text className='badge-vip lesson-vip'>VIP</Text> : null}
          {current ? <Text className='lesson-now'>当前</Text> : null}
          {progress ? (
            <Text className={`lesson-progress${lesson.progress?.completed ? ' lesson-done' : ''}`}>{progress}</Text>
          ) : null}
        </View>
      </View>
    </View>
  )
}

/** 课程目录: 序号, title, outline, duration, 试看, 🔒 / VIP, ✓ 已学完 or 学到 mm:ss */
export default function LessonList({ lessons, currentId, onOpen }: LessonListProps) {
  return (
    <View className='lessons'>
      {lessons.map((lesson) => (
        <LessonRow key={lesson.id} lesson={lesson} current={lesson.id === currentId} onOpen={onOpen} />
      ))}
    </View>
  )
}
