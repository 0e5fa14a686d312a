export default definePageConfig({
  navigationBarTitleText: '搜索',
  enableShareAppMessage: true,
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
  onReachBottomDistance: 200,
})
