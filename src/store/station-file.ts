/**
 * The station data file: stations, their officers, beats, gazetteer and bot
 * accounts, written in YAML by a station's IT person and loaded by
 * `npm run seed`. Every problem is reported at once with the line, column and
 * field it concerns, so a file can be fixed in one pass.
 */
import { readFile } from 'node:fs/promises'
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { z } from 'zod'
import { DEFAULT_HOME_WATCH_SCHEDULE } from '../domain/forms/home-watch.ts'
import { clockOfMinute, DUTY_EXCEPTION_KINDS, parseRosterTime } from '../domain/roster.ts'

type PathSegment = string | number

/** One thing wrong with a station file, with where it is. */
export interface StationFileProblem {
  /** 1-based line of the offending node (or of the nearest enclosing one when a field is missing). */
  line: number
  /** 1-based column. */
  col: number
  /** Field path such as `stations[0].officers[1].badge`; `YAML syntax` for parse errors, `(file)` for the root. */
  path: string
  /** What is wrong and the expected form. */
  message: string
}

/** Thrown by {@link parseStationFile}; its message lists every problem as `file:line:col: path: message`. */
export class StationFileError extends Error {
  readonly code = 'INVALID_STATION_FILE'

  constructor(
    readonly fileName: string,
    readonly problems: StationFileProblem[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
    const lines = problems.map((p) => `${fileName}:${p.line}:${p.col}: ${p.path}: ${p.message}`)
    super(`invalid station file ${fileName} (${count}):\n${lines.join('\n')}`)
    this.name = 'StationFileError'
  }
}

/**
 * A weekly duty pattern: a day or day range, then a time range, e.g.
 * `mon-fri 08:30-17:30`, `sat 09:00-12:00`, `daily 20:00-08:00` (an end
 * earlier than the start runs past midnight). Turned into shifts elsewhere.
 */
export const DUTY_PATTERN =
  /^(?:daily|(?:mon|tue|wed|thu|fri|sat|sun)(?:-(?:mon|tue|wed|thu|fri|sat|sun))?) (?:[01]\d|2[0-3]):[0-5]\d-(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/

/** Describes a received value briefly for a message, without echoing long text. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'an empty value'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a map'
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 37)}..."` : `"${value}"`
  return `${typeof value} ${String(value)}`
}

function wrongType(expected: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `missing; expected ${expected}`
      : `got ${describe(issue.input)}; expected ${expected}`
}

function invalid(expected: string) {
  return (issue: { input?: unknown }) => `${describe(issue.input)} is not valid; expected ${expected}`
}

const text = (expected: string) =>
  z
    .string({ error: wrongType(expected) })
    .trim()
    .min(1, { error: `must not be empty; expected ${expected}` })

const matching = (pattern: RegExp, expected: string) =>
  z.string({ error: wrongType(expected) }).regex(pattern, { error: invalid(expected) })

const count = (expected: string) =>
  z
    .number({ error: wrongType(expected) })
    .int({ error: invalid(expected) })
    .min(1, { error: invalid(expected) })

const list = <T extends z.ZodType>(item: T, expected: string) =>
  z.array(item, { error: wrongType(`a list of ${expected}`) })

const BADGE = 'a badge number as a quoted string of digits, e.g. "330104"'
const badge = matching(/^\d{1,16}$/, BADGE)

function isTimeZone(name: string): boolean {
  // Intl also takes offsets such as "+08:00"; the station needs a named zone so DST rules apply.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(name)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

const streetRangeSchema = z
  .strictObject({
    street: text('a street or lane name, e.g. 柳营巷'),
    from: count('a house number (a positive whole number)').optional(),
    to: count('a house number (a positive whole number)').optional(),
    parity: z.enum(['odd', 'even'], { error: invalid('odd or even') }).optional(),
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    path: ['to'],
    error: 'is lower than from; expected from <= to',
  })

const compoundSchema = z.strictObject({
  name: text('the compound, lane or village name, e.g. 长寿桥小区'),
  aliases: list(text('another name residents use'), 'other names').default([]),
  pinyin: list(
    matching(/^[a-z]+$/, 'pinyin in lowercase letters without spaces or tones, e.g. changshouqiao'),
    'pinyin spellings',
  ).default([]),
  streets: list(streetRangeSchema, 'street ranges, e.g. { street: 柳营巷, from: 1, to: 59 }').default([]),
})

const LOCAL_TIME_EXPECTED =
  'a date or date and time in the station’s time zone, e.g. "2027-02-05" or "2027-02-05 08:30"'
const localTime = z
  .string({ error: wrongType(LOCAL_TIME_EXPECTED) })
  .refine(
    (value) =>
      /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?$/.test(value) &&
      parseRosterTime(value, 'UTC', 'start') !== null,
    { error: invalid(LOCAL_TIME_EXPECTED) },
  )

/** Wall-clock order is instant order but for an hour around a daylight-saving change. */
const wallTime = (value: unknown, edge: 'start' | 'end'): number | null =>
  typeof value === 'string' ? (parseRosterTime(value, 'UTC', edge)?.getTime() ?? null) : null

const exceptionSchema = z
  .strictObject({
    kind: z.enum(DUTY_EXCEPTION_KINDS, { error: invalid(DUTY_EXCEPTION_KINDS.join(', ')) }),
    from: localTime,
    // A bare date includes that whole day.
    to: localTime,
    note: text('a short note, e.g. 春节休假').optional(),
  })
  .refine((e) => (wallTime(e.to, 'end') ?? Number.POSITIVE_INFINITY) > (wallTime(e.from, 'start') ?? 0), {
    path: ['to'],
    error: 'is not after from; expected the end of the exception, later than its start',
  })

const officerSchema = z.strictObject({
  badge,
  name: text('the officer’s name'),
  nameEn: text('the officer’s name in English').optional(),
  role: z
    .enum(['officer', 'supervisor', 'admin'], { error: invalid('officer, supervisor or admin') })
    .default('officer'),
  capacity: count('the most open cases at once (a positive whole number)').default(30),
  duty: list(
    matching(
      DUTY_PATTERN,
      'a duty pattern like "mon-fri 08:30-17:30", "sat 09:00-12:00" or "daily 20:00-08:00"',
    ),
    'duty patterns',
  ).default([]),
  exceptions: list(
    exceptionSchema,
    'duty exceptions, e.g. { kind: leave, from: 2027-02-05, to: 2027-02-12 }',
  ).default([]),
  team: text('a team tag, e.g. mediation').optional(),
  active: z.boolean({ error: wrongType('true or false') }).default(true),
  wechat: z
    .strictObject({
      account: text('the id of one of the station’s bot accounts, e.g. cq-station'),
      contact: text('the officer’s WeChat contact id as that account sees it, e.g. "wxid_officer_li"'),
    })
    .optional(),
})

const beatSchema = z.strictObject({
  code: matching(/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/, 'uppercase letters and digits joined by "-", e.g. CQ-01'),
  name: text('the beat name, e.g. 长寿桥社区'),
  nameEn: text('the beat name in English').optional(),
  primary: badge,
  backup: badge.optional(),
  compounds: list(compoundSchema, 'compounds').default([]),
})

const accountSchema = z.strictObject({
  id: matching(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lowercase letters, digits and "-", e.g. cq-station'),
  kind: z.literal('wechaty', { error: invalid('wechaty') }),
  owner: matching(
    /^(?:station|\d{1,16})$/,
    'station, or the quoted badge of the officer whose own account it is',
  ),
  puppet: z.enum(['mock', 'wechat4u', 'service'], { error: invalid('mock, wechat4u or service') }),
  tokenEnv: matching(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. CQ_STATION_TOKEN').optional(),
  groups: list(text('a WeChat group name'), 'group names').default([]),
  rate: z
    .strictObject({
      perMinute: count('messages per minute (a positive whole number)').default(60),
      dailyCap: count('messages per day (a positive whole number)').default(500),
    })
    .default({ perMinute: 60, dailyCap: 500 }),
})

/** Opening hours for residence-permit appointments, cut into slots (see domain/forms/permit-slots.ts). */
const permitSlotsSchema = z.strictObject({
  hours: list(
    matching(DUTY_PATTERN, 'opening hours like "mon-fri 09:00-11:30" or "sat 09:00-12:00"'),
    'opening hours',
  ).min(1, { error: 'is empty; expected at least one range of opening hours' }),
  minutes: count('the length of one appointment in minutes, e.g. 30').max(240, {
    error: invalid('at most 240 minutes'),
  }),
  capacity: count('how many residents one slot takes, e.g. 3').max(100, { error: invalid('at most 100') }),
  daysAhead: count('how many days ahead (today included) residents may book, e.g. 14')
    .max(90, { error: invalid('at most 90 days') })
    .default(14),
})

const CLOCK_TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$/
/** "HH:MM" (24-hour clock) as minutes of the day; the file was validated, so the form is right. */
export const minuteOfDay = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
const clockTime = (minute: number) =>
  matching(
    CLOCK_TIME,
    `a time of day as "HH:MM" on the 24-hour clock, e.g. "${clockOfMinute(minute)}"`,
  ).default(clockOfMinute(minute))

/** Holiday home watch times in the station's time zone; those left out are the service's defaults. */
const { remindMinute, dueMinute, endMinute } = DEFAULT_HOME_WATCH_SCHEDULE
const homeWatchSchema = z
  .strictObject({
    remindAt: clockTime(remindMinute),
    escalateAt: clockTime(dueMinute),
    summaryAt: clockTime(endMinute),
  })
  // A time in the wrong form has its own problem already.
  .refine(
    (h) =>
      !CLOCK_TIME.test(h.remindAt) ||
      !CLOCK_TIME.test(h.escalateAt) ||
      minuteOfDay(h.escalateAt) > minuteOfDay(h.remindAt),
    {
      path: ['escalateAt'],
      error: (issue) => {
        const h = issue.input as { remindAt: string; escalateAt: string }
        return `"${h.escalateAt}" is not after remindAt ("${h.remindAt}"); expected the time by which the day's check must be recorded, later in the day than the reminder`
      },
    },
  )

const stationSchema = z.strictObject({
  code: matching(/^[A-Z]{2,6}$/, '2 to 6 uppercase letters, e.g. CQ'),
  name: text('the station name, e.g. 长庆派出所'),
  nameEn: text('the station name in English').optional(),
  timeZone: z
    .string({ error: wrongType('an IANA time zone, e.g. Asia/Shanghai') })
    .refine(isTimeZone, { error: invalid('an IANA time zone, e.g. Asia/Shanghai') })
    // Absent: the service's TIME_ZONE applies when the file is loaded.
    .optional(),
  dutyDesk: z.strictObject({
    name: text('the duty desk name, e.g. 长庆派出所值班室'),
    nameEn: text('the duty desk name in English').optional(),
  }),
  officers: list(officerSchema, 'officers'),
  beats: list(beatSchema, 'beats'),
  accounts: list(accountSchema, 'bot accounts').default([]),
  permitSlots: permitSlotsSchema.optional(),
  homeWatch: homeWatchSchema.default({
    remindAt: clockOfMinute(remindMinute),
    escalateAt: clockOfMinute(dueMinute),
    summaryAt: clockOfMinute(endMinute),
  }),
})

/** The zod schema of a whole station file (shape only; cross-references are checked by {@link parseStationFile}). */
export const stationFileSchema = z.strictObject({
  stations: list(stationSchema, 'stations').min(1, { error: 'is empty; expected at least one station' }),
})

export type StationFile = z.infer<typeof stationFileSchema>
export type StationSpec = StationFile['stations'][number]
export type OfficerSpec = StationSpec['officers'][number]
export type OfficerRole = OfficerSpec['role']
export type BeatSpec = StationSpec['beats'][number]
export type CompoundSpec = BeatSpec['compounds'][number]
export type StreetRangeSpec = CompoundSpec['streets'][number]
export type AccountSpec = StationSpec['accounts'][number]
export type DutyExceptionSpec = OfficerSpec['exceptions'][number]
export type DutyDeskSpec = StationSpec['dutyDesk']
export type PermitSlotsSpec = NonNullable<StationSpec['permitSlots']>

/** Applies to issues no schema gave its own message (shapes of maps and lists, unknown fields). */
function fallbackMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    const shape = (issue.inst as { shape?: Record<string, unknown> } | undefined)?.shape
    return shape ? `expected one of: ${Object.keys(shape).join(', ')}` : 'remove it'
  }
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'object') return wrongType('a map of fields (key: value)')(issue)
    if (issue.expected === 'array') return wrongType('a list')(issue)
  }
  return undefined
}

