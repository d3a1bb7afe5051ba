'use client';
/** Short messages in the corner (errors from the server's answers), each gone after a while. */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** Long enough to read a kernel error message aloud to the class. */
export const TOAST_ERROR_MS = 9000;
export const TOAST_INFO_MS = 4000;
/** More at once would cover the canvas; the command log keeps them all anyway. */
const MAX_TOASTS = 4;

export function useToasts(): { toasts: Toast[]; push(kind: Toast['kind'], text: string): void; dismiss(id: number): void } {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((ts) => ts.filter((t) => t.id !== id));
  }, []);

  const push = useCallback(
    (kind: Toast['kind'], text: string) => {
      const id = nextId.current++;
      setToasts((ts) => [...ts, { id, kind, text }].slice(-MAX_TOASTS));
      timers.current.set(id, setTimeout(() => dismiss(id), kind === 'error' ? TOAST_ERROR_MS : TOAST_INFO_MS));
    },
    [dismiss],
  );

  useEffect(() => {
    const all = timers.current;
    return () => all.forEach((t) => clearTimeout(t));
  }, []);

  return { toasts, push, dismiss };
}
