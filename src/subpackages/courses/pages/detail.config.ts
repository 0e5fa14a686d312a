export default definePageConfig({
  navigationBarTitleText: '课程',
  enableShareAppMessage: true,
})
