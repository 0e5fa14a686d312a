import type { App } from '../app'

/** The whole issue as a PDF for VIP readers (文档PDF下载). */
export async function pdfRoutes(_app: App, _options: { now: () => number }): Promise<void> {}
