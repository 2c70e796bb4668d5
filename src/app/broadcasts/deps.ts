import type { QuietHours } from '../../domain/broadcast-pace.ts'
import type { AttachmentMeta } from '../attachments.ts'
import type { Clock, Directory, LiveEvent } from '../ports.ts'
import type { BroadcastQueue, BroadcastStore, SendCounter } from './ports.ts'

/** What the broadcast API's use cases need. */
export interface BroadcastDeps {
  store: BroadcastStore
  queue: BroadcastQueue
  counter: SendCounter
  directory: Directory
  clock: Clock
  newId: () => string
  publish(event: LiveEvent): Promise<void>
  /** Checks that a draft's picture is one of the station's uploads (a 400 naming the field otherwise). */
  pictures?: { pictureOf(stationId: string, id: string, field: string): Promise<AttachmentMeta> }
  settings: BroadcastSettings
}

export interface BroadcastSettings {
  /** More recipients than this need a supervisor's approval (station-wide ones always do). */
  approvalThreshold: number
  /** The most bytes one message may carry on the channels broadcasts go through. */
  maxTextBytes: number
  /** Null: no quiet hours. */
  quietHours: QuietHours | null
}
