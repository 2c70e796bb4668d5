/** Queue names. BullMQ forbids ':' in names and job ids; ours use '-'. */
export const QueueNames = {
  inbound: 'inbound',
  deadLetter: 'dead-letter',
  outbound: (accountId: string) => `outbound-${accountId}`,
} as const
