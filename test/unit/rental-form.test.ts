import { describe, expect, it } from 'vitest'
import {
  continueForm,
  type FormState,
  MAX_FAILURES,
  type StepOutcome,
  startForm,
} from '../../src/domain/forms/engine.ts'
import { type FormContext, readSubmission } from '../../src/domain/forms/form.ts'
import { parseIdDocument, RentalSchema, rentalForm } from '../../src/domain/forms/rental-form.ts'
import { rentalRequestNote } from '../../src/domain/forms/rental-texts.ts'

const TZ = 'Asia/Shanghai'
/** Wednesday 25 November 2026, 10:00 in Hangzhou. */
const NOW = new Date('2026-11-25T02:00:00Z')
const ID = '330102199001011234'
const ID_X = '11010519491231002X'

/** The gazetteer of one station: what the directory's matchAddress would find. */
const places = {
  findCompound(stationId: string, text: string) {
    if (stationId !== 'cq') return null
    return text.includes('长寿桥') ? { id: 'c-csq', name: '长寿桥小区' } : null
  },
}

const ctx = (language: 'zh' | 'en' = 'zh'): FormContext => ({
  now: NOW,
  timeZone: TZ,
  language,
  prefill: { places },
  stationId: 'cq',
})

/** Runs answers through the form, one message each, and answers the last outcome. */
function fill(texts: string[], language: 'zh' | 'en' = 'zh') {
  let outcome: StepOutcome = startForm(rentalForm, ctx(language))
  const replies: string[] = [...outcome.replies]
  for (const text of texts) {
    if (outcome.kind !== 'asked') throw new Error(`the form ended before "${text}"`)
    outcome = continueForm(rentalForm, outcome.state, text, ctx(language))
    replies.push(...outcome.replies)
  }
  return { outcome, replies, last: replies.at(-1) ?? '' }
}

const UP_TO_ID = ['长寿桥', '3幢', '2单元501', '张伟', '13912345678', '11月20日', '2027年11月19日']

describe('tenant document numbers', () => {
  it('reads an 18-digit mainland ID with its check character, X upper-cased', () => {
    expect(parseIdDocument(ID, NOW, TZ)).toEqual({ ok: true, value: { kind: 'mainland', number: ID } })
    expect(parseIdDocument('身份证 11010519491231002x', NOW, TZ)).toEqual({
      ok: true,
      value: { kind: 'mainland', number: ID_X },
    })
  })

  it('says what is wrong with a mainland number instead of guessing', () => {
    const problem = (text: string) => {
      const read = parseIdDocument(text, NOW, TZ)
      return read.ok ? null : read.problem.code
    }
    expect(problem('330102199001011235')).toBe('id-checksum')
    expect(problem('330102199013011234')).toBe('id-birthdate')
    expect(problem('123456789')).toBe('id-length')
    expect(problem('330102900101123')).toBe('id-old-format')
    expect(problem('三三零一')).toBe('id-document-unreadable')
  })

  it('reads a passport by its letters, or by the word before a number of digits only', () => {
    expect(parseIdDocument('E12345678', NOW, TZ)).toEqual({
      ok: true,
      value: { kind: 'passport', number: 'E12345678' },
    })
    expect(parseIdDocument('护照 123456789', NOW, TZ)).toEqual({
      ok: true,
      value: { kind: 'passport', number: '123456789' },
    })
    expect(parseIdDocument('passport: ab12', NOW, TZ)).toMatchObject({
      ok: false,
      problem: { code: 'passport-format' },
    })
  })

  it('the schema holds the check character too, so a web or API submission cannot skip it', () => {
    const answers = {
      compound: { id: 'c-csq', name: '长寿桥小区' },
      building: '3幢',
      unit: '2单元501',
      tenantName: '张伟',
      phone: '13912345678',
      moveIn: '2026-11-20',
      leaseEnd: '2027-11-19',
      nationality: null,
    }
    expect(RentalSchema.safeParse({ ...answers, idNumber: { kind: 'mainland', number: ID } }).success).toBe(
      true,
    )
    expect(
      RentalSchema.safeParse({ ...answers, idNumber: { kind: 'mainland', number: '330102199001011235' } })
        .success,
    ).toBe(false)
    // A passport needs its nationality; an ID card has none.
    expect(
      RentalSchema.safeParse({ ...answers, idNumber: { kind: 'passport', number: 'E12345678' } }).success,
    ).toBe(false)
  })
})

