/// <reference types="@tarojs/taro" />

declare module '*.png' {
  const src: string
  export default src
}
declare module '*.scss'

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production' | 'test'
    TARO_ENV: 'weapp' | 'h5' | 'swan' | 'alipay' | 'tt' | 'qq' | 'jd' | 'rn' | 'harmony'
    /** AppID written into dist/project.config.json (see .env.production) */
    TARO_APP_ID?: string
    /** Base URL of the API server, from .env.<mode> or the shell; always defined in builds */
    TARO_APP_API_BASE: string
    /** H5 only: base URL of the WeChat simulator that stands in for the WeChat client (docs/wechat-simulator.md) */
    TARO_APP_WECHAT_SIM_BASE?: string
    /** The app's version (package.json), shown on 我的 */
    TARO_APP_VERSION: string
  }
}
