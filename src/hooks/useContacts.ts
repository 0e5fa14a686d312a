import { useEffect, useState } from 'react'
import { getContacts, type Contacts } from '../services/api/contacts'

/** The publisher's contacts once the server has answered (null until then, or when it could not). */
export function useContacts(): Contacts | null {
  const [contacts, setContacts] = useState<Contacts | null>(null)
  useEffect(() => {
    let alive = true
    getContacts().then(
      (answer) => alive && setContacts(answer),
      () => undefined,
    )
    return () => {
      alive = false
    }
  }, [])
  return contacts
}

/** A phone number as WeChat dials it: digits only */
export const dialable = (phone: string) => phone.replace(/[^\d+]/g, '')
