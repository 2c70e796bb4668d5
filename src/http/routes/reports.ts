import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Reports } from '../../app/reports.ts'
import { AppError } from '../../errors.ts'
import { requireOfficer } from '../plugins/auth.ts'

export interface ReportRouteOptions {
  reports: Reports
}

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD, in the station’s time zone')
  .optional()

const ReportQuery = z.object({
  from: Day,
  to: Day,
  by: z.enum(['officer', 'beat']).default('officer'),
})

const CsvQuery = ReportQuery.extend({
  lang: z.enum(['zh', 'en']).default('zh'),
})

const Figures = z.object({
  opened: z.number().int(),
  resolved: z.number().int(),
  responded: z.number().int(),
  firstResponseMedianSeconds: z.number().nullable(),
  firstResponseP90Seconds: z.number().nullable(),
  deadlineCases: z.number().int(),
  withinDeadline: z.number().int(),
  withinDeadlineShare: z.number().min(0).max(1).nullable(),
  escalations: z.number().int(),
  ratings: z.number().int(),
  satisfactionAverage: z.number().nullable(),
})

const MediationFigures = z.object({
  opened: z.number().int(),
  concluded: z.number().int(),
  settled: z.number().int(),
  notSettled: z.number().int(),
  referredCommittee: z.number().int(),
  referredCourt: z.number().int(),
  referredPolice: z.number().int(),
  settlementRate: z.number().min(0).max(1).nullable(),
  followUps: z.number().int(),
})

const MediationSection = z.object({
  rows: z.array(
    MediationFigures.extend({
      mediator: z.object({
        kind: z.enum(['officer', 'team', 'none']),
        id: z.string().nullable(),
        code: z.string().nullable(),
        name: z.string().nullable(),
        nameEn: z.string().nullable(),
      }),
    }),
  ),
  total: MediationFigures,
})

const ReportSchema = z.object({
  station: z.object({
    code: z.string(),
    name: z.string(),
    nameEn: z.string().nullable(),
    timeZone: z.string(),
  }),
  by: z.enum(['officer', 'beat']),
  period: z.object({
    from: z.string(),
    to: z.string(),
    start: z.string(),
    end: z.string(),
    days: z.number().int(),
  }),
  generatedAt: z.string(),
  rows: z.array(
    Figures.extend({
      subject: z.object({
        kind: z.enum(['officer', 'desk', 'beat', 'no-beat']),
        id: z.string().nullable(),
        code: z.string().nullable(),
        name: z.string().nullable(),
        nameEn: z.string().nullable(),
      }),
    }),
  ),
  total: Figures,
  mediation: MediationSection,
})

const tags = ['reports']
const description =
  'Whole days from `from` to `to` in the station’s time zone (default: the last 7 days, today included; ' +
  'at most 366 days). Opened, resolved, escalated and rated count by when that happened in the period; ' +
  'first-response times and the share answered within the deadline follow the cases opened in it. ' +
  '`mediation`: per mediator, mediations opened, concluded and settled in the period and the settlement ' +
  'rate settled ÷ concluded (the Fengqiao count); the CSV has it as a second table.'

/** Supervisor reports of the own station: JSON for the inbox, CSV for a spreadsheet. */
export async function reportRoutes(base: FastifyInstance, options: ReportRouteOptions): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>()
  const supervisors = requireOfficer('supervisor', 'admin')

  app.get(
    '/api/reports',
    {
      onRequest: supervisors,
      schema: {
        tags,
        summary: 'Station report per officer or per beat over a period',
        description,
        querystring: ReportQuery,
        response: { 200: ReportSchema },
      },
    },
    async (request) => options.reports.report(signedIn(request.officer), request.query),
  )

  app.get(
    '/api/reports.csv',
    {
      onRequest: supervisors,
      schema: {
        tags,
        summary: 'The same report as CSV (UTF-8 with BOM, for Excel)',
        description,
        querystring: CsvQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { lang, ...query } = request.query
      const file = await options.reports.csv(signedIn(request.officer), { ...query, language: lang })
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('cache-control', 'no-store')
        .send(file.body)
    },
  )
}

function signedIn<T>(officer: T | null): T {
  if (!officer) throw new AppError('UNAUTHORIZED', 'sign in first')
  return officer
}
