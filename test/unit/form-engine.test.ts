import { describe, expect, it } from 'vitest'
import {
  type ActiveHomeWatch,
  type ConversationDeps,
  type ConversationInput,
  type ConversationStep,
  type FormStateStore,
  newFormBatch,
  stepConversation,
} from '../../src/app/forms/conversation.ts'
import { continueForm, type FormState, MAX_FAILURES, startForm } from '../../src/domain/forms/engine.ts'
import { describeForm, type FormContext, readSubmission } from '../../src/domain/forms/form.ts'
import { homeWatchForm } from '../../src/domain/forms/home-watch-form.ts'

const TZ = 'Asia/Shanghai'
/** Monday 9 February 2026, 10:00 in Hangzhou. */
const MONDAY = new Date('2026-02-09T02:00:00Z')
const HOUR = 3_600_000

/** Form state kept in memory the way the Redis store keeps it: conditional writes, a time-to-live. */
function memoryStore(clock: { now: Date }) {
  const rows = new Map<string, { state: FormState; expiresAt: number }>()
  const live = (id: string) => {
    const row = rows.get(id)
    if (row && row.expiresAt <= clock.now.getTime()) rows.delete(id)
    return rows.get(id)
  }
  const store: FormStateStore = {
    async get(id) {
      return live(id)?.state ?? null
    },
    async put(id, state, expectedRev, ttlMs) {
      if ((live(id)?.state.rev ?? null) !== expectedRev) return false
      rows.set(id, { state: structuredClone(state), expiresAt: clock.now.getTime() + ttlMs })
      return true
    },
    async clear(id, expectedRev) {
      if (expectedRev !== undefined && (live(id)?.state.rev ?? null) !== expectedRev) return false
      return rows.delete(id)
    },
  }
  return { store, rows }
}

interface Harness {
  clock: { now: Date }
  deps: ConversationDeps
  rows: Map<string, unknown>
  /** Sends one message, saves its step (as after a commit) and answers it. */
  say(text: string, options?: Partial<ConversationInput>): Promise<ConversationStep | null>
  last: () => string
}

function harness(
  options: { prefill?: string; language?: 'zh' | 'en'; running?: ActiveHomeWatch } = {},
): Harness {
  const clock = { now: MONDAY }
  const { store, rows } = memoryStore(clock)
  let lastReply = ''
  let n = 0
  const deps: ConversationDeps = {
    states: store,
    requests: { activeHomeWatch: async () => options.running ?? null },
    menu: { shown: async () => false },
  }
  return {
    clock,
    deps,
    rows,
    last: () => lastReply,
    async say(text, extra = {}) {
      const step = await stepConversation(deps, {
        residentId: 'r1',
        stationId: 's1',
        timeZone: TZ,
        language: options.language ?? 'zh',
        text,
        now: clock.now,
        messageId: `m${++n}`,
        prefill: options.prefill ? { address: options.prefill } : {},
        ...extra,
      })
      if (step) {
        await step.save()
        lastReply = step.replies.join('\n')
      }
      return step
    },
  }
}

/** Answers every question of the home watch in Chinese, up to the summary. */
async function fillHomeWatch(h: Harness) {
  await h.say('长假照看')
  await h.say('长寿桥小区3幢501')
  await h.say('明天')
  await h.say('下周五')
  await h.say('王芳')
  await h.say('139 1234 5678')
  await h.say('有，邻居有钥匙')
  return h.say('阳台门锁坏了')
}

