/**
 * The WeChat adapter: one implementation per platform, `index.weapp.tsx` (the mini-program) and
 * `index.h5.tsx` (the browser preview, backed by the WeChat simulator). Taro's resolver prefers the
 * file with the TARO_ENV suffix (MultiPlatformPlugin in @tarojs/runner-utils), so
 * `import … from '../services/wechat'` bundles only that platform's file: no simulator URL or
 * stand-in sheet reaches the weapp package. This file is what TypeScript and jest see.
 *
 * It is .tsx like the platform files on purpose: Taro tries one extension at a time (.js, .jsx,
 * .ts, .tsx), the suffixed file before the plain one, so an index.ts would win over index.h5.tsx.
 */
import type * as H5 from './index.h5'
import type * as Weapp from './index.weapp'
import type { WechatAdapter } from './types'

export type {
  AddressResult,
  AvatarButtonProps,
  ChosenFile,
  DocumentResult,
  OrderConfirmInfo,
  OrderConfirmOutcome,
  PaymentOutcome,
  PaymentResult,
  PaymentSheetInfo,
  PhoneNumberButtonProps,
  SubscribeOutcome,
  SubscribeResult,
  WechatAdapter,
} from './types'

/** Both platform files must export the whole adapter (checked by tsc, erased from the build). */
type Implements<T extends WechatAdapter> = T
export type PlatformFiles = [Implements<typeof Weapp>, Implements<typeof H5>]

export * from './index.weapp'
