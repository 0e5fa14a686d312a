/** ?id= of an issue: a positive integer, else null. */
export function parseIssueParam(value: string | undefined): number | null {
  if (!value || !/^[1-9][0-9]{0,9}$/.test(value)) return null
  const id = Number(value)
  return id <= 2147483647 ? id : null
}

/** ?q= of a question: "q1" … as the server names them, else null. */
export function parseQuestionParam(value: string | undefined): string | null {
  const decoded = value === undefined ? '' : safeDecode(value)
  return /^q[1-9][0-9]{0,2}$/.test(decoded) ? decoded : null
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
