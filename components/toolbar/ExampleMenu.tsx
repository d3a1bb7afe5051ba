'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDismiss } from '../hooks/useDismiss';

export interface ExampleEntry {
  file: string;
  title: string;
  description: string;
}

interface Props {
  disabled: boolean;
  onPick(entry: ExampleEntry, yaml: string): void;
  onError(message: string): void;
}

const INDEX_URL = '/topologies/index.json';

function isEntry(x: unknown): x is ExampleEntry {
  const e = x as ExampleEntry;
  return !!e && typeof e.file === 'string' && typeof e.title === 'string' && /^[A-Za-z0-9_.-]+$/.test(e.file);
}

/** `Load example`: a menu of the topologies shipped in /topologies/. */
export default function ExampleMenu({ disabled, onPick, onError }: Props) {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<ExampleEntry[] | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  // The latest callback without re-running the fetch effect on every render of the parent.
  const reportError = useRef(onError);
  useEffect(() => {
    reportError.current = onError;
  });

  useEffect(() => {
    if (!open || entries) return;
    let live = true;
    fetch(INDEX_URL, { cache: 'no-cache' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`${INDEX_URL}: HTTP ${r.status}`))))
      .then((list: unknown) => {
        if (live) setEntries(Array.isArray(list) ? list.filter(isEntry) : []);
      })
      .catch((e: Error) => {
        if (!live) return;
        setOpen(false);
        reportError.current(`could not read the list of examples: ${e.message}`);
      });
    return () => {
      live = false;
    };
  }, [open, entries]);

  useDismiss(open, root, close);

  const pick = async (entry: ExampleEntry) => {
    setOpen(false);
    try {
      const r = await fetch(`/topologies/${encodeURIComponent(entry.file)}`, { cache: 'no-cache' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      onPick(entry, await r.text());
    } catch (e) {
      onError(`could not fetch ${entry.file}: ${(e as Error).message}`);
    }
  };

  return (
    <div className="menu-root" ref={root}>
      <button type="button" className="btn" aria-label="Load example" aria-haspopup="menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen((o) => !o)}>
        Load example ▾
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Examples">
          {entries === null && <p className="menu-note">Loading…</p>}
          {entries?.length === 0 && <p className="menu-note">No examples installed.</p>}
          {entries?.map((e) => (
            <button key={e.file} type="button" role="menuitem" className="menu-item" data-file={e.file} aria-label={e.title} onClick={() => pick(e)}>
              <span className="menu-item-title">{e.title}</span>
              {e.description && <span className="menu-item-desc">{e.description}</span>}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
