'use client';
import { useState } from 'react';
import type { LogEntry } from '@/server/protocol';
import type { TerminalHub, TerminalTab } from '../lab/terminal-hub';
import CommandLog, { logAsScript } from './CommandLog';
import TerminalView from './TerminalView';

export const LOG_TAB = 'log';
export const PACKETS_TAB = 'packets';

interface Props {
  log: LogEntry[];
  terminals: TerminalTab[];
  hub: TerminalHub | null;
  active: string;
  onActivate(tab: string): void;
  onCloseTerminal(id: string): void;
  onCopy(script: string): void;
  /** The Packets tab's content (it needs the lab's connection). */
  packets: React.ReactNode;
  /** Captures running: the tab says so. */
  capturing: boolean;
}

/** Tabs under the canvas: the command log and one per terminal. */
export default function BottomPanel({ log, terminals, hub, active, onActivate, onCloseTerminal, onCopy, packets, capturing }: Props) {
  // The lab's own upkeep (ownership marks, namespace ids) is not what a student types: hidden unless asked for.
  const [showBookkeeping, setShowBookkeeping] = useState(false);
  const shown = showBookkeeping ? log : log.filter((e) => !e.bookkeeping);
  const errors = log.filter((e) => e.status === 'error').length;
  return (
    <section className="bottom-panel" aria-label="Command log and terminals">
      <div className="tabbar">
        <div className="tabs" role="tablist" aria-label="Bottom panel">
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
          {terminals.map((t) => (
            <div key={t.id} className={`tab terminal-tab${active === t.id ? ' active' : ''}${t.ended ? ' ended' : ''}`}>
              <button type="button" role="tab" id={`tab-${t.id}`} aria-controls={`panel-${t.id}`} aria-selected={active === t.id} className="tab-label" onClick={() => onActivate(t.id)} title={t.ended ? `${t.title} (ended)` : t.title}>
                <span className="tab-prompt" aria-hidden="true">
                  $
                </span>
                {t.title}
                {t.ended && <span className="tab-ended"> (ended)</span>}
              </button>
              <button type="button" className="tab-close" aria-label={`Close terminal ${t.title}`} onClick={() => onCloseTerminal(t.id)}>
                ×
              </button>
            </div>
          ))}
        </div>
        {active === LOG_TAB && (
          <>
            <label className="log-option" title="Show the lab's own upkeep commands (ownership marks, namespace ids for the watcher)">
              <input type="checkbox" checked={showBookkeeping} onChange={(e) => setShowBookkeeping(e.target.checked)} /> bookkeeping
            </label>
            <button type="button" className="btn btn-small" onClick={() => onCopy(logAsScript(log))} disabled={log.length === 0} title="Copy the lab's commands as a shell script">
              Copy all
            </button>
          </>
        )}
      </div>
      <div className="tab-panels">
        <div role="tabpanel" id="panel-log" aria-labelledby="tab-log" hidden={active !== LOG_TAB} className="tab-panel">
          <CommandLog entries={shown} />
        </div>
        <div role="tabpanel" id="panel-packets" aria-labelledby="tab-packets" hidden={active !== PACKETS_TAB} className="tab-panel">
          {packets}
        </div>
        {hub &&
          terminals.map((t) => (
            <div key={t.id} role="tabpanel" id={`panel-${t.id}`} aria-labelledby={`tab-${t.id}`} hidden={active !== t.id} className="tab-panel terminal-panel">
              <TerminalView id={t.id} hub={hub} active={active === t.id} ended={t.ended} />
            </div>
          ))}
      </div>
    </section>
  );
}
