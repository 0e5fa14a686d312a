import { API_BASE, request, upload } from './http'
import type { BindPhoneResult, LoginResult, Me } from './types'

/** POST /api/auth/login: trades a wx.login code (H5: the simulator's) for our own token. */
export function login(code: string): Promise<LoginResult> {
  return request<LoginResult>('/api/auth/login', { method: 'POST', data: { code }, auth: false })
}

/** POST /api/auth/logout: ends this session on the server (204). */
export function logout(): Promise<void> {
  return request<void>('/api/auth/logout', { method: 'POST', renew: false })
}

/** DELETE /api/me: 注销账号; 409 ORDER_IN_PROGRESS while an order is open. */
export function deleteMe(): Promise<void> {
  return request<void>('/api/me', { method: 'DELETE', renew: false })
}

/** GET /api/me: profile, masked phone and VIP status of the signed-in reader. */
export function getMe(): Promise<Me> {
  return request<Me>('/api/me')
}

/** PATCH /api/me: 1–20 characters, checked by WeChat content security on the server. */
export function updateNickname(nickname: string): Promise<Me> {
  return request<Me>('/api/me', { method: 'PATCH', data: { nickname } })
}

/** POST /api/me/avatar (multipart field `file`): the temporary path from chooseAvatar. */
export function uploadAvatar(filePath: string): Promise<Me> {
  return upload<Me>('/api/me/avatar', filePath)
}

/** POST /api/me/phone: the getPhoneNumber code; links a member of the web site when the phone is theirs. */
export function bindPhone(code: string): Promise<BindPhoneResult> {
  return request<BindPhoneResult>('/api/me/phone', { method: 'POST', data: { code } })
}

/** The avatar as an image URL: the server answers a path under the API (or a full URL when configured). */
export function avatarSource(avatarUrl: string | null, base: string = API_BASE): string {
  if (!avatarUrl) return ''
  return /^https?:\/\//.test(avatarUrl) ? avatarUrl : `${base}${avatarUrl.startsWith('/') ? '' : '/'}${avatarUrl}`
}
