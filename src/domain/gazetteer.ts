import type { Compound, StreetRange } from './types.ts'

/** Which kind of gazetteer term matched. */
export type GazetteerHow = 'name' | 'alias' | 'pinyin' | 'street' | 'fuzzy'

/** The compound (and so the beat) a resident's text points at. */
export interface GazetteerMatch {
  compoundId: string
  beatId: string
  how: GazetteerHow
  /** The gazetteer term that matched (name, alias, pinyin spelling or street as listed), never the resident's text. */
  matched: string
  /** The house number read next to a street name, when there was one. */
  number?: number
}

/** Finds the compound a free-text message refers to. Built once, used for every inbound message. */
export interface Gazetteer {
  /** The best match, or null when nothing matches or two compounds fit equally well. */
  match(text: string): GazetteerMatch | null
}

interface Place {
  compoundId: string
  beatId: string
}

interface NameTerm {
  place: Place
  how: 'name' | 'alias' | 'pinyin'
  label: string
}

interface StreetEntry {
  place: Place
  range: StreetRange
}

interface StreetTerm {
  label: string
  entries: StreetEntry[]
}

/** Everything one normalized key stands for: names of compounds, a street, or both. */
interface Key {
  key: string
  names: NameTerm[]
  street?: StreetTerm
}

/**
 * Ranking, strongest first: an exact name, alias, pinyin or a street number
 * inside a listed range; a street alone; a near miss.
 */
const TIER_EXACT = 3
const TIER_STREET = 2
const TIER_FUZZY = 1

interface Candidate {
  place: Place
  tier: number
  /** Length of the matched term; a Chinese character counts as three latin letters. */
  weight: number
  how: GazetteerHow
  label: string
  number?: number
  /** Span in the scanned form of the text, tagged by pass, to tell separate evidence apart. */
  span: string
  start: number
  end: number
}

const HAN = /\p{Script=Han}/u
const HAS_LATIN = /[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A\u00C0-\u024F]/
const COMBINING_MARKS = /\p{M}/gu
const CJK_WEIGHT = 3

/** Generic words a compound name ends with; what is left is the distinctive part residents type. */
const CJK_SUFFIXES = [
  '居委会',
  '村委会',
  '小区',
  '社区',
  '新村',
  '花园',
  '家园',
  '公寓',
  '大厦',
  '大楼',
  '公馆',
  '庄园',
  '村',
  '苑',
]

const LATIN_SUFFIXES = [
  'apartments',
  'community',
  'residence',
  'apartment',
  'compound',
  'gardens',
  'village',
  'jiayuan',
  'huayuan',
  'garden',
  'estate',
  'xiaoqu',
  'xincun',
  'gongyu',
  'shequ',
  'dasha',
  'yuan',
  'cun',
]

/** English and pinyin words for the same kind of street, so "Liuying Lane" also matches "Liuying Xiang". */
const STREET_WORDS = [
  ['lane', 'ln', 'xiang', 'alley'],
  ['road', 'rd', 'lu'],
  ['street', 'st', 'jie'],
  ['avenue', 'ave', 'dadao'],
]

/** Characters that make a place a different kind of place; a typo is never one of these. */
const TYPE_CHARS = new Set('路街巷弄道村区苑园镇乡里坊号幢栋楼')

/** What may follow a three-character name with a typo, for the typo to be believed. */
const ADDRESS_MARKERS = new Set('0123456789幢栋号单元弄楼')

const CN_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}
const CN_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 }

function cjkForm(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '')
}

function latinForm(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase()
}

function latinKey(text: string): string {
  return latinForm(text).replace(/[^a-z]/g, '')
}

function stripCjkSuffixes(key: string): string {
  let core = key
  for (let changed = true; changed; ) {
    changed = false
    for (const suffix of CJK_SUFFIXES) {
      if (core.length > suffix.length && core.endsWith(suffix)) {
        core = core.slice(0, -suffix.length)
        changed = true
        break
      }
    }
  }
  return core
}

function stripLatinSuffix(key: string): string {
  for (const suffix of LATIN_SUFFIXES) {
    if (key.length > suffix.length && key.endsWith(suffix)) return key.slice(0, -suffix.length)
  }
  return key
}

