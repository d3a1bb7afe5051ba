'use client';
/** Delete or Backspace on the canvas removes the selected node or link (never while typing). */
import { useEffect } from 'react';
import type { Selection } from './useFlowElements';

const TYPING = 'input, textarea, select, [contenteditable="true"], .xterm';

export function useDeleteKey(selection: Selection, onDelete: (selection: NonNullable<Selection>) => void): void {
  useEffect(() => {
    if (!selection) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Delete' && e.key !== 'Backspace') return;
      if (e.repeat || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target instanceof Element ? e.target : null;
      if (target?.closest(TYPING) || document.querySelector('dialog[open]')) return;
      // Only where the selection is visible: the canvas, or nowhere in particular.
      if (target && target !== document.body && !target.closest('.canvas')) return;
      e.preventDefault();
      onDelete(selection);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selection, onDelete]);
}
