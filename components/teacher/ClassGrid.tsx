'use client';
import { memo } from 'react';
import type { ClassTile, StudentLink } from '@/server/protocol';
import MiniDiagram from './MiniDiagram';

interface Props {
  tiles: ClassTile[];
  links: StudentLink[];
  /** Back to the start of the lesson (step 0) or of a step. */
  onReset(lab: string, step: number): void;
  onRemove(lab: string): void;
}

const Tile = memo(function Tile({ tile, link, onReset, onRemove }: { tile: ClassTile; link?: StudentLink; onReset(lab: string, step: number): void; onRemove(lab: string): void }) {
  const l = tile.lesson;
  return (
    <article className={`class-tile${tile.stuck ? ' stuck' : ''}${l && l.done === l.steps ? ' finished' : ''}`} aria-label={`${tile.student}'s lab`} data-lab={tile.lab}>
      <header className="class-tile-head">
        <strong>{tile.student}</strong>
        <span className="muted small">{tile.lab}</span>
      </header>
      <MiniDiagram tile={tile} />
      {l && (
        <div className="class-tile-progress" aria-label={`step ${Math.min(l.current + 1, l.steps)} of ${l.steps}, ${l.done} done`}>
          <div className="lesson-progress">
            <div className="lesson-progress-bar" style={{ width: `${(100 * l.done) / l.steps}%` }} />
            <span className="lesson-progress-text">{l.done === l.steps ? 'all done' : `step ${l.current + 1} of ${l.steps}`}</span>
          </div>
          {l.failing.length > 0 && (
            <p className="class-tile-failing" title={l.failing.join('\n')}>
              ✗ {l.failing[0]}
            </p>
          )}
        </div>
      )}
      <p className="class-tile-activity">
        {tile.lastCommand ? (
          <span className={tile.lastCommand.ok ? '' : 'failed'} title={tile.lastCommand.at}>
            <code>{tile.lastCommand.text}</code>
          </span>
        ) : (
          <span className="muted">no command yet</span>
        )}
        <span className="muted"> · {tile.terminals} terminal{tile.terminals === 1 ? '' : 's'}</span>
      </p>
      {tile.stuck && <p className="class-tile-stuck">⚑ {tile.stuck}</p>}
      <div className="class-tile-actions">
        {link && (
          <>
            <a className="btn btn-small" href={link.view} target="_blank" rel="noreferrer" title="See the lab without changing it">
              Open
            </a>
            <a className="btn btn-small" href={`/lab/${encodeURIComponent(tile.lab)}`} target="_blank" rel="noreferrer" title="Open it as the teacher: edit and type in its terminals; the student sees you are there">
              Take over
            </a>
          </>
        )}
        {l && l.steps > 1 ? (
          <select
            className="btn btn-small"
            aria-label={`Reset ${tile.student}'s lab`}
            value=""
            onChange={(e) => {
              if (e.target.value !== '') onReset(tile.lab, Number(e.target.value));
            }}
          >
            <option value="">Reset…</option>
            <option value="0">to the lesson&apos;s start</option>
            {Array.from({ length: l.steps - 1 }, (_, i) => (
              <option key={i} value={i + 1}>
                to step {i + 2}
              </option>
            ))}
          </select>
        ) : (
          <button type="button" className="btn btn-small" onClick={() => onReset(tile.lab, 0)}>
            Reset
          </button>
        )}
        <button type="button" className="btn btn-small btn-danger-outline" aria-label={`Remove ${tile.student}`} title="Remove this student and delete their lab" onClick={() => onRemove(tile.lab)}>
          ×
        </button>
      </div>
    </article>
  );
});

/** A tile per lab, kept live. */
export default function ClassGrid({ tiles, links, onReset, onRemove }: Props) {
  const byLab = new Map(links.map((l) => [l.lab, l]));
  return (
    <div className="class-grid" role="list" aria-label="Labs of the class">
      {tiles.map((t) => (
        <div role="listitem" key={t.lab}>
          <Tile tile={t} link={byLab.get(t.lab)} onReset={onReset} onRemove={onRemove} />
        </div>
      ))}
    </div>
  );
}