function latinStreetKeys(street: string): string[] {
  const words = latinForm(street)
    .split(/[^a-z]+/)
    .filter((w) => w !== '')
  const last = words.at(-1)
  const stem = words.slice(0, -1).join('')
  const group = STREET_WORDS.find((g) => last !== undefined && g.includes(last))
  if (group === undefined || stem.length < 3) return [words.join('')]
  return group.map((word) => stem + word)
}

/** Edits a near miss may have: none for short pinyin, where one letter makes another real name. */
function latinEditsAllowed(length: number): number {
  if (length < 6) return 0
  return length <= 10 ? 1 : 2
}

const rowA = new Int32Array(64)
const rowB = new Int32Array(64)

/** Whether two strings are within `max` single-character edits (Levenshtein), stopping early when not. */
function withinEdits(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false
  if (b.length >= rowA.length) return false
  let prev = rowA
  let cur = rowB
  for (let j = 0; j <= b.length; j++) prev[j] = j
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i
    let rowMin = i
    const ca = a.charCodeAt(i - 1)
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1
      const value = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
      cur[j] = value
      if (value < rowMin) rowMin = value
    }
    if (rowMin > max) return false
    const swap = prev
    prev = cur
    cur = swap
  }
  return (prev[b.length] ?? max + 1) <= max
}

function parseChineseNumber(text: string): number | undefined {
  let total = 0
  let digit = 0
  let sawUnit = false
  for (const ch of text) {
    const unit = CN_UNITS[ch]
    if (unit !== undefined) {
      total += (digit === 0 ? 1 : digit) * unit
      digit = 0
      sawUnit = true
      continue
    }
    const d = CN_DIGITS[ch]
    if (d === undefined) return undefined
    // Without units the numerals are read digit by digit: 一零八 is 108.
    digit = sawUnit ? d : digit * 10 + d
  }
  return total + digit
}

