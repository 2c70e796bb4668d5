import type { CheckView, HomeWatchView } from '../../../app/forms/home-watch.ts'
import type { ReportView } from '../../../app/reports.ts'
import type {
  HandOverView,
  RosterExceptionView,
  RosterOfficerView,
  RosterView,
} from '../../../app/roster-views.ts'
import type {
  CannedReply,
  CaseCategory,
  CaseDetail,
  CaseFull,
  CasePriority,
  CaseSummary,
  Filters,
  Message,
  OfficerOption,
  QueueCounts,
  QueueName,
  Session,
} from './types.ts'

/** A failed API call: HTTP status (0 when the server could not be reached) and the server's error code and message. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly retryAfter: string | null

  constructor(status: number, code: string, message: string, retryAfter: string | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.retryAfter = retryAfter
  }
}

let csrfToken = ''
let sessionLost: () => void = () => {}

/** Remembers the CSRF token from login or `/me`; it goes on every state-changing request. */
export function setCsrfToken(token: string): void {
  csrfToken = token
}

/** Called when any request (but sign-in) answers 401: the session ended on the server. */
export function onSessionLost(handler: () => void): void {
  sessionLost = handler
}

/**
 * One call of the inbox API; feature files (mediation-api.ts) build on it. A
 * Blob body (a picture) goes as its raw bytes with its own type; anything else as JSON.
 */
export async function request<T>(method: string, path: string, body?: unknown, authCall = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const raw = body instanceof Blob
  if (body !== undefined) headers['content-type'] = raw ? body.type : 'application/json'
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'NETWORK', 'network')
  }
  if (response.status === 204) return undefined as T
  const data: unknown = await response.json().catch(() => null)
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error
    if (response.status === 401 && !authCall) sessionLost()
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? response.statusText,
      response.headers.get('retry-after'),
    )
  }
  return data as T
}

function caseQuery(queue: QueueName, filters: Filters, cursor: string | null, limit: number): string {
  const params = new URLSearchParams({ queue, limit: String(limit) })
  if (filters.status) params.set('status', filters.status)
  if (filters.category) params.set('category', filters.category)
  if (filters.overdue) params.set('overdue', 'true')
  if (filters.q.trim()) params.set('q', filters.q.trim())
  if (cursor) params.set('cursor', cursor)
  return params.toString()
}

const id = (value: string): string => encodeURIComponent(value)

/** The inbox API (docs/inbox-api.md), one function per call. */
export const api = {
  login: (username: string, password: string) =>
    request<Session>('POST', '/api/auth/login', { username, password }, true),
  me: () => request<Session>('GET', '/api/auth/me', undefined, true),
  logout: () => request<void>('POST', '/api/auth/logout', undefined, true),

  cases: (queue: QueueName, filters: Filters, cursor: string | null, limit: number) =>
    request<{ cases: CaseSummary[]; nextCursor: string | null }>(
      'GET',
      `/api/cases?${caseQuery(queue, filters, cursor, limit)}`,
    ),
  queues: () => request<QueueCounts>('GET', '/api/queues'),
  openCase: (caseId: string) => request<CaseDetail>('GET', `/api/cases/${id(caseId)}`),

  reply: (caseId: string, text: string, version: number) =>
    request<{ message: Message; case: CaseFull }>('POST', `/api/cases/${id(caseId)}/replies`, {
      text,
      version,
    }),
  note: (caseId: string, text: string) =>
    request<{ message: Message }>('POST', `/api/cases/${id(caseId)}/notes`, { text }),
  assign: (caseId: string, version: number, to: { officerId: string } | { desk: true }) =>
    request<{ case: CaseFull }>('POST', `/api/cases/${id(caseId)}/assign`, { version, ...to }),
  update: (caseId: string, version: number, change: { category?: CaseCategory; priority?: CasePriority }) =>
    request<{ case: CaseFull }>('PATCH', `/api/cases/${id(caseId)}`, { version, ...change }),
  setStatus: (caseId: string, version: number, status: 'in_progress' | 'awaiting_resident' | 'resolved') =>
    request<{ case: CaseFull }>('POST', `/api/cases/${id(caseId)}/status`, { version, status }),
  reopen: (caseId: string, version: number) =>
    request<{ case: CaseFull }>('POST', `/api/cases/${id(caseId)}/reopen`, { version }),
  retryMessage: (messageId: string) => request<unknown>('POST', `/api/messages/${id(messageId)}/retry`),

  homeWatch: (caseId: string) =>
    request<{ homeWatch: HomeWatchView }>('GET', `/api/cases/${id(caseId)}/home-watch`),
  recordCheck: (
    caseId: string,
    body: { at?: string; result: CheckView['result']; note?: string; photoRef?: string; photoId?: string },
  ) =>
    request<{ check: CheckView; homeWatch: HomeWatchView }>(
      'POST',
      `/api/cases/${id(caseId)}/home-watch/checks`,
      body,
    ),
  /** Uploads a picture (its own bytes and type); the id goes into a check or a broadcast. */
  uploadPicture: (file: Blob) =>
    request<{ id: string; mime: string; size: number }>('POST', '/api/attachments', file),
  endHomeWatch: (caseId: string) =>
    request<{ homeWatch: HomeWatchView }>('POST', `/api/cases/${id(caseId)}/home-watch/end`),

  cannedReplies: () => request<{ replies: CannedReply[] }>('GET', '/api/canned-replies'),
  officers: () => request<{ officers: OfficerOption[] }>('GET', '/api/officers'),
  /** `query`: from, to (YYYY-MM-DD) and by (officer | beat), as a query string. */
  reports: (query: string) => request<ReportView>('GET', `/api/reports?${query}`),

  roster: () => request<RosterView>('GET', '/api/roster'),
  setDuty: (officerId: string, duty: string[]) =>
    request<{ officer: RosterOfficerView }>('PUT', `/api/roster/officers/${id(officerId)}/duty`, { duty }),
  addException: (
    officerId: string,
    body: { kind: RosterExceptionView['kind']; startsAt: string; endsAt: string; note?: string },
  ) =>
    request<{ exception: RosterExceptionView; handedOver: HandOverView[] }>(
      'POST',
      `/api/roster/officers/${id(officerId)}/exceptions`,
      body,
    ),
  removeException: (exceptionId: string) =>
    request<void>('DELETE', `/api/roster/exceptions/${id(exceptionId)}`),
}
