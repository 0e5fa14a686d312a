export default definePageConfig({
  navigationBarTitleText: '我的作答',
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
})
