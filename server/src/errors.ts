/** The one error type routes throw; the error handler turns it into {error:{code,message}}. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const notFound = (code: string, message: string) => new ApiError(404, code, message)
export const badRequest = (code: string, message: string) => new ApiError(400, code, message)
export const unauthorized = (code: string, message: string) => new ApiError(401, code, message)
/** A VIP benefit (PDF download, VIP practice questions) asked for without a current membership; the app shows the paywall. */
export const vipRequired = (what: string) =>
  new ApiError(403, 'VIP_REQUIRED', `${what} is for VIP members: open a membership (开通VIP会员) first`)
