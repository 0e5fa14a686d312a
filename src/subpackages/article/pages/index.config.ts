export default definePageConfig({
  navigationBarTitleText: '热点精讲',
  enableShareAppMessage: true,
  enableShareTimeline: true,
  enablePullDownRefresh: true,
})