describe('form conversation: starting', () => {
  it('starts on the keyword alone, with courtesies, and not inside a sentence', async () => {
    const h = harness()
    const step = await h.say('长假照看')
    expect(step?.replies[0]).toContain('长假照看')
    expect(step?.replies[0]).toContain('（1/7）')
    expect(step?.replies[0]).toContain('住址')
    for (const text of ['申请长假照看', '我要申请长假照看，谢谢', 'Home watch', 'holiday home-watch']) {
      const other = harness()
      expect(await other.say(text), text).not.toBeNull()
    }
    for (const text of ['我想问一下长假照看怎么申请', '楼上装修太吵了', '2月20日', '是']) {
      expect(await harness().say(text), text).toBeNull()
    }
  })

  it('offers the address on record for confirmation', async () => {
    const h = harness({ prefill: '长寿桥小区' })
    const step = await h.say('长假照看')
    expect(step?.replies[0]).toContain('「长寿桥小区」')
    await h.say('是')
    expect(h.last()).toContain('（2/7）')
    expect(h.last()).toContain('哪天出发')
  })

  it('asks again without the proposal when the resident says it is wrong', async () => {
    const h = harness({ prefill: '长寿桥小区' })
    await h.say('长假照看')
    await h.say('不是')
    expect(h.last()).toContain('（1/7）')
    expect(h.last()).not.toContain('长寿桥小区')
    await h.say('王马小区5幢202')
    for (const text of ['明天', '下周五', '王芳', '13912345678', '没有']) await h.say(text)
    const done = await h.say('无')
    expect(done?.replies[0]).toContain('1 住址：王马小区5幢202')
  })

  it('starts rental registration, no longer "coming soon", on its keyword', async () => {
    const step = await harness().say('出租登记')
    expect(step?.handOff).toBeUndefined()
    expect(step?.replies[0]).toContain('（1/9）')
    expect(step?.replies[0]).not.toContain('即将开通')
  })

  it('starts from a number only right after the help menu', async () => {
    const h = harness()
    expect(await h.say('6')).toBeNull()
    h.deps.menu = { shown: async () => true }
    const step = await h.say('6')
    expect(step?.replies[0]).toContain('（1/7）')
    expect(await harness().say('7')).toBeNull()
  })
})

