/**
 * A hash router of eleven screens: #/, #/issues, #/products, #/courses, #/shipping, #/orders, #/readers, #/audit,
 * #/funnel, #/reach, #/settings. The console is static
 * files under /admin/, so the hash keeps every URL working on reload without a server fallback.
 */
import { useEffect, useState } from 'react'

export type Route =
  | 'dashboard'
  | 'issues'
  | 'products'
  | 'courses'
  | 'shipping'
  | 'orders'
  | 'readers'
  | 'audit'
  | 'funnel'
  | 'reach'
  | 'settings'

export const ROUTES: Route[] = [
  'dashboard',
  'issues',
  'products',
  'courses',
  'shipping',
  'orders',
  'readers',
  'audit',
  'funnel',
  'reach',
  'settings',
]

export function parseHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0]
  return (ROUTES as string[]).includes(name) ? (name as Route) : 'dashboard'
}

export function hrefOf(route: Route): string {
  return route === 'dashboard' ? '#/' : `#/${route}`
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route)
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash))
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash))
    window.addEventListener('hashchange', update)
    return () => window.removeEventListener('hashchange', update)
  }, [])
  return route
}
