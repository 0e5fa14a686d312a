import { useCallback, useEffect, useRef, useState } from 'react'
import { listRegions, type Region } from '../services/api'

/**
 * Regions that have issues, for the filter chips. On failure the chips keep what they
 * showed (at first: 全部 alone); `reload` asks again, e.g. on pull-down refresh.
 */
export function useRegions(): { regions: Region[]; reload: () => void } {
  const [regions, setRegions] = useState<Region[]>([])
  const alive = useRef(true)

  const reload = useCallback(() => {
    listRegions().then(
      ({ items }) => alive.current && setRegions(items.filter((region) => region.issueCount > 0)),
      () => undefined,
    )
  }, [])

  useEffect(() => {
    alive.current = true
    reload()
    return () => {
      alive.current = false
    }
  }, [reload])

  return { regions, reload }
}
