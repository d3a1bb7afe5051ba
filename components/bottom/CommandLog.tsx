'use client';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogEntry } from '@/server/protocol';
import { formatClock } from '../lib/format';
import { StatusIcon } from '../ui/icons';

/** Within this distance of the bottom the log follows new entries; further up the reader is reading. */
const STICK_TO_BOTTOM_PX = 40;

/** The lab's commands as a shell script, each with its reason as a comment: the history, in order. */
export function logAsScript(entries: LogEntry[]): string {
  const lines = ['#!/bin/sh', '# Every command vethlab ran for this lab, in order (the history, not the shortest way to build it).'];
  for (const e of entries) {
    if (e.source !== 'lab' || e.status === 'not-run' || e.bookkeeping) continue;
    if (e.reason) lines.push(`# ${e.reason}`);
    if (e.status === 'error') lines.push(`# failed: ${(e.message ?? '').replace(/\n/g, ' ')}`);
    lines.push(e.text);
  }
  return lines.join('\n') + '\n';
}

/**
 * One entry of the log. Entries never change once logged, so a row renders
 * once: a new entry renders its own row, not the up to 2000 before it.
 */
const LogRow = memo(function LogRow({ entry: e }: { entry: LogEntry }) {
  return (
    <li className={`log-entry status-${e.status} source-${e.source}`}>
      <time className="log-time" dateTime={e.time}>
        {formatClock(e.time)}
      </time>
      <StatusIcon entry={e} />
      <div className="log-main">
        {e.source === 'lab' ? (
          <code className="log-cmd" title={e.reason}>
            {e.text}
          </code>
        ) : (
          <span className="log-text">{e.text}</span>
        )}
        {e.reason && <span className="log-reason">{e.reason}</span>}
        {e.message && <div className="log-error">{e.message}</div>}
      </div>
    </li>
  );
});

/**
 * The command log. It follows the newest entry unless the reader scrolled
 * up; then a button says how many came meanwhile. It also keeps the bottom
 * in view when the panel is shown again or resized, which a scroll on new
 * entries alone misses (a hidden panel has no height to scroll).
 */
function CommandLog({ entries }: { entries: LogEntry[] }) {
  const box = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const seen = useRef(entries.length);
  const [unseen, setUnseen] = useState(0);
  // How often the rows were rendered: the projector test checks a traffic tick does not redraw them.
  const renders = useRef(0);
  renders.current += 1;

  const toBottom = useCallback(() => {
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    stick.current = true;
    seen.current = entries.length;
    setUnseen(0);
  }, [entries.length]);

  useLayoutEffect(() => {
    box.current?.setAttribute('data-renders', String(renders.current));
    if (stick.current) toBottom();
    else setUnseen(Math.max(0, entries.length - seen.current));
  }, [entries, toBottom]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (stick.current && el.clientHeight > 0) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    if (list.current) observer.observe(list.current);
    return () => observer.disconnect();
  }, [entries.length === 0]);

  return (
    <div className="log-frame">
      <div
        className="log"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          // A hidden panel scrolls to 0 by itself: that is not the reader leaving the bottom.
          if (el.clientHeight === 0) return;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_TO_BOTTOM_PX;
          if (stick.current && unseen > 0) {
            seen.current = entries.length;
            setUnseen(0);
          }
        }}
      >
        {entries.length === 0 ? (
          <p className="log-empty">Every command the lab runs appears here, with why it ran and what the kernel said.</p>
        ) : (
          <ol className="log-list" aria-label="Command log" ref={list}>
            {entries.map((e) => (
              <LogRow key={e.seq} entry={e} />
            ))}
          </ol>
        )}
      </div>
      {unseen > 0 && (
        <button type="button" className="btn btn-small new-entries" onClick={toBottom}>
          ↓ {unseen} new {unseen === 1 ? 'entry' : 'entries'}
        </button>
      )}
    </div>
  );
}

export default memo(CommandLog);
