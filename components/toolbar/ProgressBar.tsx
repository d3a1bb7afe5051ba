'use client';
import type { Progress } from '@/server/protocol';

/** What the server is doing now (`lab-progress`); the page stays usable meanwhile. */
export default function ProgressBar({ progress }: { progress: Progress }) {
  const pct = progress.total > 0 ? Math.min(100, Math.round((progress.done / progress.total) * 100)) : 0;
  return (
    <div className="progress" role="progressbar" aria-label={progress.label} aria-valuemin={0} aria-valuemax={progress.total} aria-valuenow={progress.done}>
      <span className="progress-label">
        {progress.label} <span className="progress-count">{progress.done}/{progress.total}</span>
      </span>
      <span className="progress-track">
        <span className="progress-fill" style={{ width: `${pct}%` }} />
      </span>
    </div>
  );
}