describe('form conversation: answers', () => {
  it('fills in the home watch and completes it on 确认 with typed answers', async () => {
    const h = harness()
    const summary = await fillHomeWatch(h)
    const text = summary?.replies[0] ?? ''
    expect(text).toContain('1 住址：长寿桥小区3幢501')
    expect(text).toContain('2 出发日期：2月10日（周二）')
    expect(text).toContain('3 回来日期：2月20日（周五）')
    expect(text).toContain('5 联系人电话：13912345678')
    expect(text).toContain('6 钥匙托管人或摄像头：有')
    expect(text).toContain('7 备注：阳台门锁坏了')
    const done = await h.say('确认')
    expect(done?.replies).toEqual([])
    expect(done?.completed).toEqual({
      form: 'home-watch',
      submissionId: 'm9',
      language: 'zh',
      answers: {
        address: '长寿桥小区3幢501',
        awayFrom: '2026-02-10',
        backOn: '2026-02-20',
        contactName: '王芳',
        contactPhone: '13912345678',
        keyHolderOrCamera: true,
        notes: '阳台门锁坏了',
      },
    })
    expect(h.rows.size).toBe(0)
  })

  it('re-asks with the specific reason: a return before the departure, a past date, a phone that is not one', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    await h.say('2月1日')
    expect(h.last()).toContain('这个日期已经过去了')
    expect(h.last()).toContain('哪天出发')
    await h.say('2月12日')
    await h.say('2月11日')
    expect(h.last()).toContain('回来的日期要晚于出发日期（2月12日（周四））')
    expect(h.last()).toContain('哪天回来')
    await h.say('下下周一')
    await h.say('王芳')
    await h.say('1391234567')
    expect(h.last()).toContain('手机号应为11位数字，您发的是10位')
    await h.say('87654321')
    expect(h.last()).toContain('区号')
    await h.say('0571-87654321')
    expect(h.last()).toContain('（6/7）')
    await h.say('不知道')
    expect(h.last()).toContain('请回复“有”或“没有”')
  })

  it('goes back one question on 上一步, and says so at the first', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('上一步')
    expect(h.last()).toContain('已经是第一项了')
    await h.say('长寿桥小区3幢501')
    await h.say('明天')
    expect(h.last()).toContain('（3/7）')
    await h.say('上一步')
    expect(h.last()).toContain('（2/7）')
    expect(h.last()).toContain('哪天出发')
    await h.say('后天')
    expect(h.last()).toContain('出发日期：2月11日（周三）')
  })

  it('cancels on 取消 and forgets everything', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    const step = await h.say('取消')
    expect(step?.replies[0]).toContain('已取消「长假照看」')
    expect(h.rows.size).toBe(0)
    expect(await h.say('明天')).toBeNull()
  })

  it('changes one answer from the summary and comes back to it', async () => {
    const h = harness()
    await fillHomeWatch(h)
    await h.say('修改 4')
    expect(h.last()).toContain('（4/7）')
    await h.say('李强')
    expect(h.last()).toContain('4 紧急联系人：李强')
    await h.say('修改')
    expect(h.last()).toContain('要修改哪一项')
    await h.say('7')
    await h.say('无')
    expect(h.last()).toContain('7 备注：无')
    await h.say('8')
    expect(h.last()).toContain('请回复“确认”提交')
  })

  it('asks for the return day again when a changed departure comes after it', async () => {
    const h = harness()
    await fillHomeWatch(h)
    await h.say('修改 2')
    await h.say('2月25日')
    expect(h.last()).toContain('回来的日期要晚于出发日期（2月25日（周三））')
    expect(h.last()).toContain('（3/7）')
    await h.say('3月1日')
    expect(h.last()).toContain('3 回来日期：3月1日（周日）')
  })

  it(`offers a person after ${MAX_FAILURES} unusable answers to one question`, async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    expect((await h.say('过几天吧'))?.handOff).toBeUndefined()
    expect((await h.say('还没定'))?.handOff).toBeUndefined()
    const third = await h.say('你们看着办')
    expect(third?.handOff).toBe(true)
    expect(third?.replies[0]).toContain('转给社区民警')
    expect(h.rows.size).toBe(0)
  })

  it('counts failures per question: a good answer starts the count again', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    await h.say('过几天')
    await h.say('还没定')
    await h.say('明天')
    await h.say('不清楚')
    expect((await h.say('再说吧'))?.handOff).toBeUndefined()
    expect(h.last()).toContain('哪天回来')
  })

  it('never takes an emergency: the form is dropped and the message goes on', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    expect(await h.say('救命！有人撬我家门')).toBeNull()
    expect(h.rows.size).toBe(0)
  })

  it('explains where the resident is on 帮助, without counting it as a failure', async () => {
    const h = harness()
    await h.say('长假照看')
    const step = await h.say('帮助')
    expect(step?.replies[0]).toContain('第1项，共7项')
    expect(step?.handOff).toBeUndefined()
  })

  it('keeps to the form on its own keyword and refuses to start another', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    await h.say('长假照看')
    expect(h.last()).toContain('您正在填写「长假照看」')
    expect(h.last()).toContain('（2/7）')
    await h.say('出租登记')
    expect(h.last()).toContain('请先填完')
  })
})

