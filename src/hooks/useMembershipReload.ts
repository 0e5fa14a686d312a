import { useEffect, useRef } from 'react'
import { useDidShow } from '@tarojs/taro'
import { getSession } from '../store/session'

/** What decides the reader's access: the session's membership expiry (null: none, or not signed in). */
function membershipKey(): string | null {
  return getSession().me?.membership.expiresAt ?? null
}

/**
 * For a page whose content depends on the reader's membership (an issue, a course): back on it with
 * another membership than the one its content was loaded with (bought on 开通会员 above it, or
 * expired meanwhile), `reload` runs, so it unlocks in place: no restart, no new page. `state` is
 * the page's load state; each new one that is ready records the membership it was loaded with.
 */
export function useMembershipReload(state: { status: string }, reload: () => void): void {
  const loadedFor = useRef<string | null | undefined>(undefined)
  useEffect(() => {
    loadedFor.current = state.status === 'ready' ? membershipKey() : undefined
  }, [state])
  useDidShow(() => {
    const current = membershipKey()
    if (loadedFor.current === undefined || loadedFor.current === current) return
    loadedFor.current = current
    reload()
  })
}
