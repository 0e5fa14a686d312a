export default definePageConfig({
  navigationBarTitleText: '图书',
  enableShareAppMessage: true,
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
})
