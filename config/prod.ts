import type { UserConfigExport } from '@tarojs/cli'

/** Production builds: minified (Taro's defaults), no source maps in the package. */
export default {
  mini: {
    enableSourceMap: false,
  },
  h5: {
    enableSourceMap: false,
  },
} satisfies UserConfigExport<'webpack5'>
