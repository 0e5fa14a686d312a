import { createContext, useContext } from 'react'
import type { Operator, Role } from './types'

export interface SessionContextValue {
  operator: Operator
  signOut(): void
}

export const SessionContext = createContext<SessionContextValue | null>(null)

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside a signed-in console')
  return value
}

/** Whether the signed-in operator has one of `roles` (admin may do everything). */
export function useCan(...roles: Role[]): boolean {
  const { operator } = useSession()
  return operator.role === 'admin' || roles.includes(operator.role)
}
