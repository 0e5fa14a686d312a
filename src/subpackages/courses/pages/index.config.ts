export default definePageConfig({
  navigationBarTitleText: '视频课程',
  enableShareAppMessage: true,
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
})