interface RawProblem {
  path: PathSegment[]
  message: string
  /** An earlier node the problem relates to (the first of two duplicates), cited by line. */
  seeAlso?: PathSegment[]
}

type Entry = [index: number, value: Record<string, unknown>]

/** The map entries of a list field, skipping whatever is not a map (zod reports those). */
function entries(parent: unknown, key: string): Entry[] {
  const value = isRecord(parent) ? parent[key] : undefined
  if (!Array.isArray(value)) return []
  return value.flatMap((item, i): Entry[] => (isRecord(item) ? [[i, item]] : []))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A scalar as a string; an unquoted badge parses as a number and must still count as that badge here. */
function scalar(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key]
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

/** Records values and reports repeats, pointing at the first occurrence. */
class Uniques {
  private readonly seen = new Map<string, PathSegment[]>()

  constructor(
    private readonly problems: RawProblem[],
    private readonly what: string,
    private readonly scope: string,
  ) {}

  add(value: string | undefined, path: PathSegment[]): void {
    if (value === undefined) return
    const first = this.seen.get(value)
    if (first) {
      this.problems.push({
        path,
        message: `duplicate ${this.what} "${value}"; expected each ${this.what} once ${this.scope}`,
        seeAlso: first,
      })
    } else {
      this.seen.set(value, path)
    }
  }
}

/**
 * References and uniqueness across the file. Works on the raw data so it can
 * run alongside the schema and report everything in one pass.
 */
function crossCheck(data: unknown): RawProblem[] {
  const problems: RawProblem[] = []
  const stationCodes = new Uniques(problems, 'station code', 'in the file')
  const badges = new Uniques(problems, 'badge', 'in the file')
  const beatCodes = new Uniques(problems, 'beat code', 'in the file')
  const accountIds = new Uniques(problems, 'account id', 'in the file')
  const stations = entries(data, 'stations')
  const stationOfBadge = new Map<string, string>()
  for (const [s, station] of stations) {
    for (const [, officer] of entries(station, 'officers')) {
      const b = scalar(officer, 'badge')
      if (b !== undefined && !stationOfBadge.has(b))
        stationOfBadge.set(b, scalar(station, 'code') ?? `#${s + 1}`)
    }
  }

  for (const [s, station] of stations) {
    const at = (...rest: PathSegment[]): PathSegment[] => ['stations', s, ...rest]
    const code = scalar(station, 'code') ?? `#${s + 1}`
    stationCodes.add(scalar(station, 'code'), at('code'))
    const ownBadges: string[] = []
    for (const [o, officer] of entries(station, 'officers')) {
      const b = scalar(officer, 'badge')
      badges.add(b, at('officers', o, 'badge'))
      if (b !== undefined && !ownBadges.includes(b)) ownBadges.push(b)
      checkExceptionOverlap(problems, officer, at('officers', o, 'exceptions'))
    }
    const known = `the badge of one of station ${code}'s officers (${ownBadges.join(', ') || 'none listed'})`
    const checkBadge = (value: string | undefined, path: PathSegment[], role: string): void => {
      if (value === undefined || ownBadges.includes(value)) return
      const elsewhere = stationOfBadge.get(value)
      const why = elsewhere
        ? `officer "${value}" belongs to station ${elsewhere}, not ${code}`
        : `no officer has badge "${value}"`
      problems.push({ path, message: `${role}: ${why}; expected ${known}` })
    }

    const compoundNames = new Uniques(problems, 'compound name', `in station ${code}`)
    const compoundAt = new Map<string, PathSegment[]>()
    const aliases: Array<[string, PathSegment[]]> = []
    for (const [b, beat] of entries(station, 'beats')) {
      beatCodes.add(scalar(beat, 'code'), at('beats', b, 'code'))
      const primary = scalar(beat, 'primary')
      const backup = scalar(beat, 'backup')
      checkBadge(primary, at('beats', b, 'primary'), 'unknown primary officer')
      checkBadge(backup, at('beats', b, 'backup'), 'unknown backup officer')
      if (backup !== undefined && backup === primary) {
        problems.push({
          path: at('beats', b, 'backup'),
          message: `is the same officer as primary ("${backup}"); expected a different officer, or no backup`,
        })
      }
      for (const [c, compound] of entries(beat, 'compounds')) {
        const path = at('beats', b, 'compounds', c)
        const name = scalar(compound, 'name')
        compoundNames.add(name, [...path, 'name'])
        if (name !== undefined && !compoundAt.has(name)) compoundAt.set(name, path)
        const list = compound.aliases
        if (Array.isArray(list)) {
          list.forEach((alias, a) => {
            if (typeof alias === 'string') aliases.push([alias, [...path, 'aliases', a]])
          })
        }
      }
    }
    for (const [alias, path] of aliases) {
      const other = compoundAt.get(alias)
      if (other && other.join('.') !== path.slice(0, -2).join('.')) {
        problems.push({
          path,
          message: `alias "${alias}" is the name of another compound; expected an alias that names only this compound`,
          seeAlso: [...other, 'name'],
        })
      }
    }

    const ownAccounts = entries(station, 'accounts').flatMap(([, a]) => scalar(a, 'id') ?? [])
    for (const [o, officer] of entries(station, 'officers')) {
      const account = isRecord(officer.wechat) ? scalar(officer.wechat, 'account') : undefined
      if (account !== undefined && !ownAccounts.includes(account)) {
        problems.push({
          path: at('officers', o, 'wechat', 'account'),
          message: `no bot account "${account}" in station ${code}; expected one of: ${ownAccounts.join(', ') || 'none listed'}`,
        })
      }
    }

    for (const [a, account] of entries(station, 'accounts')) {
      accountIds.add(scalar(account, 'id'), at('accounts', a, 'id'))
      const owner = scalar(account, 'owner')
      if (owner !== undefined && owner !== 'station')
        checkBadge(owner, at('accounts', a, 'owner'), 'unknown owner')
      if (account.puppet === 'service' && account.tokenEnv === undefined) {
        problems.push({
          path: at('accounts', a),
          message:
            'puppet service needs a token; expected tokenEnv: the name of the environment variable holding it',
        })
      }
    }
  }
  return problems
}

/** Two exceptions of one officer may not cover the same time: which one applies would be a guess. */
function checkExceptionOverlap(problems: RawProblem[], officer: Record<string, unknown>, at: PathSegment[]) {
  const seen: Array<{ start: number; end: number; index: number }> = []
  for (const [e, exception] of entries(officer, 'exceptions')) {
    const start = wallTime(exception.from, 'start')
    const end = wallTime(exception.to, 'end')
    if (start === null || end === null || end <= start) continue
    const other = seen.find((s) => s.start < end && start < s.end)
    if (other) {
      problems.push({
        path: [...at, e],
        message: `overlaps exception ${other.index + 1} of this officer; expected exceptions that do not share any time`,
        seeAlso: [...at, other.index],
      })
    }
    seen.push({ start, end, index: e })
  }
}

function formatPath(path: readonly PathSegment[]): string {
  if (path.length === 0) return '(file)'
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('')
}

interface Located {
  /** The node at the path, or the deepest existing one on the way. */
  node: Node | null
  /** The key of the pair whose value is `node`, when there is one. */
  key: Node | null
  found: boolean
}

function locate(doc: ReturnType<typeof parseDocument>, path: readonly PathSegment[]): Located {
  let node: Node | null = doc.contents
  let key: Node | null = null
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) ?? null
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value === seg : p.key === seg))
      if (!isPair(pair)) return { node, key, found: false }
      const keyNode = isScalar(pair.key) ? pair.key : null
      const value = (pair.value as Node | null) ?? null
      if (!value) return { node: keyNode, key: null, found: true }
      node = value
      key = keyNode
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined
      if (!item) return { node, key, found: false }
      node = item
      key = null
    } else {
      return { node, key, found: false }
    }
  }
  return { node, key, found: true }
}

