import type { App } from '../app'

/** Share cards and share-open tracking. */
export async function sharingRoutes(_app: App, _options: { now: () => number }): Promise<void> {}
