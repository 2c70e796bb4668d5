import { z } from 'zod'
import { BROADCAST_CATEGORIES } from '../../domain/broadcast-categories.ts'

const Category = z.enum(BROADCAST_CATEGORIES, `expected one of ${BROADCAST_CATEGORIES.join(', ')}`)
const States = [
  'pending_approval',
  'rejected',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'cancelled',
] as const
const State = z.enum(States)

const Address = z
  .string()
  .trim()
  .max(500, 'at most 500 characters')
  .regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// address')

const Id = z.string().min(1).max(100)

const Targets = z.object(
  {
    station: z.boolean().optional().describe('every resident the station’s accounts hold as a contact'),
    beatIds: z.array(Id).max(200).optional(),
    compoundIds: z.array(Id).max(1000).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
    groups: z
      .array(z.object({ accountId: Id, name: z.string().trim().min(1).max(200) }))
      .max(200)
      .optional()
      .describe('groups from GET /api/broadcasts/targets: one send each'),
  },
  'targets: an object with station, beatIds, compoundIds, tags or groups',
)

const Text = z.object(
  {
    zh: z.string('text.zh is required').trim().min(1, 'must not be empty').max(20_000),
    en: z
      .string()
      .trim()
      .min(1, 'must not be empty (leave it out instead)')
      .max(20_000)
      .nullable()
      .optional(),
  },
  'text: { zh, en? }',
)

export const DraftBody = z.object({
  title: z.string('title is required').trim().min(1, 'must not be empty').max(100, 'at most 100 characters'),
  text: Text,
  imageUrl: Address.nullable().optional().describe('a picture elsewhere, sent as a link line'),
  imageId: Id.nullable()
    .optional()
    .describe('a picture uploaded with POST /api/attachments: sent as a picture with the text, in one send'),
  linkUrl: Address.nullable().optional(),
  category: Category,
  targets: Targets,
  sendAt: z.iso
    .datetime({
      offset: true,
      error: 'expected an ISO 8601 time with an offset, e.g. 2026-12-01T09:00:00+08:00',
    })
    .nullable()
    .optional()
    .describe('absent or null: as soon as it may go'),
})

export const PreviewBody = DraftBody.partial({
  title: true,
  text: true,
  imageUrl: true,
  imageId: true,
  linkUrl: true,
  sendAt: true,
})

export const BroadcastParams = z.object({ id: Id })

export const DecisionBody = z.object({ note: z.string().trim().max(500).optional() }).nullish()

export const ListQuery = z.object({
  state: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined
      const list = s.split(',').map((x) => x.trim())
      const bad = list.filter((x) => !(States as readonly string[]).includes(x))
      if (bad.length) {
        ctx.addIssue({ code: 'custom', message: `expected states among ${States.join(', ')}` })
        return z.NEVER
      }
      return list as Array<(typeof States)[number]>
    }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.iso.datetime({ offset: true, error: 'expected the nextCursor of the previous page' }).optional(),
})

export const ReportQuery = z.object({ limit: z.coerce.number().int().min(1).max(5000).default(500) })

const Ref = z.object({ id: z.string(), name: z.string() })

const Counts = z.object({
  planned: z.number(),
  sent: z.number(),
  failed: z.number(),
  skipped: z.number(),
  pending: z.number(),
  unconfirmed: z.number(),
  cancelled: z.number(),
})

const Progress = Counts.extend({ etaSeconds: z.number().nullable(), at: z.string() })

export const BroadcastSchema = z.object({
  id: z.string(),
  title: z.string(),
  text: z.object({ zh: z.string(), en: z.string().nullable() }),
  imageUrl: z.string().nullable(),
  imageId: z.string().nullable(),
  linkUrl: z.string().nullable(),
  category: Category,
  categoryName: z.object({ zh: z.string(), en: z.string() }),
  urgent: z.boolean(),
  targets: z.object({
    station: z.boolean(),
    beats: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
    compounds: z.array(z.object({ id: z.string(), name: z.string() })),
    tags: z.array(z.string()),
    groups: z.array(z.object({ accountId: z.string(), name: z.string() })),
  }),
  sendAt: z.string().nullable(),
  state: State,
  author: Ref,
  approval: z.object({
    required: z.boolean(),
    reason: z.enum(['station_wide', 'over_threshold']).nullable(),
    decision: z.enum(['approved', 'rejected']).nullable(),
    by: Ref.nullable(),
    at: z.string().nullable(),
    note: z.string().nullable(),
  }),
  estimate: z.object({ residents: z.number(), groups: z.number() }),
  progress: Progress.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  pausedBy: Ref.nullable(),
  finishedAt: z.string().nullable(),
  cancelledBy: Ref.nullable(),
})

const AccountCounts = z.object({ id: z.string(), counts: Counts, paused: z.string().nullable() })

export const BroadcastDetailSchema = BroadcastSchema.extend({ accounts: z.array(AccountCounts) })

export const PreviewSchema = z.object({
  residents: z.number(),
  groups: z.number(),
  optedOut: z.number(),
  noContact: z.number(),
  accounts: z.array(
    z.object({
      id: z.string(),
      residents: z.number(),
      groups: z.number(),
      ratePerMinute: z.number(),
      dailyCap: z.number(),
      sentToday: z.number(),
      estimatedSeconds: z.number(),
    }),
  ),
  estimatedSeconds: z.number(),
  approval: z.object({
    required: z.boolean(),
    reason: z.enum(['station_wide', 'over_threshold']).nullable(),
    threshold: z.number(),
  }),
  urgent: z.boolean(),
  quietHoursNow: z.boolean(),
  bytes: z.object({ zh: z.number().nullable(), en: z.number().nullable(), max: z.number() }),
  image: z.object({ id: z.string(), mime: z.string(), size: z.number() }).nullable(),
})

export const ReportSchema = z.object({
  broadcast: BroadcastSchema,
  counts: Counts,
  skipped: z.object({ opted_out: z.number(), no_contact: z.number() }),
  accounts: z.array(AccountCounts),
  failures: z.array(
    z.object({
      deliveryId: z.string(),
      state: z.enum(['failed', 'unconfirmed']),
      accountId: z.string().nullable(),
      resident: z.object({ id: z.string(), code: z.string(), name: z.string().nullable() }).nullable(),
      group: z.string().nullable(),
      reason: z.string().nullable(),
      attempts: z.number(),
      at: z.string().nullable(),
    }),
  ),
  failuresTotal: z.number(),
})

export const TargetsSchema = z.object({
  beats: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      name: z.string(),
      nameEn: z.string().nullable(),
      residents: z.number(),
    }),
  ),
  compounds: z.array(
    z.object({ id: z.string(), name: z.string(), beatId: z.string(), residents: z.number() }),
  ),
  tags: z.array(z.object({ tag: z.string(), residents: z.number() })),
  groups: z.array(z.object({ accountId: z.string(), name: z.string() })),
})
