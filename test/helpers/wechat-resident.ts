import type { Mocker, TestStack } from './stack.ts'
import { waitFor } from './wait.ts'

export type MockContact = ReturnType<Mocker['createContact']>

/** Mock contacts are event emitters whose typings do not resolve under NodeNext: listen through this view. */
interface Heard {
  on(
    event: 'message',
    listener: (message: { talker(): { id: string }; text(): string | undefined }) => void,
  ): unknown
}

export interface WechatResident {
  contact: MockContact
  /** What the bot has said to them, oldest first. */
  heard: string[]
  say(text: string): void
  /** Says `text` and waits for an answer (said after it) that contains or matches `expected`. */
  ask(text: string, expected: string | RegExp, timeoutMs?: number): Promise<string>
}

/** A new WeChat contact of the mock puppet writing to a bot account of the stack (the CQ station's by default). */
export function wechatResident(stack: TestStack, name: string, account = 'cq-station'): WechatResident {
  const mocker = stack.mockers.get(account)!
  const bot = mocker.ContactMock.load(mocker.puppet.currentUserId)
  const contact: MockContact = mocker.createContact({ name })
  const heard: string[] = []
  ;(contact as unknown as Heard).on('message', (message) => {
    const text = message.text()
    if (message.talker().id === bot.id && text !== undefined) heard.push(text)
  })
  const say = (text: string) => {
    contact.say(text).to(bot)
  }
  return {
    contact,
    heard,
    say,
    async ask(text, expected, timeoutMs) {
      const before = heard.length
      say(text)
      return waitFor(
        () =>
          heard
            .slice(before)
            .find((t) => (typeof expected === 'string' ? t.includes(expected) : expected.test(t))),
        `the answer to "${text}"`,
        timeoutMs,
      )
    },
  }
}
