export default definePageConfig({
  navigationBarTitleText: '往期导航',
  enableShareAppMessage: true,
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
  onReachBottomDistance: 200,
})
