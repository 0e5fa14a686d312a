export default definePageConfig({
  navigationBarTitleText: '阅读设置',
})
