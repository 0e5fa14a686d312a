import fs from 'node:fs'
import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'
import TsconfigPathsPlugin from 'tsconfig-paths-webpack-plugin'
import devConfig from './dev'
import prodConfig from './prod'

/** Where the API lives; Taro loads .env.<mode> first, and a variable set in the shell wins over the file. */
const DEFAULT_API_BASE = 'http://localhost:3000'
/** H5 only: the WeChat simulator (npm run simulator) stands in for the WeChat client in the browser. */
const DEFAULT_WECHAT_SIM_BASE = 'http://localhost:3100'
/** Shown on 我的, so a reader can tell customer service which release they run. */
const APP_VERSION = (
  JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version

export default defineConfig<'webpack5'>(async (merge, { mode }) => {
  const isH5 = process.env.TARO_ENV === 'h5'

  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'beichen-reader',
    date: '2025-01-01',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    // project.config.json's miniprogramRoot points at the weapp output.
    outputRoot: isH5 ? 'dist-h5' : 'dist',
    plugins: [],
    env: {
      TARO_APP_API_BASE: JSON.stringify(process.env.TARO_APP_API_BASE || DEFAULT_API_BASE),
      TARO_APP_VERSION: JSON.stringify(APP_VERSION),
      // The WeChat Pay merchant id goods are sold under (public): WeChat's confirm-receipt component needs it.
      TARO_APP_WECHATPAY_MCHID: JSON.stringify(process.env.TARO_APP_WECHATPAY_MCHID || ''),
      // Defined for H5 builds only: the weapp package must not know the simulator.
      ...(isH5
        ? { TARO_APP_WECHAT_SIM_BASE: JSON.stringify(process.env.TARO_APP_WECHAT_SIM_BASE || DEFAULT_WECHAT_SIM_BASE) }
        : {}),
    },
    defineConstants: {},
    alias: {
      '@': path.resolve(__dirname, '..', 'src'),
    },
    // WeChat's dark-mode colours for app.json (themeLocation), weapp only.
    copy: { patterns: isH5 ? [] : [{ from: 'src/theme.json', to: 'dist/theme.json' }], options: {} },
    framework: 'react',
    compiler: 'webpack5',
    // Taro's default escapes every non-ASCII character (\uXXXX, 6 bytes for a 3-byte character): a
    // Chinese app's strings then weigh twice their UTF-8 size in the package WeChat caps. The
    // mini-program reads its code as UTF-8, and the H5 build is served as UTF-8.
    terser: { enable: true, config: { output: { ascii_only: false } } },
    cache: {
      enable: true,
      name: `${mode}-${process.env.TARO_ENV ?? 'weapp'}`,
    },
    logger: {
      quiet: true,
      stats: false,
    },
    mini: {
      optimizeMainPackage: { enable: true },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: {
          enable: false,
          config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' },
        },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: {
        filename: 'js/[name].[contenthash:8].js',
        chunkFilename: 'js/[name].[contenthash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        // The root font size is 40 px per 750 design px of screen width (as rpx in the mini-program),
        // kept between a 320 px phone (17 px) and the 480 px column that wider screens get
        // (src/index.html: 25.6 px), so a tablet or a desktop shows a phone-sized page, not one
        // twice as big. baseFontSize is explicit: Taro derives it from minRootSize otherwise.
        pxtransform: { enable: true, config: { baseFontSize: 20, minRootSize: 17, maxRootSize: 25.6 } },
        cssModules: {
          enable: false,
          config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' },
        },
      },
      webpackChain(chain) {
        chain.resolve.plugin('tsconfig-paths').use(TsconfigPathsPlugin)
      },
    },
  }

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig)
  }
  return merge({}, baseConfig, prodConfig)
})
