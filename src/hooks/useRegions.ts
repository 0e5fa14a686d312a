import { useEffect, useState } from 'react'
import { listRegions, type Region } from '../services/api'

/** Regions for the filter chips; on failure the list simply shows 全部 alone. */
export function useRegions(): Region[] {
  const [regions, setRegions] = useState<Region[]>([])
  useEffect(() => {
    let alive = true
    listRegions().then(
      ({ items }) => alive && setRegions(items.filter((region) => region.issueCount > 0)),
      () => undefined,
    )
    return () => {
      alive = false
    }
  }, [])
  return regions
}
