import { BROADCAST_CATEGORIES, type BroadcastCategory } from '../domain/broadcast-categories.ts'
import { classify } from '../domain/classify.ts'
import { type CommandContext, dependsOnContext, parseCommand } from '../domain/commands.ts'
import { formatLocalTime } from '../domain/duty.ts'
import { type CaseStatusLine, selfServiceReplies } from '../domain/self-service-replies.ts'
import type { CaseStatus, Language } from '../domain/types.ts'

/** How long the menu or a "withdraw?" question stays answerable by a bare number or "yes". */
export const PROMPT_TTL_MS = 30 * 60_000

export interface SelfServiceInput {
  residentId: string
  /** The station the resident wrote to (audit entries of their preferences name it). */
  stationId: string
  language: Language
  text: string
  /** The stored inbound message being handled; it is not "something said since" a question. */
  messageId: string
  now: Date
}

/** An open case of the resident, with what the status reply says about it. */
export interface OpenCaseStatus {
  id: string
  number: string
  status: CaseStatus
  awaitingAddress: boolean
  officerName: string | null
  officerNameEn: string | null
  deskName: string
  deskNameEn: string | null
  timeZone: string
  lastUpdate: Date
}

/** What the chat last asked the resident, while it is still the last thing said. */
export type Prompt =
  | { kind: 'menu' }
  | { kind: 'withdraw'; caseId: string; caseNumber: string; reason: string | null }

export type PromptDraft =
  | { kind: 'menu'; messageId: string; askedAt: Date }
  | { kind: 'withdraw'; caseId: string; reason: string | null; messageId: string; askedAt: Date }

/** A case as it is after a resident's command changed it: enough for queue clean-up and the live event. */
export interface ChangedCase {
  id: string
  number: string
  stationId: string
  queue: string
  assigneeOfficerId: string | null
  beatId: string | null
}

/**
 * What self-service needs from the database, inside the caller's transaction
 * (the inbound path's, so a command and its stored message commit together).
 */
export interface SelfServiceStore {
  /** The resident's open cases, newest first. */
  openCases(residentId: string): Promise<OpenCaseStatus[]>
  /** A resolved case whose rating question is unanswered, while the resident has no open case. */
  pendingRating(residentId: string): Promise<{ caseId: string; number: string } | null>
  /** Stores the score; null when the case was rated meanwhile. Writes the audit entry. */
  rate(input: { caseId: string; score: number; at: Date }): Promise<ChangedCase | null>
  optOuts(residentId: string): Promise<BroadcastCategory[]>
  /** Turns categories off (optOut) or back on (optIn); writes the audit entry. */
  optOut(input: {
    residentId: string
    stationId: string
    categories: readonly BroadcastCategory[]
  }): Promise<void>
  optIn(input: {
    residentId: string
    stationId: string
    categories: readonly BroadcastCategory[]
  }): Promise<void>
  /**
   * The question last put to the resident, if asked after `since` and nothing was said
   * in the conversation since then but the current message and our answers to the question.
   */
  pendingPrompt(residentId: string, input: { currentMessageId: string; since: Date }): Promise<Prompt | null>
  savePrompt(residentId: string, prompt: PromptDraft): Promise<void>
  clearPrompt(residentId: string): Promise<void>
  /**
   * Closes the resident's open case with the reason, cancels its timers, writes the
   * audit entry and `note` as a system line in the conversation; null when it is no longer open.
   */
  withdraw(input: {
    caseId: string
    residentId: string
    reason: string
    note: string
    at: Date
  }): Promise<ChangedCase | null>
}

export type SelfServiceResult =
  | { handled: false }
  | {
      handled: true
      /** Texts to send to the resident, in order. */
      replies: string[]
      /** The case this exchange belongs to: file the inbound message and the replies under it; null for none. */
      caseId: string | null
      withdrawnCaseId?: string
      ratedCaseId?: string
      /** The case after the change, when the command changed one: for queue clean-up and the live event. */
      changedCase?: ChangedCase
    }

type Handled = Extract<SelfServiceResult, { handled: true }>

const NOT_HANDLED: SelfServiceResult = { handled: false }

/** Why a case was closed when the resident withdrew it (cases.cancel_reason); their own words follow. */
export function withdrawReason(words: string | null): string {
  return words ? `withdrawn by the resident: ${words}` : 'withdrawn by the resident'
}

/** The line officers see in the conversation, whichever language their inbox is in. */
export function withdrawNote(words: string | null): string {
  return `居民已撤回诉求 · Withdrawn by the resident${words ? `: ${words}` : ''}`
}

/**
 * Answers a resident's self-service command (status, help, subscriptions,
 * withdrawal, rating), or says it is not one, so the message goes to the officer.
 * Most messages are not commands and cost no database round trip: the
 * conversation is only looked up for bare numbers and yes/no answers.
 */
