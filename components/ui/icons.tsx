/** The few icons the page uses, inline so they render the same everywhere (no emoji font needed). */
import type { LogEntry } from '@/server/protocol';

const common = { width: 16, height: 16, viewBox: '0 0 16 16', 'aria-hidden': true } as const;

export function StatusIcon({ entry }: { entry: Pick<LogEntry, 'status' | 'source'> }) {
  if (entry.source === 'observed') {
    return (
      <span className="log-icon observed" title="observed: a change the lab saw in the kernel" role="img" aria-label="observed">
        <svg {...common}>
          <path d="M1 8s2.6-4.5 7-4.5S15 8 15 8s-2.6 4.5-7 4.5S1 8 1 8z" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <circle cx="8" cy="8" r="2.2" fill="currentColor" />
        </svg>
      </span>
    );
  }
  const label = { ok: 'ok', error: 'error', 'not-run': 'not run', info: 'info' }[entry.status];
  return (
    <span className={`log-icon ${entry.status}`} title={label} role="img" aria-label={label}>
      <svg {...common}>
        {entry.status === 'ok' && <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />}
        {entry.status === 'error' && <path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" />}
        {entry.status === 'not-run' && <circle cx="8" cy="8" r="5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeDasharray="2.5 2" />}
        {entry.status === 'info' && (
          <>
            <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
            <path d="M8 7v4.5M8 4.5v.5" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
          </>
        )}
      </svg>
    </span>
  );
}