describe('form conversation: coming back', () => {
  it('resumes where the resident stopped, within a day', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    h.clock.now = new Date(MONDAY.getTime() + 5 * HOUR)
    await h.say('明天')
    expect(h.last()).toContain('（3/7）')
    h.clock.now = new Date(MONDAY.getTime() + 12 * HOUR)
    await h.say('楼下好吵')
    expect(h.last()).toContain('您还有一份没填完的「长假照看」')
    expect(h.last()).toContain('哪天回来')
  })

  it('forgets a form left alone for more than a day', async () => {
    const h = harness()
    await h.say('长假照看')
    await h.say('长寿桥小区3幢501')
    h.clock.now = new Date(MONDAY.getTime() + 25 * HOUR)
    expect(await h.say('明天')).toBeNull()
  })

  it('checks the answers again at 确认: a departure that has passed in the meantime is asked again', async () => {
    const h = harness()
    await h.say('长假照看')
    for (const text of ['长寿桥小区3幢501', '今天', '下周五', '王芳', '13912345678', '有']) await h.say(text)
    await h.say('无')
    h.clock.now = new Date(MONDAY.getTime() + 20 * HOUR)
    const step = await h.say('确认')
    expect(step?.completed).toBeUndefined()
    expect(h.last()).toContain('这个日期已经过去了')
    expect(h.last()).toContain('（2/7）')
  })
})

describe('form conversation: batches and concurrency', () => {
  it('lets a second message of one batch see the first one step, saved in order after the commit', async () => {
    const clock = { now: MONDAY }
    const { store } = memoryStore(clock)
    const batch = newFormBatch()
    const input = (text: string, messageId: string): ConversationInput => ({
      residentId: 'r1',
      stationId: 's1',
      timeZone: TZ,
      language: 'zh',
      text,
      now: clock.now,
      messageId,
    })
    const first = await stepConversation({ states: store, batch }, input('长假照看', 'a'))
    const second = await stepConversation({ states: store, batch }, input('长寿桥小区3幢501', 'b'))
    expect(second?.replies[0]).toContain('（2/7）')
    expect(await store.get('r1')).toBeNull()
    await first?.save()
    await second?.save()
    expect((await store.get('r1'))?.answers).toEqual({ address: '长寿桥小区3幢501' })
  })

  it('does not let a step computed from an older state overwrite a newer one', async () => {
    const clock = { now: MONDAY }
    const { store } = memoryStore(clock)
    const input = (text: string, messageId: string): ConversationInput => ({
      residentId: 'r1',
      stationId: 's1',
      timeZone: TZ,
      language: 'zh',
      text,
      now: clock.now,
      messageId,
    })
    await (await stepConversation({ states: store }, input('长假照看', 'a')))?.save()
    const fast = await stepConversation({ states: store }, input('长寿桥小区3幢501', 'b'))
    const slow = await stepConversation({ states: store }, input('王马小区1幢101', 'c'))
    await fast?.save()
    await slow?.save()
    expect((await store.get('r1'))?.answers).toEqual({ address: '长寿桥小区3幢501' })
  })
})

describe('form conversation: English', () => {
  it('asks and summarises in English, and reads English answers', async () => {
    const h = harness({ language: 'en', prefill: 'Changshouqiao' })
    const start = await h.say('home watch')
    expect(start?.replies[0]).toContain('Is the home to watch at Changshouqiao?')
    await h.say('yes')
    await h.say('tomorrow')
    await h.say('Feb 9')
    expect(h.last()).toContain('The day you are back must be after the day you leave (Tue 10 Feb)')
    await h.say('next Friday')
    await h.say('Wang Fang')
    await h.say('13912345678')
    await h.say('no')
    const summary = await h.say('none')
    expect(summary?.replies[0]).toContain('1 Address: Changshouqiao')
    expect(summary?.replies[0]).toContain('3 Back on: Fri 20 Feb')
    expect(summary?.replies[0]).toContain('7 Notes: (none)')
    const done = await h.say('confirm')
    expect(done?.completed?.language).toBe('en')
  })

  it('keeps the language the form started in, whatever an answer looks like', async () => {
    const h = harness({ language: 'en' })
    await h.say('home watch')
    await h.say('长寿桥小区3幢501', { language: 'zh' })
    expect(h.last()).toContain('Which day do you leave?')
  })
})