/** The house number right after a Chinese street name: "12号", "第12号", "十二号". */
function numberAfterCjk(text: string, at: number): number | undefined {
  let i = at
  if (text[i] === '第') i++
  let j = i
  while (j < text.length && j - i < 5 && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++
  if (j > i) return Number(text.slice(i, j))
  let k = i
  while (k < text.length && (CN_DIGITS[text[k] ?? ''] !== undefined || CN_UNITS[text[k] ?? ''] !== undefined))
    k++
  // Chinese numerals only count with 号 after them, or "柳营巷一带" would read as number 1.
  if (k > i && text[k] === '号') return parseChineseNumber(text.slice(i, k))
  return undefined
}

function inRange(range: StreetRange, n: number): boolean {
  if (range.from !== undefined && n < range.from) return false
  if (range.to !== undefined && n > range.to) return false
  if (range.parity === 'odd' && n % 2 === 0) return false
  if (range.parity === 'even' && n % 2 === 1) return false
  return true
}

function hasBounds(range: StreetRange): boolean {
  return range.from !== undefined || range.to !== undefined || range.parity !== undefined
}

function uniquePlaces(entries: StreetEntry[]): Place[] {
  const seen = new Map<string, Place>()
  for (const { place } of entries) seen.set(place.compoundId, place)
  return [...seen.values()]
}

/**
 * The compounds a street and house number point at. A number inside a
 * listed range is decisive; a number on a street listed without a range
 * matches it too; otherwise the street alone says what it can.
 */
function resolveStreet(street: StreetTerm, n: number | undefined): { places: Place[]; exact: boolean } {
  if (n !== undefined) {
    const bounded = street.entries.filter((e) => hasBounds(e.range) && inRange(e.range, n))
    if (bounded.length > 0) return { places: uniquePlaces(bounded), exact: true }
    const open = street.entries.filter((e) => !hasBounds(e.range))
    if (open.length > 0) return { places: uniquePlaces(open), exact: true }
  }
  return { places: uniquePlaces(street.entries), exact: false }
}

/** A Map from normalized key to Key, with the keys also listed by first character, longest first. */
class KeyTable {
  readonly keys = new Map<string, Key>()
  private byFirst: Map<string, Key[]> | undefined

  get(key: string): Key {
    let entry = this.keys.get(key)
    if (entry === undefined) {
      entry = { key, names: [] }
      this.keys.set(key, entry)
    }
    return entry
  }

  addName(key: string, term: NameTerm): void {
    const entry = this.get(key)
    if (!entry.names.some((n) => n.place.compoundId === term.place.compoundId)) entry.names.push(term)
  }

  addStreet(key: string, label: string, street: StreetEntry): void {
    const entry = this.get(key)
    entry.street ??= { label, entries: [] }
    entry.street.entries.push(street)
  }

  startingWith(ch: string): Key[] | undefined {
    if (this.byFirst === undefined) {
      this.byFirst = new Map()
      const sorted = [...this.keys.values()].sort((a, b) => b.key.length - a.key.length)
      for (const entry of sorted) {
        const first = entry.key[0] ?? ''
        const list = this.byFirst.get(first)
        if (list === undefined) this.byFirst.set(first, [entry])
        else list.push(entry)
      }
    }
    return this.byFirst.get(ch)
  }
}

/** A resident's text reduced to its latin letters, remembering word edges and where each letter was. */
interface LatinText {
  form: string
  letters: string
  at: number[]
  wordStart: Uint8Array
  wordEnd: Uint8Array
}

function readLatin(text: string): LatinText {
  const form = latinForm(text)
  let letters = ''
  const at: number[] = []
  const starts: number[] = []
  const ends: number[] = []
  let inWord = false
  for (let i = 0; i < form.length; i++) {
    const c = form.charCodeAt(i)
    const isLetter = c >= 97 && c <= 122
    if (isLetter) {
      if (!inWord) starts.push(letters.length)
      letters += form[i]
      at.push(i)
    } else if (inWord) {
      ends.push(letters.length - 1)
    }
    inWord = isLetter
  }
  if (inWord) ends.push(letters.length - 1)
  const wordStart = new Uint8Array(letters.length)
  const wordEnd = new Uint8Array(letters.length)
  for (const s of starts) wordStart[s] = 1
  for (const e of ends) wordEnd[e] = 1
  return { form, letters, at, wordStart, wordEnd }
}

/** The house number written before ("No. 12 Liuying Lane") or after ("Liuying Lane 12") a latin street name. */
function numberAroundLatin(latin: LatinText, start: number, end: number): number | undefined {
  const from = latin.at[start] ?? 0
  const to = (latin.at[end - 1] ?? 0) + 1
  const before = /(?:^|[^\d])(\d{1,5})[\s,]*$/.exec(latin.form.slice(Math.max(0, from - 16), from))
  if (before?.[1] !== undefined) return Number(before[1])
  const after = /^[\s,.]*(?:no\.?\s*|#\s*)?(\d{1,5})(?!\d)/.exec(latin.form.slice(to, to + 16))
  if (after?.[1] !== undefined) return Number(after[1])
  return undefined
}

const WILDCARD = '\u0000'

/** Names and streets with one character off, indexed so the text is never compared against every key. */
class CjkFuzzyIndex {
  readonly keys = new Map<string, Key>()
  /** Key with one character replaced by a wildcard → keys: a wrong character in the text. */
  private readonly substituted = new Map<string, Key[]>()
  /** Key with one character removed → keys: a character missing from the text. */
  private readonly shortened = new Map<string, Key[]>()
  private readonly lengths = new Set<number>()
  /** Characters at the first two positions of any key: a window not touching one cannot match. */
  private readonly leading = new Set<string>()

  add(key: string, term: { name?: NameTerm; street?: { label: string; entry: StreetEntry } }): void {
    if (key.length < 3) return
    let entry = this.keys.get(key)
    if (entry === undefined) {
      entry = { key, names: [] }
      this.keys.set(key, entry)
    }
    if (
      term.name !== undefined &&
      !entry.names.some((n) => n.place.compoundId === term.name?.place.compoundId)
    ) {
      entry.names.push(term.name)
    }
    if (term.street !== undefined) {
      entry.street ??= { label: term.street.label, entries: [] }
      entry.street.entries.push(term.street.entry)
    }
  }

  seal(): void {
    for (const entry of this.keys.values()) {
      const { key } = entry
      this.lengths.add(key.length)
      this.leading.add(key[0] ?? '')
      this.leading.add(key[1] ?? '')
      for (let p = 0; p < key.length; p++) {
        push(this.substituted, key.slice(0, p) + WILDCARD + key.slice(p + 1), entry)
        // Dropping a character from a three-character name leaves too little to recognise.
        if (key.length >= 4) push(this.shortened, key.slice(0, p) + key.slice(p + 1), entry)
      }
    }
  }

  /** Calls `found` for every window of `text` that is one edit away from a key. */
  scan(
    text: string,
    found: (fuzzy: Key, start: number, end: number, typo: string | undefined) => void,
  ): void {
    for (let i = 0; i < text.length; i++) {
      if (!this.leading.has(text[i] ?? '') && !this.leading.has(text[i + 1] ?? '')) continue
      for (const n of this.lengths) {
        if (i + n <= text.length) {
          const window = text.slice(i, i + n)
          for (let p = 0; p < n; p++) {
            const keys = this.substituted.get(window.slice(0, p) + WILDCARD + window.slice(p + 1))
            for (const entry of keys ?? []) {
              if (window[p] !== entry.key[p]) found(entry, i, i + n, window[p])
            }
          }
        }
        if (n >= 4 && i + n - 1 <= text.length) {
          for (const entry of this.shortened.get(text.slice(i, i + n - 1)) ?? []) {
            found(entry, i, i + n - 1, undefined)
          }
        }
        if (i + n + 1 <= text.length) {
          const window = text.slice(i, i + n + 1)
          // An extra character at either edge is just a neighbouring character, not a typo.
          for (let p = 1; p < n; p++) {
            const entry = this.keys.get(window.slice(0, p) + window.slice(p + 1))
            if (entry !== undefined) found(entry, i, i + n + 1, window[p])
          }
        }
      }
    }
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else list.push(value)
}

function followedByAddress(text: string, at: number): boolean {
  if (ADDRESS_MARKERS.has(text[at] ?? '')) return true
  return CJK_SUFFIXES.some((suffix) => text.startsWith(suffix, at))
}

function dropContained(candidates: Candidate[]): Candidate[] {
  if (candidates.length < 2) return candidates
  return candidates.filter(
    (a) => !candidates.some((b) => b.end - b.start > a.end - a.start && b.start <= a.start && a.end <= b.end),
  )
}

function compareRank(a: [number, number, number], b: [number, number, number]): number {
  return b[0] - a[0] || b[1] - a[1] || b[2] - a[2]
}

/**
 * Picks the compound with the strongest evidence: best tier, then longest
 * term, then most separate mentions. Two compounds level on all three are a
 * tie, and a tie is no answer: asking the resident beats routing wrongly.
 */
function decide(candidates: Candidate[]): GazetteerMatch | null {
  if (candidates.length === 0) return null
  const byCompound = new Map<string, { best: Candidate; spans: Set<string> }>()
  for (const c of candidates) {
    const entry = byCompound.get(c.place.compoundId)
    if (entry === undefined) {
      byCompound.set(c.place.compoundId, { best: c, spans: new Set([c.span]) })
      continue
    }
    entry.spans.add(c.span)
    if (c.tier > entry.best.tier || (c.tier === entry.best.tier && c.weight > entry.best.weight))
      entry.best = c
  }
  const ranked = [...byCompound.values()]
    .map((e) => ({
      best: e.best,
      rank: [e.best.tier, e.best.weight, e.spans.size] as [number, number, number],
    }))
    .sort((a, b) => compareRank(a.rank, b.rank))
  const [first, second] = ranked
  if (first === undefined) return null
  if (second !== undefined && compareRank(first.rank, second.rank) === 0) return null
  const { best } = first
  const result: GazetteerMatch = {
    compoundId: best.place.compoundId,
    beatId: best.place.beatId,
    how: best.how,
    matched: best.label,
  }
  if (best.number !== undefined) result.number = best.number
  return result
}

interface Emit {
  names: NameTerm[]
  street: StreetTerm | undefined
  number: number | undefined
  /** Forces tier and kind for near misses. */
  fuzzy: boolean
  pass: string
  start: number
  end: number
  weight: number
}

function emit(out: Candidate[], e: Emit): void {
  const span = `${e.pass}:${e.start}:${e.end}`
  for (const term of e.names) {
    out.push({
      place: term.place,
      tier: e.fuzzy ? TIER_FUZZY : TIER_EXACT,
      weight: e.weight,
      how: e.fuzzy ? 'fuzzy' : term.how,
      label: term.label,
      span,
      start: e.start,
      end: e.end,
    })
  }
  if (e.street === undefined) return
  const { places, exact } = resolveStreet(e.street, e.number)
  for (const place of places) {
    const candidate: Candidate = {
      place,
      tier: e.fuzzy ? TIER_FUZZY : exact ? TIER_EXACT : TIER_STREET,
      weight: e.weight + (exact ? 1 : 0),
      how: e.fuzzy ? 'fuzzy' : 'street',
      label: e.street.label,
      span,
      start: e.start,
      end: e.end,
    }
    if (e.number !== undefined) candidate.number = e.number
    out.push(candidate)
  }
}

/**
 * Builds the matcher for a station's compounds. All normalization and the
 * typo indexes are prepared here, so `match` costs a few microseconds.
 *
 * Matching covers: names and aliases anywhere in the text, also without
 * their generic ending (长寿桥 for 长寿桥小区); pinyin in latin letters with
 * any spacing and case, on word edges; a street with a house number checked
 * against the listed ranges and parity; and, when nothing matches exactly,
 * one wrong, missing or extra character in a Chinese name (the distinctive
 * part of it; three-character ones need 小区, 号 or the like after them) or
 * one or two wrong letters in a long pinyin spelling.
 */
export function buildGazetteer(compounds: Compound[]): Gazetteer {
  const cjk = new KeyTable()
  const latin = new KeyTable()
  const fuzzyCjk = new CjkFuzzyIndex()
  const derivedCjk: [string, NameTerm][] = []
  const derivedLatin: [string, NameTerm][] = []

  for (const compound of compounds) {
    const place: Place = { compoundId: compound.id, beatId: compound.beatId }
    const terms: NameTerm[] = [
      { place, how: 'name', label: compound.name },
      ...compound.aliases.map((label): NameTerm => ({ place, how: 'alias', label })),
      ...compound.pinyin.map((label): NameTerm => ({ place, how: 'pinyin', label })),
    ]
    for (const term of terms) {
      if (term.how !== 'pinyin' && HAN.test(term.label)) {
        const key = cjkForm(term.label)
        cjk.addName(key, term)
        const core = stripCjkSuffixes(key)
        if (core !== key && core.length >= 3) derivedCjk.push([core, { place, how: 'alias', label: core }])
        fuzzyCjk.add(core, { name: term })
        if (core !== key) fuzzyCjk.add(key, { name: term })
      } else {
        const key = latinKey(term.label)
        if (key.length < 4) continue
        latin.addName(key, term)
        const core = stripLatinSuffix(key)
        if (core !== key && core.length >= 6)
          derivedLatin.push([core, { place, how: term.how, label: term.label }])
      }
    }
    for (const range of compound.streets) {
      const entry: StreetEntry = { place, range }
      if (HAN.test(range.street)) {
        const key = cjkForm(range.street)
        cjk.addStreet(key, range.street, entry)
        fuzzyCjk.add(key, { street: { label: range.street, entry } })
      } else {
        for (const key of latinStreetKeys(range.street)) {
          if (key.length >= 4) latin.addStreet(key, range.street, entry)
        }
      }
    }
  }
  // A shortened name never overrides a term some compound lists explicitly.
  const explicitCjk = new Set(cjk.keys.keys())
  for (const [core, term] of derivedCjk) if (!explicitCjk.has(core)) cjk.addName(core, term)
  const explicitLatin = new Set(latin.keys.keys())
  for (const [core, term] of derivedLatin) if (!explicitLatin.has(core)) latin.addName(core, term)
  fuzzyCjk.seal()

  const latinKeys = [...latin.keys.values()]
  const fuzzyLatin = new Map<string, Key[]>()
  for (const entry of latinKeys) {
    if (latinEditsAllowed(entry.key.length) > 0) push(fuzzyLatin, entry.key[0] ?? '', entry)
  }
  const longestLatin = latinKeys.reduce((max, k) => Math.max(max, k.key.length), 0)

  function scanCjk(text: string, out: Candidate[]): void {
    for (let i = 0; i < text.length; i++) {
      const keys = cjk.startingWith(text[i] ?? '')
      if (keys === undefined) continue
      for (const entry of keys) {
        if (!text.startsWith(entry.key, i)) continue
        const end = i + entry.key.length
        const number = entry.street === undefined ? undefined : numberAfterCjk(text, end)
        const weight = entry.key.length * CJK_WEIGHT
        emit(out, {
          names: entry.names,
          street: entry.street,
          number,
          fuzzy: false,
          pass: 'c',
          start: i,
          end,
          weight,
        })
        // Shorter keys starting here lie inside this one and would be dropped anyway.
        break
      }
    }
  }

  function latinWordEndsAt(text: LatinText, end: number): boolean {
    if (text.wordEnd[end - 1] === 1) return true
    return LATIN_SUFFIXES.some(
      (suffix) => text.letters.startsWith(suffix, end) && text.wordEnd[end + suffix.length - 1] === 1,
    )
  }

  function scanLatin(text: LatinText, out: Candidate[]): void {
    const { letters } = text
    for (let i = 0; i < letters.length; i++) {
      if (text.wordStart[i] !== 1) continue
      const keys = latin.startingWith(letters[i] ?? '')
      if (keys === undefined) continue
      for (const entry of keys) {
        const end = i + entry.key.length
        if (!letters.startsWith(entry.key, i) || !latinWordEndsAt(text, end)) continue
        const number = entry.street === undefined ? undefined : numberAroundLatin(text, i, end)
        emit(out, {
          names: entry.names,
          street: entry.street,
          number,
          fuzzy: false,
          pass: 'l',
          start: i,
          end,
          weight: entry.key.length,
        })
        break
      }
    }
  }

  function scanCjkFuzzy(text: string, out: Candidate[]): void {
    fuzzyCjk.scan(text, (fuzzy, start, end, typo) => {
      if (typo !== undefined && TYPE_CHARS.has(typo)) return
      const number = fuzzy.street === undefined ? undefined : numberAfterCjk(text, end)
      let names = fuzzy.names
      // A street with a character dropped is too often another street ("长寿桥路" → "长寿路"),
      // and a misspelt street is only believed with a house number after it.
      const street = typo === undefined || number === undefined ? undefined : fuzzy.street
      if (fuzzy.key.length === 3 && !followedByAddress(text, end)) names = []
      emit(out, {
        names,
        street,
        number,
        fuzzy: true,
        pass: 'c',
        start,
        end,
        weight: fuzzy.key.length * CJK_WEIGHT,
      })
    })
  }

  function scanLatinFuzzy(text: LatinText, out: Candidate[]): void {
    const { letters } = text
    for (let i = 0; i < letters.length; i++) {
      if (text.wordStart[i] !== 1) continue
      const keys = fuzzyLatin.get(letters[i] ?? '')
      if (keys === undefined) continue
      let words = 0
      for (let e = i; e < letters.length && e - i < longestLatin + 2 && words < 6; e++) {
        if (text.wordEnd[e] !== 1) continue
        words++
        const span = letters.slice(i, e + 1)
        for (const entry of keys) {
          const allowed = latinEditsAllowed(entry.key.length)
          if (span === entry.key || !withinEdits(span, entry.key, allowed)) continue
          const number = entry.street === undefined ? undefined : numberAroundLatin(text, i, e + 1)
          emit(out, {
            names: entry.names,
            street: entry.street,
            number,
            fuzzy: true,
            pass: 'l',
            start: i,
            end: e + 1,
            weight: entry.key.length,
          })
        }
      }
    }
  }

  return {
    match(text: string): GazetteerMatch | null {
      const compact = cjkForm(text)
      const cjkFound: Candidate[] = []
      const latinFound: Candidate[] = []
      scanCjk(compact, cjkFound)
      const latinText = HAS_LATIN.test(text) ? readLatin(text) : undefined
      if (latinText !== undefined) scanLatin(latinText, latinFound)
      const exact = decide([...dropContained(cjkFound), ...dropContained(latinFound)])
      if (exact !== null) return exact

      const before = cjkFound.length + latinFound.length
      scanCjkFuzzy(compact, cjkFound)
      if (latinText !== undefined) scanLatinFuzzy(latinText, latinFound)
      if (cjkFound.length + latinFound.length === before) return null
      return decide([...dropContained(cjkFound), ...dropContained(latinFound)])
    },
  }
}
