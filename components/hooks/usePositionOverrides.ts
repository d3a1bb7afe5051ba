'use client';
/**
 * Node positions the page knows before the server does: while a node is
 * dragged, and after the drop until a `lab-state` newer than the server's
 * acknowledgement carries them.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Position } from '@/server/model/topology';

type Phase = 'dragging' | 'sent' | 'stored';
type Overrides = Record<string, { position: Position; phase: Phase }>;

export interface PositionOverrides {
  overrides: Record<string, Position>;
  drag(name: string, position: Position): void;
  /** The positions were sent in a `move-nodes`. */
  sent(positions: Record<string, Position>): void;
  /** The server answered: drop them at the next state (ok) or at once (refused). */
  answered(names: string[], ok: boolean): void;
}

export function usePositionOverrides(stateVersion: number | undefined): PositionOverrides {
  const [entries, setEntries] = useState<Overrides>({});

  useEffect(() => {
    setEntries((prev) => {
      const stored = Object.keys(prev).filter((n) => prev[n].phase === 'stored');
      if (stored.length === 0) return prev;
      const next = { ...prev };
      for (const n of stored) delete next[n];
      return next;
    });
  }, [stateVersion]);

  const drag = useCallback((name: string, position: Position) => {
    setEntries((prev) => ({ ...prev, [name]: { position, phase: 'dragging' } }));
  }, []);

  const sent = useCallback((positions: Record<string, Position>) => {
    setEntries((prev) => {
      const next = { ...prev };
      for (const [n, position] of Object.entries(positions)) next[n] = { position, phase: 'sent' };
      return next;
    });
  }, []);

  const answered = useCallback((names: string[], ok: boolean) => {
    setEntries((prev) => {
      const next = { ...prev };
      for (const n of names) {
        if (next[n]?.phase !== 'sent') continue;
        if (ok) next[n] = { ...next[n], phase: 'stored' };
        else delete next[n];
      }
      return next;
    });
  }, []);

  const overrides = useMemo(() => Object.fromEntries(Object.entries(entries).map(([n, e]) => [n, e.position])), [entries]);
  return { overrides, drag, sent, answered };
}
