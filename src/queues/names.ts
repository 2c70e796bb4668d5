/** Queue names. BullMQ forbids ':' in names and job ids; ours use '-'. */
export const QueueNames = {
  inbound: 'inbound',
  deadLetter: 'dead-letter',
  /** Delayed jobs of case timers (reminders, escalations, after-care) and the officers' digest schedulers. */
  timers: 'timers',
  /** Planning of broadcasts whose time has come (their deliveries go out through the outbound queues). */
  broadcasts: 'broadcasts',
  /** Delayed jobs of service requests: home-watch check reminders, missed checks, ends. */
  serviceTimers: 'service-timers',
  /** The daily removal of ID numbers past their retention period (one job scheduler). */
  retention: 'retention',
  outbound: (accountId: string) => `outbound-${accountId}`,
} as const
