import { useCallback, useRef } from 'react'
import { View } from '@tarojs/components'
import Taro, { useDidShow, usePullDownRefresh, useShareAppMessage } from '@tarojs/taro'
import ListEnd from '../../../components/ListEnd'
import { TextSkeleton } from '../../../components/Skeleton'
import StateView, { LoadFailed } from '../../../components/StateView'
import { BRAND, routes } from '../../../constants'
import { useItemList } from '../../../hooks/useItemList'
import { usePageTheme } from '../../../hooks/usePageTheme'
import type { CourseSummary } from '../../../services/api'
import { listCourses } from '../../../services/api/courses'
import CourseHead from '../components/CourseHead'
import { courseRoute } from '../course'
import './index.scss'

/** 课程: the video courses, with what this reader may watch (VIP免费, the price or 已购) and 已学 N/M. */
export default function CoursesPage() {
  const theme = usePageTheme()
  const { state, load } = useItemList(listCourses)
  const shown = useRef(false)

  // Back from a course: 已学 N/M and 已购 as they are now.
  useDidShow(() => {
    if (shown.current) void load(true)
    shown.current = true
  })

  usePullDownRefresh(() => {
    const done = () => Taro.stopPullDownRefresh()
    load(true).then(done, done)
  })

  useShareAppMessage(() => ({ title: `${BRAND}·视频课程`, path: routes.courses }))

  const open = useCallback((course: CourseSummary) => void Taro.navigateTo({ url: courseRoute(course.id) }), [])

  let body
  if (state.status === 'loading') {
    body = (
      <View className='courses-loading'>
        <TextSkeleton lines={6} />
      </View>
    )
  } else if (state.status === 'error') {
    body = <LoadFailed error={state.error} title='课程加载失败' onRetry={() => void load(false)} />
  } else if (state.items.length === 0) {
    body = <StateView kind='empty' title='暂无课程' description='新课程上线后会显示在这里' />
  } else {
    body = (
      <View className='courses-list'>
        {state.items.map((course) => (
          <CourseHead key={course.id} course={course} size='row' onOpen={open} />
        ))}
        <ListEnd state='end' />
      </View>
    )
  }

  return <View className={`courses ${theme}`}>{body}</View>
}
