'use client';
import { useMemo, useState } from 'react';
import type { TerminalHub } from '../lab/terminal-hub';
import { useLabStore } from '../lab/lab-store';
import CommandLog, { logAsScript } from './CommandLog';
import TerminalView from './TerminalView';

export const LOG_TAB = 'log';
export const PACKETS_TAB = 'packets';

interface Props {
  /** Folded: only the tab bar shows, the canvas takes the rest. */
  open: boolean;
  onToggle(): void;
  hub: TerminalHub | null;
  active: string;
  onActivate(tab: string): void;
  onCloseTerminal(id: string): void;
  /** Closes every terminal whose shell or ping has ended. */
  onCloseEnded(): void;
  /** Copies the history (every command run, in order). */
  onCopyHistory(script: string): void;
  /** Copies the commands that build the lab as it is (the export script). */
  onCopyBuild(): void;
  canRead: boolean;
  /** A view link: its terminals are the lab's, watched; closing a tab only hides it here. */
  watchOnly: boolean;
  /** The Packets tab's content (it needs the lab's connection). */
  packets: React.ReactNode;
  /** Captures running: the tab says so. */
  capturing: boolean;
}

/** Tabs under the canvas: the command log, the packets, and one per terminal. */
export default function BottomPanel({ open, onToggle, hub, active, onActivate, onCloseTerminal, onCloseEnded, onCopyHistory, onCopyBuild, canRead, watchOnly, packets, capturing }: Props) {
  const log = useLabStore((s) => s.log);
  const terminals = useLabStore((s) => s.terminals);
  // The lab's own upkeep (ownership marks, namespace ids) is not what a student types: hidden unless asked for.
  const [showBookkeeping, setShowBookkeeping] = useState(false);
  const shown = useMemo(() => (showBookkeeping ? log : log.filter((e) => !e.bookkeeping)), [log, showBookkeeping]);
  const errors = useMemo(() => log.filter((e) => e.status === 'error').length, [log]);
  const ended = terminals.filter((t) => t.ended).length;
  return (
    <section className={`bottom-panel${open ? '' : ' folded'}`} aria-label="Command log and terminals">
      <div className="tabbar">
        <div className="tabs-fixed" role="tablist" aria-label="Bottom panel">
          <button
            type="button"
            role="tab"
            id="tab-log"
            aria-controls="panel-log"
            aria-selected={active === LOG_TAB}
            className={`tab${active === LOG_TAB ? ' active' : ''}`}
            onClick={() => onActivate(LOG_TAB)}
          >
            Command log
            {errors > 0 && (
              <span className="tab-badge error" title={`${errors} failed`}>
                {errors}
              </span>
            )}
          </button>
          <button
            type="button"
            role="tab"
            id="tab-packets"
            aria-controls="panel-packets"
            aria-selected={active === PACKETS_TAB}
            className={`tab${active === PACKETS_TAB ? ' active' : ''}`}
            onClick={() => onActivate(PACKETS_TAB)}
          >
            {capturing && <span className="rec-dot" aria-label="capturing" />}
            Packets
          </button>
          {/* Terminal tabs scroll among themselves: the two tabs above never leave the screen. */}
          <div className="tabs-scroll" role="presentation">
            {terminals.map((t) => (
              <div key={t.id} className={`tab terminal-tab${active === t.id ? ' active' : ''}${t.ended ? ' ended' : ''}`}>
                <button type="button" role="tab" id={`tab-${t.id}`} aria-controls={`panel-${t.id}`} aria-selected={active === t.id} className="tab-label" onClick={() => onActivate(t.id)} title={t.ended ? `${t.title} (ended)` : t.title}>
                  <span className="tab-prompt" aria-hidden="true">
                    $
                  </span>
                  {t.title}
                  {t.ended && <span className="tab-ended"> (ended)</span>}
                </button>
                <button
                  type="button"
                  className="tab-close"
                  aria-label={watchOnly ? `Hide terminal ${t.title}` : `Close terminal ${t.title}`}
                  title={watchOnly ? 'Stop watching it here; the terminal stays open in the lab' : 'End this terminal, for every browser of the lab, and close its tab'}
                  onClick={() => onCloseTerminal(t.id)}
                >
                  ×
                </button>
              </div>
            ))}
          </div>
        </div>
        {ended > 0 && (
          <button type="button" className="btn btn-small" onClick={onCloseEnded} title="Close every terminal whose shell or ping has ended">
            Close {ended} ended
          </button>
        )}
        {active === LOG_TAB && open && (
          <>
            <label className="log-option" title="Show the lab's own upkeep commands (ownership marks, namespace ids for the watcher)">
              <input type="checkbox" checked={showBookkeeping} onChange={(e) => setShowBookkeeping(e.target.checked)} /> bookkeeping
            </label>
            <button type="button" className="btn btn-small" onClick={onCopyBuild} disabled={!canRead} title="The shortest commands that build this lab as it is now, from nothing (the export script)">
              Copy build commands
            </button>
            <button type="button" className="btn btn-small" onClick={() => onCopyHistory(logAsScript(log))} disabled={log.length === 0} title="Every command the lab ran, in order, failures included as comments">
              Copy history
            </button>
          </>
        )}
        <button type="button" className="panel-fold" aria-label={open ? 'Hide the bottom panel' : 'Show the bottom panel'} aria-expanded={open} title={`${open ? 'Hide' : 'Show'} the bottom panel (B)`} onClick={onToggle}>
          {open ? '▾' : '▴'}
        </button>
      </div>
      <div className="tab-panels" hidden={!open}>
        <div role="tabpanel" id="panel-log" aria-labelledby="tab-log" hidden={active !== LOG_TAB} className="tab-panel">
          <CommandLog entries={shown} />
        </div>
        <div role="tabpanel" id="panel-packets" aria-labelledby="tab-packets" hidden={active !== PACKETS_TAB} className="tab-panel">
          {packets}
        </div>
        {hub &&
          terminals.map((t) => (
            <div key={t.id} role="tabpanel" id={`panel-${t.id}`} aria-labelledby={`tab-${t.id}`} hidden={active !== t.id} className="tab-panel terminal-panel">
              <TerminalView id={t.id} hub={hub} active={active === t.id && open} ended={t.ended} />
            </div>
          ))}
      </div>
    </section>
  );
}
