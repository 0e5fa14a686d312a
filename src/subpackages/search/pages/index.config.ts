export default definePageConfig({
  navigationBarTitleText: '搜索',
  backgroundTextStyle: 'dark',
  onReachBottomDistance: 200,
})