describe('home watch by chat while it runs', () => {
  const running: ActiveHomeWatch = {
    requestId: 'req1',
    caseId: 'case1',
    awayFrom: '2026-02-10',
    backOn: '2026-02-20',
  }

  it('reads "延长到3月1日" and "提前结束" as changes to the running request', async () => {
    const h = harness({ running })
    const extend = await h.say('延长到3月1日')
    expect(extend?.change).toEqual({
      requestId: 'req1',
      kind: 'extend',
      backOn: '2026-03-01',
      language: 'zh',
    })
    expect(extend?.caseId).toBe('case1')
    expect((await h.say('提前结束'))?.change).toEqual({ requestId: 'req1', kind: 'end', language: 'zh' })
    const en = harness({ running, language: 'en' })
    expect((await en.say('extend to March 1'))?.change).toMatchObject({
      kind: 'extend',
      backOn: '2026-03-01',
    })
    expect((await en.say('end home watch'))?.change).toMatchObject({ kind: 'end' })
  })

  it('refuses an extension that is not one, or too long', async () => {
    const h = harness({ running })
    expect((await h.say('延长到2月15日'))?.replies[0]).toContain('要晚于原定回来的日期（2月20日（周五））')
    expect((await h.say('延长到5月1日'))?.replies[0]).toContain('最长60天')
    expect((await h.say('延长到下个月'))?.replies[0]).toContain('没看懂这个日期')
  })

  it('leaves such words alone when nothing runs', async () => {
    const h = harness()
    expect(await h.say('延长到3月1日')).toBeNull()
    expect(await h.say('提前结束')).toBeNull()
  })
})

describe('the form on its own', () => {
  const ctx: FormContext = { now: MONDAY, timeZone: TZ, language: 'zh', prefill: { address: '长寿桥小区' } }

  it('describes its fields for the web page, with the address on record filled in', () => {
    const described = describeForm(homeWatchForm, ctx)
    expect(described.fields.map((f) => [f.key, f.type])).toEqual([
      ['address', 'text'],
      ['awayFrom', 'date'],
      ['backOn', 'date'],
      ['contactName', 'text'],
      ['contactPhone', 'phone'],
      ['keyHolderOrCamera', 'yes-no'],
      ['notes', 'textarea'],
    ])
    expect(described.fields[0]?.value).toBe('长寿桥小区')
    expect(described.fields[1]?.label).toEqual({ zh: '出发日期', en: 'Leaving on' })
  })

  it('reads a whole submission with the same parsers, one message per wrong field', () => {
    const bad = readSubmission(
      homeWatchForm,
      { address: '长寿桥小区3幢501', awayFrom: '2026-02-12', backOn: '2026-02-11', contactPhone: '123' },
      ctx,
    )
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(Object.fromEntries(bad.problems.map((p) => [p.key, p.message]))).toEqual({
      backOn: '回来的日期要晚于出发日期（2月12日（周四））。',
      contactName: '这一项必须填写。',
      contactPhone: '手机号应为11位数字，您发的是3位，请再检查一下。',
      keyHolderOrCamera: '这一项必须填写。',
    })
    const good = readSubmission(
      homeWatchForm,
      {
        address: '长寿桥小区3幢501',
        awayFrom: '2026-02-12',
        backOn: '下周五',
        contactName: '王芳',
        contactPhone: '13912345678',
        keyHolderOrCamera: 'no',
        notes: '',
      },
      ctx,
    )
    expect(good).toEqual({
      ok: true,
      answers: {
        address: '长寿桥小区3幢501',
        awayFrom: '2026-02-12',
        backOn: '2026-02-20',
        contactName: '王芳',
        contactPhone: '13912345678',
        keyHolderOrCamera: false,
        notes: null,
      },
    })
  })

  it('is pure: continuing never changes the state it was given', () => {
    const started = startForm(homeWatchForm, ctx)
    if (started.kind !== 'asked') throw new Error('not started')
    const before = structuredClone(started.state)
    continueForm(homeWatchForm, started.state, '长寿桥小区3幢501', ctx)
    expect(started.state).toEqual(before)
  })
})
