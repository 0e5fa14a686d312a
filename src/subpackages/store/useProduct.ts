import { useCallback, useEffect, useRef, useState } from 'react'
import { toApiError, type ApiError, type Product } from '../../services/api'
import { getProduct } from '../../services/api/store'

export type ProductState =
  { status: 'loading' } | { status: 'ready'; product: Product } | { status: 'error'; error: ApiError }

/** One product of the shelf by the page's `id` (GET /api/store/products/:id, which counts the view) */
export function useProduct(id: number): { state: ProductState; reload: () => void } {
  const [state, setState] = useState<ProductState>({ status: 'loading' })
  const alive = useRef(true)

  const reload = useCallback(() => {
    if (!Number.isInteger(id) || id <= 0) {
      setState({ status: 'error', error: toApiError(new Error('no such product')) })
      return
    }
    setState({ status: 'loading' })
    getProduct(id).then(
      (product) => alive.current && setState({ status: 'ready', product }),
      (error: unknown) => alive.current && setState({ status: 'error', error: toApiError(error) }),
    )
  }, [id])

  useEffect(() => {
    alive.current = true
    reload()
    return () => {
      alive.current = false
    }
  }, [reload])

  return { state, reload }
}
