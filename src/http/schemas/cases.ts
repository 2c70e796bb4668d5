import { z } from 'zod'

export const Category = z.enum([
  'emergency',
  'dispute',
  'fraud',
  'noise',
  'lost_property',
  'consultation',
  'home_watch',
  'residence_permit',
  'rental_registration',
  'mediation',
])
export const Priority = z.enum(['emergency', 'urgent', 'normal', 'low'])
export const Status = z.enum(['new', 'assigned', 'in_progress', 'awaiting_resident', 'resolved', 'closed'])
const Version = z.number('version: the case version you last saw, a whole number').int().positive()
const ReplyText = z
  .string('text is required')
  .trim()
  .min(1, 'must not be empty')
  .max(4000, 'must be at most 4000 characters')

const Ref = z.object({ id: z.string(), name: z.string() })
const BeatRef = z.object({ id: z.string(), code: z.string(), name: z.string() })

export const CaseSummarySchema = z.object({
  id: z.string(),
  number: z.string(),
  status: Status,
  category: Category,
  priority: Priority,
  queue: z.string(),
  escalated: z.boolean(),
  assignee: Ref.nullable(),
  beat: BeatRef.nullable(),
  compound: z.string().nullable(),
  residentName: z.string().nullable(),
  preview: z.string(),
  lastMessageAt: z.string(),
  firstResponseDueAt: z.string().nullable(),
  overdue: z.boolean(),
  version: z.number(),
})

export const CaseDetailSchema = CaseSummarySchema.extend({
  openedAt: z.string(),
  resolvedAt: z.string().nullable(),
  firstRespondedAt: z.string().nullable(),
})

export const MessageSchema = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound', 'note', 'system']),
  text: z.string(),
  kind: z.string(),
  media: z
    .object({ type: z.string(), sizeBytes: z.number().optional(), name: z.string().optional() })
    .nullable(),
  createdAt: z.string(),
  author: Ref.nullable(),
  deliveryState: z.enum(['received', 'queued', 'sent', 'failed']),
  failureReason: z.string().nullable(),
})

export const ListQuery = z.object({
  queue: z.enum(['mine', 'beats', 'unassigned', 'escalated', 'all']).default('all'),
  status: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : undefined))
    .pipe(z.array(Status).optional()),
  category: Category.optional(),
  beat: z.string().max(100).optional(),
  assignee: z.string().max(100).optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  q: z.string().trim().max(100).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

export const CaseParams = z.object({ id: z.string().min(1).max(100) })

export const ReplyBody = z.object({ text: ReplyText, version: Version.optional() })
export const NoteBody = z.object({ text: ReplyText })
export const AssignBody = z.union([
  z.object({ version: Version, officerId: z.string().min(1).max(100) }),
  z.object({ version: Version, desk: z.literal(true) }),
])
export const PatchBody = z
  .object({ version: Version, category: Category.optional(), priority: Priority.optional() })
  .refine((b) => b.category || b.priority, 'give category or priority to change')
export const StatusBody = z.object({
  version: Version,
  status: z.enum(['in_progress', 'awaiting_resident', 'resolved']),
})
export const ReopenBody = z.object({ version: Version })

export const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
