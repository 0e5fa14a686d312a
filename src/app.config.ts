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
      root: 'subpackages/study',
      pages: ['pages/favorites', 'pages/history'],
    },
  ],
  preloadRule: {
    'pages/index/index': { network: 'all', packages: ['subpackages/article'] },
    // An article's paywall opens 开通会员 (subpackages/vip).
    'subpackages/article/pages/index': { network: 'all', packages: ['subpackages/vip'] },
  },
  window: {
    navigationBarBackgroundColor: '#1b3a6b',
    navigationBarTextStyle: 'white',
    navigationBarTitleText: '北辰遴选',
    backgroundColor: '#f4f5f7',
    backgroundColorTop: '#f4f5f7',
    backgroundTextStyle: 'dark',
  },
  tabBar: {
    color: '#8a919f',
    selectedColor: '#1b3a6b',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
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
  // requiredPrivateInfos lists location APIs only: none are used.
  __usePrivacyCheck__: true,
})
