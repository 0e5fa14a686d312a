import type { App } from '../app'

/** Region × issue navigator with the reader's read / unread badges. */
export async function navigatorRoutes(_app: App, _options: { now: () => number }): Promise<void> {}
