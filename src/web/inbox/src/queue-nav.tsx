import { useT } from './hooks.ts'
import type { MessageKey } from './i18n.ts'
import type { QueueCounts, QueueName, Role } from './types.ts'

const QUEUES: { name: QueueName; label: MessageKey }[] = [
  { name: 'mine', label: 'queueMine' },
  { name: 'beats', label: 'queueBeats' },
  { name: 'unassigned', label: 'queueUnassigned' },
  { name: 'escalated', label: 'queueEscalated' },
  { name: 'all', label: 'queueAll' },
]

interface QueueNavProps {
  role: Role
  queue: QueueName
  counts: QueueCounts | null
  onSelect: (queue: QueueName) => void
  onHelp: () => void
}

/** The queues with their open-case counts; "all" only for supervisors, who see the whole station. */
export function QueueNav({ role, queue, counts, onSelect, onHelp }: QueueNavProps) {
  const tr = useT()
  const shown = QUEUES.filter((q) => q.name !== 'all' || role !== 'officer')
  return (
    <nav class="nav" aria-label={tr('queues')}>
      <h2 class="nav-title">{tr('queues')}</h2>
      <ul class="queue-list">
        {shown.map(({ name, label }) => {
          const count = name === 'all' || !counts ? null : counts[name]
          const urgent = name === 'escalated' && (count ?? 0) > 0
          return (
            <li key={name}>
              <button
                type="button"
                class={`queue${queue === name ? ' queue-active' : ''}${urgent ? ' queue-urgent' : ''}`}
                aria-current={queue === name ? 'page' : undefined}
                data-testid={`queue-${name}`}
                onClick={() => onSelect(name)}
              >
                <span class="queue-label">{tr(label)}</span>
                {count !== null && (
                  <span class="queue-count" data-testid="queue-count">
                    {count}
                  </span>
                )}
              </button>
            </li>
          )
        })}
      </ul>
      <button type="button" class="nav-hint" onClick={onHelp}>
        <kbd>?</kbd>
        {tr('help')}
      </button>
    </nav>
  )
}
