'use client';
import { useLayoutEffect, useRef } from 'react';
import type { LogEntry } from '@/server/protocol';
import { formatClock } from '../lib/format';
import { StatusIcon } from '../ui/icons';

/** Within this distance of the bottom the log follows new entries; further up the reader is reading. */
const STICK_TO_BOTTOM_PX = 40;

/** The lab's commands as a shell script, each with its reason as a comment. */
export function logAsScript(entries: LogEntry[]): string {
  const lines = ['#!/bin/sh', '# Commands run by vethlab, in order.'];
  for (const e of entries) {
    if (e.source !== 'lab' || e.status === 'not-run' || e.bookkeeping) continue;
    if (e.reason) lines.push(`# ${e.reason}`);
    if (e.status === 'error') lines.push(`# failed: ${(e.message ?? '').replace(/\n/g, ' ')}`);
    lines.push(e.text);
  }
  return lines.join('\n') + '\n';
}

export default function CommandLog({ entries }: { entries: LogEntry[] }) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [entries]);

  return (
    <div
      className="log"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
      }}
    >
      {entries.length === 0 ? (
        <p className="log-empty">Every command the lab runs appears here, with why it ran and what the kernel said.</p>
      ) : (
        <ol className="log-list" aria-label="Command log">
          {entries.map((e) => (
            <li key={e.seq} className={`log-entry status-${e.status} source-${e.source}`}>
              <time className="log-time" dateTime={e.time}>
                {formatClock(e.time)}
              </time>
              <StatusIcon entry={e} />
              <div className="log-main">
                {e.source === 'lab' ? <code className="log-cmd" title={e.reason}>{e.text}</code> : <span className="log-text">{e.text}</span>}
                {e.reason && <span className="log-reason">{e.reason}</span>}
                {e.message && <div className="log-error">{e.message}</div>}
              </div>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
