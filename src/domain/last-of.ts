/**
 * A pure function of a text that remembers its last answer. One inbound
 * message is looked at several times over (forms, commands, routing each ask
 * what it is), so the same text comes in several times in a row. Answers are
 * shared between callers: they must not be changed.
 */
export function lastOf<T>(compute: (text: string) => T): (text: string) => T {
  let lastText: string | undefined
  let lastAnswer: T
  return (text) => {
    if (text !== lastText) {
      lastAnswer = compute(text)
      lastText = text
    }
    return lastAnswer
  }
}
