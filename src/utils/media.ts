import { API_BASE } from '../services/api/http'

/** A cover, poster or video as the API gives it: an https URL, or a path of the API made absolute; '' for none */
export function mediaUrl(url: string | null): string {
  if (!url) return ''
  return url.startsWith('/') ? `${API_BASE}${url}` : url
}
