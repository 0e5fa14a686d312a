export default definePageConfig({
  navigationBarTitleText: '确认登录后台',
})
