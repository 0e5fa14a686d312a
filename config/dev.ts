import type { UserConfigExport } from '@tarojs/cli'

/** Development builds: readable output, no minification. */
export default {
  logger: {
    quiet: false,
    stats: true,
  },
  mini: {},
  h5: {},
} satisfies UserConfigExport<'webpack5'>
