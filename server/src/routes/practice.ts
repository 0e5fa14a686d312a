import type { App } from '../app'

/** Practice mode for 例题: drafts, submissions, 我的作答. */
export async function practiceRoutes(_app: App, _options: { now: () => number }): Promise<void> {}
