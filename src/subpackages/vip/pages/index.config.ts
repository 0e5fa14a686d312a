export default definePageConfig({
  navigationBarTitleText: 'VIP会员',
  enableShareAppMessage: true,
})
