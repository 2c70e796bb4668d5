import type { z } from 'zod'
import type {
  BroadcastDetailSchema,
  BroadcastSchema,
  DraftBody,
  PreviewSchema,
  ReportSchema,
  TargetsSchema,
} from '../../../http/schemas/broadcasts.ts'
import { request } from './api.ts'

export type Broadcast = z.infer<typeof BroadcastSchema>
export type BroadcastDetail = z.infer<typeof BroadcastDetailSchema>
export type BroadcastState = Broadcast['state']
export type Counts = Omit<NonNullable<Broadcast['progress']>, 'etaSeconds' | 'at'>
export type Draft = z.input<typeof DraftBody>
export type Preview = z.infer<typeof PreviewSchema>
export type BroadcastReport = z.infer<typeof ReportSchema>
export type TargetOptions = z.infer<typeof TargetsSchema>

const id = (value: string): string => encodeURIComponent(value)

/** The broadcast calls of the inbox API (docs/inbox-api.md, Broadcasts). */
export const broadcastApi = {
  targets: () => request<TargetOptions>('GET', '/api/broadcasts/targets'),
  preview: (draft: Partial<Draft>) => request<Preview>('POST', '/api/broadcasts/preview', draft),
  create: (draft: Draft) => request<{ broadcast: Broadcast }>('POST', '/api/broadcasts', draft),
  list: (cursor: string | null) =>
    request<{ broadcasts: Broadcast[]; nextCursor: string | null }>(
      'GET',
      `/api/broadcasts?limit=20${cursor ? `&cursor=${id(cursor)}` : ''}`,
    ),
  detail: (broadcastId: string) =>
    request<{ broadcast: BroadcastDetail }>('GET', `/api/broadcasts/${id(broadcastId)}`),
  report: (broadcastId: string) =>
    request<BroadcastReport>('GET', `/api/broadcasts/${id(broadcastId)}/report`),
  decide: (broadcastId: string, decision: 'approve' | 'reject', note?: string) =>
    request<{ broadcast: Broadcast }>(
      'POST',
      `/api/broadcasts/${id(broadcastId)}/${decision}`,
      note ? { note } : {},
    ),
  act: (broadcastId: string, action: 'pause' | 'resume' | 'cancel') =>
    request<{ broadcast: Broadcast }>('POST', `/api/broadcasts/${id(broadcastId)}/${action}`),
  resendUnconfirmed: (broadcastId: string) =>
    request<{ requeued: number }>('POST', `/api/broadcasts/${id(broadcastId)}/resend-unconfirmed`),
}

/** Share of the planned deliveries that are settled one way or another, 0–1. */
export function settledShare(counts: Counts): number {
  if (counts.planned <= 0) return 0
  const done = counts.sent + counts.failed + counts.skipped + counts.unconfirmed + counts.cancelled
  return Math.min(1, done / counts.planned)
}

/**
 * The field errors of the API's 400 ("text.zh: must not be empty; title: …"),
 * keyed by field; what names no field comes back under "".
 */
export function fieldErrors(message: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of message.split(/; (?=[a-zA-Z][\w.]*: )/)) {
    const match = /^([a-zA-Z][\w.]*): ([\s\S]+)$/.exec(part)
    const field = match?.[1] ?? ''
    const text = match?.[2] ?? part
    out[field] = out[field] ? `${out[field]}; ${text}` : text
  }
  return out
}
