'use client';
/** Runs the page's keyboard shortcuts (view/shortcuts) while no field, terminal or dialog has the keys. */
import { useEffect, useRef } from 'react';
import { shortcutFor, TYPING_TARGET, type ShortcutAction } from './shortcuts';

/** A handler gets the element the key was pressed in (null: the page itself). */
export function useShortcuts(handlers: Partial<Record<ShortcutAction, (target: Element | null) => void>>): void {
  // The latest handlers, without re-adding the listener on every render.
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest(TYPING_TARGET)) return;
      // A dialog has the keys (it closes itself on Escape); the help overlay is one too.
      if (document.querySelector('dialog[open]')) return;
      const s = shortcutFor(e);
      const run = s && latest.current[s.action];
      if (!run) return;
      e.preventDefault();
      run(target);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
