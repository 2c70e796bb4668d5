import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** Timestamps come back as Date and may be written as Date or ISO text. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** jsonb columns: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string | undefined, string>

export interface StationsTable {
  id: string
  code: string
  name: string
  name_en: string | null
  time_zone: string
  desk_name: string
  desk_name_en: string | null
  /** Home watch times, minutes of the day in the station's zone (migration 017). */
  home_watch_remind_minute: Generated<number>
  home_watch_escalate_minute: Generated<number>
  home_watch_summary_minute: Generated<number>
  updated_at: Timestamp
}

export interface OfficersTable {
  id: string
  station_id: string
  badge: string
  name: string
  name_en: string | null
  role: string
  capacity: number
  duty: Json<Array<{ day: number; startMinute: number; endMinute: number }>>
  team: string | null
  active: Generated<boolean>
  /** The bot account that sends the officer notices on their own WeChat, and their contact there. */
  notify_account_id: string | null
  notify_contact_ref: string | null
  /** 'file' or 'api': a pattern changed through the API survives a reseed. */
  duty_source: Generated<string>
  updated_at: Timestamp
}

export interface BeatsTable {
  id: string
  station_id: string
  code: string
  name: string
  name_en: string | null
  primary_officer_id: string | null
  backup_officer_id: string | null
  updated_at: Timestamp
}

export interface CompoundsTable {
  id: string
  station_id: string
  beat_id: string
  name: string
  aliases: Json<string[]>
  pinyin: Json<string[]>
  streets: Json<Array<{ street: string; from?: number; to?: number; parity?: 'odd' | 'even' }>>
  updated_at: Timestamp
}

export interface BotAccountsTable {
  id: string
  station_id: string
  kind: string
  owner_officer_id: string | null
  puppet: string
  token_env: string | null
  groups: Json<string[]>
  rate_per_minute: number
  daily_cap: number
  updated_at: Timestamp
}

