export default definePageConfig({
  navigationBarTitleText: '阅读记录',
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
})
