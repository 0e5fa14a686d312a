export default definePageConfig({
  navigationBarTitleText: 'VIP会员',
  enablePullDownRefresh: true,
  backgroundTextStyle: 'dark',
  enableShareAppMessage: true,
})
