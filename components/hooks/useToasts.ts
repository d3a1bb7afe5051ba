'use client';
/** Short messages in the corner (errors from the server's answers), each gone after a while. */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
  /** A button in the toast, e.g. Undo. */
  action?: { label: string; run(): void };
}

/**
 * A server's refusal as a person reads it: "rename: the name ... is taken"
 * names the protocol's field, which the form already shows; a file's path
 * (`nodes.ns1.interfaces.veth0`) stays, it says where in the file.
 */
export function readableError(text: string): string {
  const t = text.replace(/^[a-z][A-Za-z]*: /, '');
  return t === text ? text : t.charAt(0).toUpperCase() + t.slice(1);
}

/** Long enough to read a kernel error message aloud to the class. */
export const TOAST_ERROR_MS = 9000;
export const TOAST_INFO_MS = 4000;
/** More at once would cover the canvas; the command log keeps them all anyway. */
const MAX_TOASTS = 4;

export function useToasts(): { toasts: Toast[]; push(kind: Toast['kind'], text: string, action?: Toast['action']): number; dismiss(id: number): void } {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((ts) => ts.filter((t) => t.id !== id));
  }, []);

  const push = useCallback(
    (kind: Toast['kind'], text: string, action?: Toast['action']) => {
      const id = nextId.current++;
      const shown = kind === 'error' ? readableError(text) : text;
      setToasts((ts) => [...ts, { id, kind, text: shown, action }].slice(-MAX_TOASTS));
      // An offer (Undo) stays as long as an error: it must be there when the teacher looks for it.
      timers.current.set(id, setTimeout(() => dismiss(id), kind === 'error' || action ? TOAST_ERROR_MS : TOAST_INFO_MS));
      return id;
    },
    [dismiss],
  );

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => clearTimeout(t));
  }, []);

  return { toasts, push, dismiss };
}