export async function runSelfService(
  store: SelfServiceStore,
  input: SelfServiceInput,
): Promise<SelfServiceResult> {
  const say = selfServiceReplies(input.language)
  let prompt: Prompt | null = null
  let rating: { caseId: string; number: string } | null = null
  if (dependsOnContext(input.text)) {
    prompt = await store.pendingPrompt(input.residentId, {
      currentMessageId: input.messageId,
      since: new Date(input.now.getTime() - PROMPT_TTL_MS),
    })
    // A number right after the menu picks from it, whatever rating question came before.
    if (prompt?.kind !== 'menu') rating = await store.pendingRating(input.residentId)
  }
  const context: CommandContext = {
    menuShown: prompt?.kind === 'menu',
    withdrawPending: prompt?.kind === 'withdraw',
    ratingPending: rating !== null,
  }
  const command = parseCommand(input.text, context)
  // "取消！有人在打我" is a cry for help, not a withdrawal: the inbound path's emergency handling must see it.
  if (!command || classify(input.text).emergency) return NOT_HANDLED

  const reply = (texts: string[], about: Partial<Omit<Handled, 'handled' | 'replies'>> = {}): Handled => ({
    handled: true,
    replies: texts,
    ...about,
    caseId: about.caseId ?? null,
  })
  const showMenu = () =>
    store.savePrompt(input.residentId, { kind: 'menu', messageId: input.messageId, askedAt: input.now })

  switch (command.kind) {
    case 'help':
      await showMenu()
      return reply([say.menu()])

    case 'bad-choice':
      // Still a reply to the menu: keep it answerable.
      await showMenu()
      return reply([say.badChoice()])

    case 'status': {
      const cases = await store.openCases(input.residentId)
      return reply([say.status(cases.map((c) => statusLine(c, input)))])
    }

    case 'subscriptions':
      return reply([say.subscriptions(await store.optOuts(input.residentId))])

    case 'unsubscribe':
    case 'subscribe': {
      const change = {
        residentId: input.residentId,
        stationId: input.stationId,
        categories: command.categories === 'all' ? BROADCAST_CATEGORIES : command.categories,
      }
      if (command.kind === 'unsubscribe') await store.optOut(change)
      else await store.optIn(change)
      const optedOut = await store.optOuts(input.residentId)
      return reply([
        command.kind === 'unsubscribe'
          ? say.unsubscribed(command.categories, optedOut)
          : say.subscribed(command.categories, optedOut),
      ])
    }

    case 'unknown-category':
      return reply([say.unknownCategory(command.words)])

    case 'withdraw': {
      const [open] = await store.openCases(input.residentId)
      // With nothing to withdraw, words after the command are a message for a person.
      if (!open) return command.reason ? NOT_HANDLED : reply([say.nothingToWithdraw()])
      await store.savePrompt(input.residentId, {
        kind: 'withdraw',
        caseId: open.id,
        reason: command.reason,
        messageId: input.messageId,
        askedAt: input.now,
      })
      return reply([say.askWithdraw(open.number)], { caseId: open.id })
    }

    case 'confirm-withdraw': {
      if (prompt?.kind !== 'withdraw') return NOT_HANDLED
      await store.clearPrompt(input.residentId)
      const words = command.reason ?? prompt.reason
      const changed = await store.withdraw({
        caseId: prompt.caseId,
        residentId: input.residentId,
        reason: withdrawReason(words),
        note: withdrawNote(words),
        at: input.now,
      })
      if (!changed) return reply([say.alreadyClosed(prompt.caseNumber)], { caseId: prompt.caseId })
      return reply([say.withdrawn(changed.number)], {
        caseId: changed.id,
        withdrawnCaseId: changed.id,
        changedCase: changed,
      })
    }

    case 'keep':
      if (prompt?.kind !== 'withdraw') return NOT_HANDLED
      await store.clearPrompt(input.residentId)
      return reply([say.kept(prompt.caseNumber)], { caseId: prompt.caseId })

    case 'rate': {
      if (!rating) return NOT_HANDLED
      const changed = await store.rate({ caseId: rating.caseId, score: command.score, at: input.now })
      if (!changed) return reply([say.alreadyRated(rating.number)], { caseId: rating.caseId })
      return reply([say.rated(changed.number, command.score)], {
        caseId: changed.id,
        ratedCaseId: changed.id,
        changedCase: changed,
      })
    }

    case 'bad-rating':
      return reply([say.badRating()], { caseId: rating?.caseId })
  }
}

function statusLine(c: OpenCaseStatus, input: SelfServiceInput): CaseStatusLine {
  const en = input.language === 'en'
  const officer = (en ? c.officerNameEn : null) ?? c.officerName
  return {
    number: c.number,
    status: c.status,
    awaitingAddress: c.awaitingAddress,
    handler: officer
      ? { kind: 'officer', name: en ? `Officer ${officer}` : `${officer}警官` }
      : { kind: 'desk', name: (en ? c.deskNameEn : null) ?? c.deskName },
    lastUpdate: formatLocalTime(c.lastUpdate, c.timeZone, input.language, input.now),
  }
}
