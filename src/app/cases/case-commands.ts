import { type Actor, caseAccess } from '../../domain/access.ts'
import { canTransition, reopenedStatus, statusAfterReply } from '../../domain/case-status.ts'
import { officerNoticeText } from '../../domain/officer-notice.ts'
import { statusUpdates } from '../../domain/replies.ts'
import { queueNameFor } from '../../domain/routing.ts'
import type { CaseCategory, CasePriority, CaseStatus } from '../../domain/types.ts'
import { AppError } from '../../errors.ts'
import type { Clock, Directory, DirectorySnapshot, Dispatcher, QueuedNotice } from '../ports.ts'
import type { CaseCommandStore, CaseTx, CaseUpdate, LockedCase } from './case-store.ts'

export interface CaseCommandDeps {
  store: CaseCommandStore
  directory: Directory
  dispatcher: Dispatcher
  clock: Clock
  newId: () => string
  /** Called after the commit of a command that changed the case (deadlines and after-care follow it). */
  afterChange?: (caseId: string) => Promise<void>
}

export type AssignTarget = { officerId: string } | { desk: true }

/** What a command leaves for after the commit: messages to send, queues to move, events to publish. */
interface Effects {
  send: Array<{ accountId: string; messageId: string }>
  notices: QueuedNotice[]
  moveQueue?: { from: string; to: string | null }
  /** The live event to publish; a command that changes nothing visible leaves it unset. */
  event?: { type: 'case.updated' | 'case.message'; messageId?: string }
  /** Set when the command changes who holds the case, so the event reaches the right officers. */
  newAssignee?: string | null
}

/**
 * The officer's side of a case. Every command loads the case under a row lock,
 * checks who is asking and the version they saw, changes it, writes the audit
 * trail, and only after the commit queues what goes out.
 */
