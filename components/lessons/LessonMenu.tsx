'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDismiss } from '../hooks/useDismiss';
import type { Ack, LessonSummary } from '@/server/protocol';

interface Props {
  disabled: boolean;
  list(): Promise<Ack<{ lessons: LessonSummary[] }>>;
  onPick(req: { id: string } | { source: string; name: string }, title: string): void;
  onError(message: string): void;
}

/** Largest lesson file the page sends (the server's limit too). */
const MAX_LESSON_BYTES = 256 * 1024;

/** `Lessons`: the shipped lessons, and a teacher's own lesson file. */
export default function LessonMenu({ disabled, list, onPick, onError }: Props) {
  const [open, setOpen] = useState(false);
  const [lessons, setLessons] = useState<LessonSummary[] | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const file = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!open || lessons) return;
    void list().then((r) => {
      if (r.ok) setLessons(r.lessons);
      else {
        setOpen(false);
        onError(r.error);
      }
    });
  }, [open, lessons, list, onError]);

  useDismiss(open, root, close);

  return (
    <div className="menu-root" ref={root}>
      <button type="button" className="btn" aria-haspopup="menu" aria-expanded={open} disabled={disabled} onClick={() => setOpen((o) => !o)}>
        Lessons ▾
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Lessons">
          {lessons === null && <p className="menu-note">Loading…</p>}
          {lessons?.map((l) => (
            <button
              key={l.id}
              type="button"
              role="menuitem"
              className="menu-item"
              data-lesson={l.id}
              onClick={() => {
                setOpen(false);
                onPick({ id: l.id }, l.title);
              }}
            >
              <span className="menu-item-title">{l.title}</span>
              <span className="menu-item-desc">
                {l.steps} steps · {l.goal}
              </span>
            </button>
          ))}
          <button type="button" role="menuitem" className="menu-item" onClick={() => file.current?.click()}>
            <span className="menu-item-title">Open a lesson file…</span>
            <span className="menu-item-desc">Your own lesson (.md): docs/lesson-format.md says how to write one</span>
          </button>
        </div>
      )}
      <input
        ref={file}
        type="file"
        accept=".md,text/markdown"
        hidden
        onChange={async (e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          setOpen(false);
          if (!f) return;
          if (f.size > MAX_LESSON_BYTES) return onError(`${f.name} is ${f.size} bytes; a lesson file is at most ${MAX_LESSON_BYTES}`);
          onPick({ source: await f.text(), name: f.name.replace(/\.md$/i, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 64) || 'my-lesson' }, f.name);
        }}
      />
    </div>
  );
}
