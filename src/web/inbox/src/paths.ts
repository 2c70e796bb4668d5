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

/** The supervisors' reports view; its query (from, to, by) stays in the address bar. */
export const REPORTS_PATH = '/inbox/reports'

export function isReportsPath(path: string): boolean {
  return /^\/inbox\/reports\/?$/.test(path)
}

/** The duty roster view: who works when, leave and swaps. */
export const ROSTER_PATH = '/inbox/roster'

export function isRosterPath(path: string): boolean {
  return /^\/inbox\/roster\/?$/.test(path)
}

/** The day's residence-permit appointments at the office; the day (`?date=`) stays in the address bar. */
export const PERMITS_PATH = '/inbox/permits'

export function isPermitsPath(path: string): boolean {
  return /^\/inbox\/permits\/?$/.test(path)
}

/** Station safety broadcasts: the list, `/new` to compose, `/<id>` for one. */
export const BROADCASTS_PATH = '/inbox/broadcasts'

export function isBroadcastsPath(path: string): boolean {
  return /^\/inbox\/broadcasts(\/[^/]+)?\/?$/.test(path)
}

export function broadcastPath(broadcastId: string): string {
  return `${BROADCASTS_PATH}/${encodeURIComponent(broadcastId)}`
}

/** 'list', 'new', or the id of one broadcast, from a broadcasts path. */
export function broadcastViewFromPath(path: string): 'list' | 'new' | { id: string } {
  const match = /^\/inbox\/broadcasts\/([^/]+)\/?$/.exec(path)
  if (!match?.[1]) return 'list'
  if (match[1] === 'new') return 'new'
  try {
    return { id: decodeURIComponent(match[1]) }
  } catch {
    return 'list'
  }
}
