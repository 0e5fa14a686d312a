export default definePageConfig({
  navigationBarTitleText: 'VIP服务协议',
})
