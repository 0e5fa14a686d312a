import type { App } from '../app'

/** 通知我下一期: subscribe-message opt-ins. */
export async function subscriptionsRoutes(_app: App, _options: { now: () => number }): Promise<void> {}
