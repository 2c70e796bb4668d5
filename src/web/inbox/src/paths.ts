/** Where a case lives in the address bar, so a case can be linked and the back button works. */
export function casePath(caseId: string): string {
  return `/inbox/case/${encodeURIComponent(caseId)}`
}

/** The case id in an inbox path (`/inbox/case/<id>`), or null for any other path. */
export function caseIdFromPath(path: string): string | null {
  const match = /^\/inbox\/case\/([^/]+)\/?$/.exec(path)
  if (!match?.[1]) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    return null
  }
}