export interface ResidentsTable {
  id: string
  code: string
  display_name: string | null
  language: string
  compound_id: string | null
  beat_id: string | null
  tags: Json<string[]>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface ChannelIdentitiesTable {
  id: string
  resident_id: string
  channel: string
  account_id: string
  contact_ref: string
  group_ref: string | null
  display_name: string | null
  created_at: Timestamp
  last_seen_at: Timestamp
}

export interface WebChatSessionsTable {
  id: string
  token_hash: string
  station_id: string
  display_name: string | null
  language: string
  created_at: Timestamp
  last_seen_at: Timestamp
}

export interface CaseCountersTable {
  station_id: string
  year: number
  last_value: number
}

export interface CasesTable {
  id: string
  number: string
  station_id: string
  resident_id: string
  identity_id: string
  beat_id: string | null
  category: string
  priority: string
  status: string
  assignee_officer_id: string | null
  queue: string
  awaiting_address: Generated<boolean>
  address_attempts: Generated<number>
  opened_at: Timestamp
  first_response_due_at: NullableTimestamp
  first_responded_at: NullableTimestamp
  resolved_at: NullableTimestamp
  closed_at: NullableTimestamp
  last_message_at: Timestamp
  version: Generated<number>
  updated_at: Timestamp
  escalated: Generated<boolean>
  escalated_at: NullableTimestamp
  escalation_level: Generated<number>
  resolution_due_at: NullableTimestamp
  awaiting_since: NullableTimestamp
  rating_asked_at: NullableTimestamp
  satisfaction: number | null
  rated_at: NullableTimestamp
  cancel_reason: string | null
  /** The broadcast the resident was answering when this case opened (migration 011). */
  broadcast_id: string | null
}

export interface MessagesTable {
  id: string
  case_id: string | null
  resident_id: string
  identity_id: string | null
  direction: string
  channel: string
  account_id: string
  external_id: string | null
  in_reply_to: string | null
  kind: string
  text: string | null
  media: Json<{ type: string; sizeBytes?: number; name?: string } | null>
  delivery_state: string
  failure_reason: string | null
  attempts: Generated<number>
  author_officer_id: string | null
  created_at: Timestamp
  sent_at: NullableTimestamp
  /** The picture the message carries (migration 016). */
  attachment_id: ColumnType<string | null, string | null | undefined, string | null>
}

export interface InboundEventsTable {
  id: string
  channel: string
  account_id: string
  external_id: string
  payload: Json<unknown>
  status: Generated<string>
  received_at: Timestamp
  processed_at: NullableTimestamp
}

export interface ParkedEventsTable {
  id: string
  channel: string
  account_id: string
  reason: string
  detail: Json<unknown>
  created_at: Timestamp
}

export interface AuditEventsTable {
  id: string
  station_id: string | null
  actor: string
  action: string
  subject_type: string
  subject_id: string
  detail: Json<unknown>
  at: Timestamp
}

export interface CannedRepliesTable {
  id: string
  station_id: string
  shortcut: string
  title: string
  body: string
  language: string
  updated_at: Timestamp
}

export interface OfficerLoginsTable {
  officer_id: string
  username: string
  password_hash: string
  disabled_at: NullableTimestamp
  password_changed_at: Timestamp
  last_login_at: NullableTimestamp
}

export interface OfficerNoticesTable {
  id: string
  officer_id: string
  /** Null for a notice about no single case (the morning digest). */
  case_id: string | null
  account_id: string
  contact_ref: string
  text: string
  delivery_state: Generated<string>
  failure_reason: string | null
  attempts: Generated<number>
  created_at: Timestamp
  sent_at: NullableTimestamp
}

export interface CaseTimersTable {
  id: string
  case_id: string
  kind: string
  case_version: number
  due_at: Timestamp
  state: Generated<string>
  fired_at: NullableTimestamp
  created_at: Timestamp
  /** What the timer counts from; once per case, kind and anchor (migration 009). */
  anchor_at: NullableTimestamp
  officer_id: string | null
}

export interface DutyExceptionsTable {
  id: string
  station_id: string
  officer_id: string
  kind: string
  on_duty: boolean
  starts_at: Timestamp
  ends_at: Timestamp
  note: string | null
  source: Generated<string>
  created_by: string | null
  created_at: Timestamp
}

export interface ResidentOptOutsTable {
  resident_id: string
  category: string
  created_at: Timestamp
}

/** What the chat last asked a resident (the menu, a withdrawal to confirm). */
export interface ResidentPromptsTable {
  resident_id: string
  kind: string
  case_id: string | null
  reason: string | null
  message_id: string
  asked_at: Timestamp
}

export interface BroadcastsTable {
  id: string
  station_id: string
  author_officer_id: string
  title: string
  text_zh: string
  text_en: string | null
  image_url: string | null
  link_url: string | null
  /** The uploaded picture sent with the text (migration 016). */
  image_attachment_id: ColumnType<string | null, string | null | undefined, string | null>
  category: string
  targets: Json<{
    station: boolean
    beatIds: string[]
    compoundIds: string[]
    tags: string[]
    groups: Array<{ accountId: string; name: string }>
  }>
  send_at: NullableTimestamp
  state: string
  approval_reason: string | null
  decided_by: string | null
  decided_at: NullableTimestamp
  decision_note: string | null
  estimated_residents: number
  estimated_groups: number
  planned_at: NullableTimestamp
  started_at: NullableTimestamp
  paused_at: NullableTimestamp
  paused_by: string | null
  finished_at: NullableTimestamp
  cancelled_by: string | null
  progress: Json<Record<string, number | string | null> | null>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface BroadcastDeliveriesTable {
  /** bigint identity; both drivers read it back as a number. */
  id: Generated<number>
  broadcast_id: string
  recipient: string
  resident_id: string | null
  identity_id: string | null
  account_id: string | null
  group_name: string | null
  language: string
  state: string
  skip_reason: string | null
  failure_reason: string | null
  attempts: Generated<number>
  queued_at: NullableTimestamp
  feeds: Generated<number>
  claim_token: string | null
  claimed_at: NullableTimestamp
  send_started_at: NullableTimestamp
  sent_at: NullableTimestamp
  external_id: string | null
}

export interface BroadcastAccountPausesTable {
  broadcast_id: string
  account_id: string
  reason: string
  paused_at: Timestamp
}

/** A resident's structured request (migration 012): the finished form beside its case. */
export interface ServiceRequestsTable {
  id: string
  /** The form it came from, e.g. 'home-watch'. */
  kind: string
  station_id: string
  resident_id: string
  case_id: string
  answers: Json<unknown>
  state: Generated<string>
  submission_id: string
  created_at: Generated<Date>
  updated_at: Timestamp
  ended_at: NullableTimestamp
  end_reason: string | null
}

/** A visit recorded during a holiday home watch; `day` is the station's local day (YYYY-MM-DD). */
export interface HomeWatchChecksTable {
  id: string
  request_id: string
  officer_id: string
  checked_at: Timestamp
  day: string
  result: string
  note: string | null
  photo_ref: string | null
  message_id: string | null
  created_at: Generated<Date>
  /** The uploaded photo of the visit (migration 016). */
  photo_attachment_id: ColumnType<string | null, string | null | undefined, string | null>
}

/** A service request's reminders, deadlines and end; the id is also the BullMQ job id. */
/** What happens to a rental registration after its form (migration 013). */
export interface RentalRegistrationsTable {
  request_id: string
  review: Generated<string>
  review_reason: string | null
  review_fields: ColumnType<string[] | null, string | null | undefined, string | null>
  reviewed_by: string | null
  reviewed_at: NullableTimestamp
  inspection_at: NullableTimestamp
  inspection_by: string | null
  tenancy: string | null
  tenancy_for: string | null
  tenancy_at: NullableTimestamp
  tenancy_by: string | null
  created_at: Generated<Date>
  updated_at: Timestamp
}

export interface ServiceRequestTimersTable {
  id: string
  request_id: string
  kind: string
  day: string
  due_at: Timestamp
  state: Generated<string>
  fired_at: NullableTimestamp
  created_at: Generated<Date>
}

/** A dispute mediation beside its service request (migration 015). */
export interface MediationsTable {
  request_id: string
  station_id: string
  case_id: string
  subject: string
  preferred_times: string | null
  source: string
  mediator_officer_id: string | null
  mediator_team: string | null
  state: Generated<string>
  opened_at: Timestamp
  concluded_at: NullableTimestamp
  concluded_by: string | null
  agreement_terms: string | null
  next_step: string | null
  outcome_note: string | null
  follow_up_due_at: NullableTimestamp
  follow_up_at: NullableTimestamp
  follow_up_by: string | null
  follow_up_result: string | null
  follow_up_note: string | null
  updated_at: Timestamp
}

/** A party to a mediation: a name and phone, optionally a resident the service can write to. */
export interface MediationPartiesTable {
  id: string
  request_id: string
  resident_id: string | null
  name: string
  phone: string | null
  role: string
  created_at: Timestamp
  /** Identity: the order parties were added in. */
  seq: Generated<number>
}

export interface MediationSessionsTable {
  id: string
  request_id: string
  starts_at: Timestamp
  place: string
  note: string | null
  state: Generated<string>
  cancel_reason: string | null
  cancelled_at: NullableTimestamp
  created_by: string
  created_at: Timestamp
}

/** A station's opening hours for residence-permit appointments (migration 014). */
export interface PermitSlotPlansTable {
  station_id: string
  plan: Json<{ hours: string[]; minutes: number; capacity: number; daysAhead: number }>
  /** The last local day (YYYY-MM-DD) slots were made for. */
  ensured_through: string | null
  updated_at: Timestamp
}

/** One appointment time at the community police office and how many residents it takes. */
export interface PermitSlotsTable {
  id: string
  station_id: string
  starts_at: Timestamp
  ends_at: Timestamp
  capacity: number
  /** 'file' (from the plan) or 'api' (a supervisor's). */
  source: string
  closed_at: NullableTimestamp
  updated_by: string | null
  created_at: Generated<Date>
  updated_at: Timestamp
}

/** The place a residence-permit request holds in a slot. */
export interface PermitAppointmentsTable {
  request_id: string
  station_id: string
  resident_id: string
  slot_id: string
  /** booked, attended, no_show or cancelled. */
  state: Generated<string>
  moves: Generated<number>
  marked_by: string | null
  marked_at: NullableTimestamp
  created_at: Generated<Date>
  updated_at: Timestamp
}

/** A picture an officer uploaded (migration 016); `bytes` never changes once written. */
export interface AttachmentsTable {
  id: string
  station_id: string
  uploaded_by: string
  mime: string
  size_bytes: number
  sha256: string
  bytes: Uint8Array
  created_at: Generated<Date>
}

export interface DB {
  stations: StationsTable
  officers: OfficersTable
  beats: BeatsTable
  compounds: CompoundsTable
  bot_accounts: BotAccountsTable
  residents: ResidentsTable
  channel_identities: ChannelIdentitiesTable
  web_chat_sessions: WebChatSessionsTable
  case_counters: CaseCountersTable
  cases: CasesTable
  messages: MessagesTable
  inbound_events: InboundEventsTable
  parked_events: ParkedEventsTable
  audit_events: AuditEventsTable
  officer_logins: OfficerLoginsTable
  canned_replies: CannedRepliesTable
  officer_notices: OfficerNoticesTable
  case_timers: CaseTimersTable
  duty_exceptions: DutyExceptionsTable
  resident_opt_outs: ResidentOptOutsTable
  resident_prompts: ResidentPromptsTable
  service_requests: ServiceRequestsTable
  home_watch_checks: HomeWatchChecksTable
  service_request_timers: ServiceRequestTimersTable
  rental_registrations: RentalRegistrationsTable
  permit_slot_plans: PermitSlotPlansTable
  permit_slots: PermitSlotsTable
  permit_appointments: PermitAppointmentsTable
  mediations: MediationsTable
  mediation_parties: MediationPartiesTable
  mediation_sessions: MediationSessionsTable
  broadcasts: BroadcastsTable
  broadcast_deliveries: BroadcastDeliveriesTable
  broadcast_account_pauses: BroadcastAccountPausesTable
  attachments: AttachmentsTable
}

export type CaseRow = Selectable<CasesTable>
export type MessageRow = Selectable<MessagesTable>
export type NewMessage = Insertable<MessagesTable>
