import type { ContactsDto } from '../../../server/src/schemas/contacts'
import { avatarSource } from './account'
import { request } from './http'

export type Contacts = ContactsDto

let cached: Promise<Contacts> | null = null

/**
 * GET /api/contacts: the publisher's service line and hours, 商务合作, 公众号, 视频号 and 微博,
 * from the server's settings (so they change without a release). Asked once per launch; a
 * failure is forgotten, so the next caller asks again.
 */
export function getContacts(): Promise<Contacts> {
  if (!cached) {
    cached = request<Contacts>('/api/contacts').catch((error: unknown) => {
      cached = null
      throw error
    })
  }
  return cached
}

/** Forgets the answer; for tests. */
export function resetContacts(): void {
  cached = null
}

/** The 公众号 QR image as the app loads it ('' when none was uploaded): the API's path made absolute, as avatars are. */
export const officialAccountQr = (contacts: Contacts): string => avatarSource(contacts.officialAccount.qrUrl)
