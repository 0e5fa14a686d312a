export default definePageConfig({
  navigationBarTitleText: '往期导航',
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
  onReachBottomDistance: 200,
})
