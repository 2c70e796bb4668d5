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
  case_id: string
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
}

export type CaseRow = Selectable<CasesTable>
export type MessageRow = Selectable<MessagesTable>
export type NewMessage = Insertable<MessagesTable>