describe('rental registration by chat', () => {
  it('asks field by field and shows the ID masked in the summary, without a nationality line', () => {
    const { outcome, replies, last } = fill([...UP_TO_ID, ID])
    expect(replies[0]).toContain('（1/9）出租屋在哪个小区')
    expect(outcome.kind).toBe('asked')
    expect(last).toContain('请核对您的「出租登记」')
    expect(last).toContain('1 小区：长寿桥小区')
    expect(last).toContain('8 证件号码：3301**********1234')
    expect(last).not.toContain(ID)
    expect(last).not.toContain('9 ')
    const done = continueForm(rentalForm, (outcome as { state: FormState }).state, '确认', ctx())
    expect(done.kind).toBe('completed')
    expect(done.kind === 'completed' && done.answers).toMatchObject({
      compound: { id: 'c-csq', name: '长寿桥小区' },
      idNumber: { kind: 'mainland', number: ID },
      nationality: null,
    })
  })

  it('re-asks a compound the station does not know, naming what was given', () => {
    const { last } = fill(['火星小区'])
    expect(last).toContain('在本派出所辖区没有找到“火星小区”')
    expect(last).toContain('（1/9）')
  })

  it('re-asks a lease end before moving in, and a check character that does not match', () => {
    expect(fill([...UP_TO_ID.slice(0, 6), '11月1日']).last).toContain(
      '租约到期日要晚于入住日期（11月20日（周五））',
    )
    expect(fill([...UP_TO_ID, '330102199001011235']).last).toContain('校验位')
    expect(fill([...UP_TO_ID, '123456789']).last).toContain('如果是护照号码，请在号码前加“护照”')
  })

  it('asks the nationality for a passport only, and drops it when the document becomes an ID card', () => {
    const passport = fill([...UP_TO_ID, 'E12345678'])
    expect(passport.last).toContain('（9/9）租客的国籍是？')
    const summary = fill([...UP_TO_ID, 'E12345678', '美国'])
    expect(summary.last).toContain('8 证件号码：E1*****78')
    expect(summary.last).toContain('9 国籍（持护照时）：美国')
    const edited = fill([...UP_TO_ID, 'E12345678', '美国', '修改 8', ID])
    expect(edited.last).toContain('8 证件号码：3301**********1234')
    expect(edited.last).not.toContain('国籍')
    expect(fill([...UP_TO_ID, ID, '修改 9']).last).toContain('请回复“确认”提交')
  })

  it('an ID card turned passport from the summary asks the nationality before the summary again', () => {
    const { last } = fill([...UP_TO_ID, ID, '修改 8', 'E12345678'])
    expect(last).toContain('租客的国籍是？')
    const { outcome } = fill([...UP_TO_ID, ID, '修改 8', 'E12345678', '英国'])
    expect(outcome.kind === 'asked' && outcome.state.index).toBe(rentalForm.fields.length)
  })

  it('offers a person after three unusable ID numbers', () => {
    const wrong = Array.from({ length: MAX_FAILURES }, () => '330102199001011235')
    const { outcome } = fill([...UP_TO_ID, ...wrong])
    expect(outcome.kind).toBe('handed-off')
  })

  it('a correction opens at the fields named, in order, then the summary; finished, it names the request', () => {
    const first = fill([...UP_TO_ID, ID])
    const answers = (first.outcome as { state: FormState }).state.answers
    const correction: FormState = {
      form: rentalForm.id,
      language: 'zh',
      index: 3,
      answers,
      failures: 0,
      editing: true,
      choosing: false,
      declined: [],
      rev: 1,
      updatedAt: NOW.toISOString(),
      redo: [7],
      amends: 'request-1',
    }
    const named = continueForm(rentalForm, correction, '张维', ctx())
    expect(named.replies[0]).toContain('（8/9）租客的18位身份证号码')
    const summary = continueForm(rentalForm, (named as { state: FormState }).state, ID_X, ctx())
    expect(summary.replies[0]).toContain('4 租客姓名：张维')
    expect(summary.replies[0]).toContain('8 证件号码：1101**********002X')
    const done = continueForm(rentalForm, (summary as { state: FormState }).state, '确认', ctx())
    expect(done.kind).toBe('completed')
  })
})

describe('rental registration on the web form', () => {
  const base = {
    compound: '长寿桥小区',
    building: '3幢',
    unit: '2单元501',
    tenantName: 'John Smith',
    phone: '13912345678',
    moveIn: '2026-11-20',
    leaseEnd: '2027-11-19',
  }

  it('needs the nationality with a passport and ignores it with an ID card', () => {
    const passport = readSubmission(
      rentalForm,
      { ...base, idNumber: 'E12345678', nationality: '' },
      ctx('en'),
    )
    expect(passport.ok).toBe(false)
    expect(!passport.ok && passport.problems.map((p) => p.key)).toEqual(['nationality'])
    const card = readSubmission(rentalForm, { ...base, idNumber: ID, nationality: '美国' }, ctx('en'))
    expect(card.ok && card.answers.nationality).toBeNull()
  })

  it('refuses a compound outside the gazetteer with the field named', () => {
    const read = readSubmission(rentalForm, { ...base, compound: '火星小区', idNumber: ID }, ctx('en'))
    expect(!read.ok && read.problems[0]?.key).toBe('compound')
  })
})

describe("officers' line of the request", () => {
  it('shows the document masked, never in full', () => {
    const line = rentalRequestNote(
      {
        flat: '长寿桥小区 3幢 2单元501',
        tenantName: '张伟',
        phone: '13912345678',
        moveIn: '2026-11-20',
        leaseEnd: '2027-11-19',
        document: { kind: 'mainland', masked: '3301**********1234' },
        nationality: null,
      },
      'zh',
    )
    expect(line).toBe(
      '出租登记：出租屋：长寿桥小区 3幢 2单元501；租客：张伟，身份证 3301**********1234，电话 13912345678；入住：2026-11-20，租约到期：2027-11-19',
    )
  })
})
