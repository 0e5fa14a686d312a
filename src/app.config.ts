const weapp = process.env.TARO_ENV === 'weapp'

export default defineAppConfig({
  pages: ['pages/index/index', 'pages/vip/index', 'pages/me/index'],
  subPackages: [
    {
      root: 'subpackages/article',
      pages: ['pages/index'],
    },
    {
      root: 'subpackages/orders',
      pages: ['pages/index'],
    },
    {
      root: 'subpackages/legal',
      pages: ['pages/agreement', 'pages/privacy', 'pages/vip-agreement'],
    },
    {
      root: 'subpackages/vip',
      pages: ['pages/index'],
    },
    {
      root: 'subpackages/search',
      pages: ['pages/index'],
    },
    {
      root: 'subpackages/study',
      pages: ['pages/favorites', 'pages/history', 'pages/settings'],
    },
    {
      root: 'subpackages/practice',
      pages: ['pages/index', 'pages/answers'],
    },
    {
      root: 'subpackages/navigator',
      pages: ['pages/index'],
    },
    {
      root: 'subpackages/store',
      pages: ['pages/index', 'pages/detail', 'pages/checkout'],
    },
    {
      root: 'subpackages/courses',
      pages: ['pages/index', 'pages/detail'],
    },
    {
      root: 'subpackages/admin',
      pages: ['pages/confirm'],
    },
    {
      root: 'subpackages/fallback',
      pages: ['pages/not-found'],
    },
  ],
  preloadRule: {
    'pages/index/index': { network: 'all', packages: ['subpackages/article'] },
    // An article's paywall opens 开通会员 (subpackages/vip).
    'subpackages/article/pages/index': { network: 'all', packages: ['subpackages/vip'] },
  },
  // WeChat's dark mode: on the weapp, window and tab bar colours come from theme.json (copied next
  // to app.json, see config/index.ts); H5 keeps the light colours.
  ...(weapp ? { darkmode: true, themeLocation: 'theme.json' } : {}),
  window: {
    navigationBarBackgroundColor: weapp ? '@navBgColor' : '#1b3a6b',
    navigationBarTextStyle: weapp ? '@navTextStyle' : 'white',
    navigationBarTitleText: '北辰遴选',
    // The H5 build draws a title bar (with back and home) only when asked to; the mini-program
    // always has WeChat's.
    navigationStyle: 'default',
    backgroundColor: weapp ? '@bgColor' : '#f4f5f7',
    backgroundColorTop: weapp ? '@bgColor' : '#f4f5f7',
    backgroundTextStyle: weapp ? '@bgTextStyle' : 'dark',
  },
  tabBar: {
    color: weapp ? '@tabColor' : '#8a919f',
    selectedColor: weapp ? '@tabSelectedColor' : '#1b3a6b',
    backgroundColor: weapp ? '@tabBgColor' : '#ffffff',
    // The typings know only black / white; WeChat takes a theme.json variable here too.
    borderStyle: (weapp ? '@tabBorderStyle' : 'black') as 'black',
    list: [
      {
        pagePath: 'pages/index/index',
        text: '首页',
        iconPath: 'assets/tabbar/home.png',
        selectedIconPath: 'assets/tabbar/home-active.png',
      },
      {
        pagePath: 'pages/vip/index',
        text: '会员',
        iconPath: 'assets/tabbar/vip.png',
        selectedIconPath: 'assets/tabbar/vip-active.png',
      },
      {
        pagePath: 'pages/me/index',
        text: '我的',
        iconPath: 'assets/tabbar/me.png',
        selectedIconPath: 'assets/tabbar/me-active.png',
      },
    ],
  },
  lazyCodeLoading: 'requiredComponents',
  // WeChat's privacy rules (docs/privacy.md): privacy APIs wait for consent, asked by our own popup
  // (services/privacy.ts). Always on since 2023-10-17; declared so every base library behaves alike.
  // requiredPrivateInfos declares the address API the store's checkout uses (a location API would go here too).
  __usePrivacyCheck__: true,
  requiredPrivateInfos: ['chooseAddress'],
})