export function createCaseCommands(deps: CaseCommandDeps) {
  const officerName = async (officerId: string, english: boolean) => {
    const officer = (await deps.directory.get()).officers.get(officerId)
    const name = (english ? officer?.nameEn : null) ?? officer?.name ?? ''
    return english ? `Officer ${name}` : `${name}警官`
  }

  /** Runs a command on a case in one transaction and applies its effects afterwards. */
  async function run<T>(
    actor: Actor,
    caseId: string,
    expectedVersion: number | undefined,
    body: (tx: CaseTx, current: LockedCase, effects: Effects) => Promise<T>,
  ): Promise<T> {
    let snapshot: LockedCase | null = null
    const effects: Effects = { send: [], notices: [] }
    const result = await deps.store.transaction(async (tx) => {
      const current = await tx.lock(caseId)
      const access = current ? caseAccess(actor, current) : 'not-found'
      if (!current || access === 'not-found')
        throw new AppError('CASE_NOT_FOUND', `case ${caseId} does not exist`)
      if (access === 'forbidden')
        throw new AppError('FORBIDDEN', "this case is not yours, your beats' or unassigned")
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        const last = await tx.lastChange(caseId)
        const who = last
          ? `${last.actorName ?? 'the system'} (${last.action} at ${last.at.toISOString()})`
          : 'someone else'
        throw new AppError(
          'CONFLICT',
          `Case ${current.number} was changed by ${who} after you opened it: reload it to see the change, then try again.`,
          { version: current.version },
        )
      }
      snapshot = current
      return body(tx, current, effects)
    })
    const after = snapshot as LockedCase | null
    if (!after) return result
    if (effects.moveQueue) {
      await deps.dispatcher.removeCase(effects.moveQueue.from, caseId)
      if (effects.moveQueue.to) {
        await deps.dispatcher.enqueueCase({
          queue: effects.moveQueue.to,
          caseId,
          stationId: after.stationId,
          messageId: caseId,
          priority: after.priority,
        })
      }
    }
    for (const s of effects.send) await deps.dispatcher.enqueueOutbound(s.accountId, s.messageId)
    for (const n of effects.notices) await deps.dispatcher.enqueueNotice(n)
    if (effects.event) {
      await deps.dispatcher.publish({
        type: effects.event.type,
        caseId,
        stationId: after.stationId,
        assigneeId: effects.newAssignee !== undefined ? effects.newAssignee : after.assigneeOfficerId,
        beatId: after.beatId,
        ...(effects.event.messageId ? { messageId: effects.event.messageId } : {}),
      })
      await deps.afterChange?.(caseId)
    }
    return result
  }

  /** Queues a text to the resident of the case in the transaction, to be sent after commit. */
  async function tellResident(
    tx: CaseTx,
    current: LockedCase,
    effects: Effects,
    text: string,
    authorId: string | null,
  ) {
    const id = deps.newId()
    await tx.insertMessage({
      id,
      caseId: current.id,
      residentId: current.residentId,
      identityId: current.identityId,
      direction: 'outbound',
      channel: current.channel,
      accountId: current.accountId,
      text,
      authorOfficerId: authorId,
      deliveryState: 'queued',
      createdAt: deps.clock.now(),
    })
    effects.send.push({ accountId: current.accountId, messageId: id })
    return id
  }

  /** Tells an officer on their own WeChat, if they have one configured, that the case was handed to them. */
  async function noticeOfficer(
    tx: CaseTx,
    current: LockedCase,
    effects: Effects,
    officerId: string,
    dir: DirectorySnapshot,
  ) {
    const compound = current.compoundId ? dir.compounds.get(current.compoundId) : undefined
    const beat = current.beatId ? dir.beats.get(current.beatId) : undefined
    const place = compound && compound.beatId === current.beatId ? compound.name : (beat?.name ?? null)
    const text = officerNoticeText({
      kind: 'transferred',
      caseNumber: current.number,
      category: current.category,
      place,
    })
    const queued = await tx.addOfficerNotice({ id: deps.newId(), officerId, caseId: current.id, text })
    if (queued) effects.notices.push(queued)
  }

  return {
    async reply(actor: Actor, caseId: string, input: { text: string; version?: number }) {
      return run(actor, caseId, input.version, async (tx, locked, effects) => {
        if (locked.status === 'closed') {
          throw new AppError('CONFLICT', `Case ${locked.number} is closed: reopen it before replying.`)
        }
        const id = await tellResident(tx, locked, effects, input.text, actor.id)
        await tx.update(caseId, {
          status: statusAfterReply(locked.status),
          ...(locked.firstRespondedAt ? {} : { firstRespondedAt: deps.clock.now() }),
        })
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.replied',
          caseId,
          detail: { messageId: id },
        })
        effects.event = { type: 'case.message', messageId: id }
        return id
      })
    },

    async note(actor: Actor, caseId: string, input: { text: string }) {
      const id = deps.newId()
      await run(actor, caseId, undefined, async (tx, locked, effects) => {
        await tx.insertMessage({
          id,
          caseId,
          residentId: locked.residentId,
          identityId: locked.identityId,
          direction: 'note',
          channel: locked.channel,
          accountId: locked.accountId,
          text: input.text,
          authorOfficerId: actor.id,
          // A note is never sent: "sent" keeps it out of every delivery query.
          deliveryState: 'sent',
          createdAt: deps.clock.now(),
        })
        await tx.update(caseId, {})
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.noted',
          caseId,
          detail: { messageId: id },
        })
        effects.event = { type: 'case.message', messageId: id }
      })
      return id
    },

    /** `reason` is recorded in the audit trail when the system moves a case (e.g. its officer went on leave). */
    async assign(
      actor: Actor,
      caseId: string,
      input: { version: number; target: AssignTarget; reason?: string },
    ) {
      const dir = await deps.directory.get()
      await run(actor, caseId, input.version, async (tx, locked, effects) => {
        let update: CaseUpdate
        const english = locked.residentLanguage === 'en'
        const say = statusUpdates(locked.residentLanguage)
        if ('officerId' in input.target) {
          const officer = dir.officers.get(input.target.officerId)
          if (!officer || officer.stationId !== locked.stationId || !officer.active) {
            throw new AppError('INVALID_INPUT', 'officerId: no active officer of this station has that id')
          }
          if (officer.role === 'admin')
            throw new AppError('INVALID_INPUT', 'officerId: admins do not take cases')
          const queue = queueNameFor({ kind: 'officer', officerId: officer.id, reason: 'sticky' })
          update = {
            assigneeOfficerId: officer.id,
            queue,
            status: locked.status === 'new' || locked.status === 'assigned' ? 'assigned' : locked.status,
          }
          effects.moveQueue = { from: locked.queue, to: queue }
          if (officer.id !== locked.assigneeOfficerId) {
            await tellResident(
              tx,
              locked,
              effects,
              say.assigned(locked.number, await officerName(officer.id, english)),
              null,
            )
            // Someone taking a case themselves already knows about it.
            if (officer.id !== actor.id) await noticeOfficer(tx, locked, effects, officer.id, dir)
          }
        } else {
          const station = dir.stations.get(locked.stationId)
          const queue = queueNameFor({ kind: 'desk', stationId: locked.stationId, reason: 'sticky' })
          update = { assigneeOfficerId: null, queue, status: 'new' }
          effects.moveQueue = { from: locked.queue, to: queue }
          const desk = (english ? station?.deskNameEn : null) ?? station?.deskName ?? ''
          await tellResident(tx, locked, effects, say.toDesk(locked.number, desk), null)
        }
        await tx.update(caseId, update)
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.assigned',
          caseId,
          detail: {
            from: locked.assigneeOfficerId,
            to: update.assigneeOfficerId ?? null,
            ...(input.reason ? { reason: input.reason } : {}),
          },
        })
        effects.event = { type: 'case.updated' }
        effects.newAssignee = update.assigneeOfficerId ?? null
      })
    },

    async update(
      actor: Actor,
      caseId: string,
      input: { version: number; category?: CaseCategory; priority?: CasePriority },
    ) {
      const update: CaseUpdate = {
        ...(input.category ? { category: input.category } : {}),
        ...(input.priority ? { priority: input.priority } : {}),
      }
      await run(actor, caseId, input.version, async (tx, locked, effects) => {
        effects.event = { type: 'case.updated' }
        await tx.update(caseId, update)
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.changed',
          caseId,
          detail: { from: { category: locked.category, priority: locked.priority }, to: update },
        })
      })
    },

    async setStatus(
      actor: Actor,
      caseId: string,
      input: {
        version: number
        status: Extract<CaseStatus, 'in_progress' | 'awaiting_resident' | 'resolved'>
      },
    ) {
      await run(actor, caseId, input.version, async (tx, locked, effects) => {
        effects.event = { type: 'case.updated' }
        if (!canTransition(locked.status, input.status)) {
          throw new AppError(
            'CONFLICT',
            `Case ${locked.number} is ${locked.status}; it cannot become ${input.status}.`,
          )
        }
        if (locked.status === input.status) return
        const say = statusUpdates(locked.residentLanguage)
        const english = locked.residentLanguage === 'en'
        const handler = await officerName(locked.assigneeOfficerId ?? actor.id, english)
        const update: CaseUpdate = { status: input.status }
        if (input.status === 'resolved') {
          update.resolvedAt = deps.clock.now()
          effects.moveQueue = { from: locked.queue, to: null }
          await tellResident(tx, locked, effects, say.resolved(locked.number), null)
        } else if (input.status === 'awaiting_resident') {
          await tellResident(tx, locked, effects, say.awaitingResident(locked.number, handler), null)
        } else {
          await tellResident(tx, locked, effects, say.inProgress(locked.number, handler), null)
        }
        await tx.update(caseId, update)
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.status',
          caseId,
          detail: { from: locked.status, to: input.status },
        })
      })
    },

    async reopen(actor: Actor, caseId: string, input: { version: number }) {
      await run(actor, caseId, input.version, async (tx, locked, effects) => {
        effects.event = { type: 'case.updated' }
        if (locked.status !== 'resolved' && locked.status !== 'closed') {
          throw new AppError('CONFLICT', `Case ${locked.number} is still open.`)
        }
        const status = reopenedStatus(locked.assigneeOfficerId !== null)
        const queue = locked.assigneeOfficerId
          ? queueNameFor({ kind: 'officer', officerId: locked.assigneeOfficerId, reason: 'sticky' })
          : queueNameFor({ kind: 'desk', stationId: locked.stationId, reason: 'sticky' })
        const update: CaseUpdate = { status, resolvedAt: null, closedAt: null, queue }
        effects.moveQueue = { from: locked.queue, to: queue }
        const handler = await officerName(
          locked.assigneeOfficerId ?? actor.id,
          locked.residentLanguage === 'en',
        )
        await tellResident(
          tx,
          locked,
          effects,
          statusUpdates(locked.residentLanguage).reopened(locked.number, handler),
          null,
        )
        await tx.update(caseId, update)
        await tx.audit({
          stationId: locked.stationId,
          actor: actor.id,
          action: 'case.reopened',
          caseId,
          detail: { from: locked.status },
        })
      })
    },

    /** Sends a failed message again; it is checked like any change to its case. */
    async retry(actor: Actor, messageId: string) {
      const message = await deps.store.failedMessage(messageId)
      if (!message?.caseId) throw new AppError('NOT_FOUND', `message ${messageId} does not exist`)
      await run(actor, message.caseId, undefined, async () => {
        if (message.state !== 'failed')
          throw new AppError('CONFLICT', 'only a failed message can be sent again')
      })
      await deps.store.requeueMessage(messageId)
      await deps.dispatcher.enqueueOutbound(message.accountId, messageId, { retry: true })
    },
  }
}

export type CaseCommands = ReturnType<typeof createCaseCommands>
