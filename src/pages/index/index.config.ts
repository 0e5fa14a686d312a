export default definePageConfig({
  navigationBarTitleText: '北辰遴选',
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
  onReachBottomDistance: 200,
  enableShareAppMessage: true,
})