/**
 * Parses and validates a station file.
 *
 * @param text the YAML source
 * @param fileName used in messages only
 * @throws StationFileError listing every problem found, each with its line and column
 */
export function parseStationFile(text: string, fileName: string): StationFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const position = (offset: number): { line: number; col: number } => {
    const pos = lineCounter.linePos(offset)
    return pos.line === 0 ? { line: 1, col: offset + 1 } : pos
  }

  if (doc.errors.length > 0) {
    throw new StationFileError(
      fileName,
      doc.errors.map((e) => ({ ...position(e.pos[0]), path: 'YAML syntax', message: e.message })),
    )
  }

  const nodeOffset = (path: readonly PathSegment[], atKey: boolean): number => {
    const at = locate(doc, path)
    // A missing field is reported at the key that opens its map, which is where a reader looks for it.
    const target = atKey || !at.found ? (at.key ?? at.node) : at.node
    return target?.range?.[0] ?? 0
  }
  const problem = (path: readonly PathSegment[], message: string, atKey = false): StationFileProblem => ({
    ...position(nodeOffset(path, atKey)),
    path: formatPath(path),
    message,
  })

  let data: unknown
  try {
    data = doc.toJS({ maxAliasCount: 1000 })
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    throw new StationFileError(fileName, [{ line: 1, col: 1, path: 'YAML syntax', message }])
  }

  const problems: StationFileProblem[] = []
  const result = stationFileSchema.safeParse(data, { error: fallbackMessage })
  for (const issue of result.success ? [] : result.error.issues) {
    const path = issue.path.filter((seg): seg is PathSegment => typeof seg !== 'symbol')
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push(problem([...path, key], `unknown field "${key}"; ${issue.message}`, true))
      }
    } else if (path.length === 0 && issue.code === 'invalid_type') {
      problems.push(problem(path, `got ${describe(data)}; expected a map with a stations: list`))
    } else {
      problems.push(problem(path, issue.message))
    }
  }
  for (const raw of crossCheck(data)) {
    const seeAlso = raw.seeAlso ? ` (see line ${position(nodeOffset(raw.seeAlso, false)).line})` : ''
    problems.push(problem(raw.path, raw.message + seeAlso))
  }

  if (problems.length > 0 || !result.success) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col)
    throw new StationFileError(fileName, problems)
  }
  return result.data
}

/** Reads a station file from disk and parses it; see {@link parseStationFile}. */
export async function readStationFile(path: string): Promise<StationFile> {
  return parseStationFile(await readFile(path, 'utf8'), path)
}
