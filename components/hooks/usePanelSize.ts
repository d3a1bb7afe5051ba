'use client';
/** A panel size the teacher can drag (or set with the arrow keys), remembered in this browser. */
import { useCallback, useEffect, useState } from 'react';

export interface PanelSize {
  size: number;
  separatorProps: React.HTMLAttributes<HTMLDivElement>;
}

const KEY_STEP_PX = 24;

export function usePanelSize(storageKey: string, initial: number, min: number, maxFraction: number): PanelSize {
  const [size, setSize] = useState(initial);

  useEffect(() => {
    const saved = Number(localStorage.getItem(storageKey));
    if (Number.isFinite(saved) && saved >= min) setSize(saved);
  }, [storageKey, min]);

  const clamp = useCallback((v: number) => Math.round(Math.max(min, Math.min(v, window.innerHeight * maxFraction))), [min, maxFraction]);
  const commit = useCallback(
    (v: number) => {
      const c = clamp(v);
      setSize(c);
      localStorage.setItem(storageKey, String(c));
    },
    [clamp, storageKey],
  );

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    const startY = e.clientY;
    const startSize = size;
    const el = e.currentTarget;
    el.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => setSize(clamp(startSize + startY - ev.clientY));
    const up = (ev: PointerEvent) => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
      commit(startSize + startY - ev.clientY);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'ArrowUp') commit(size + KEY_STEP_PX);
    else if (e.key === 'ArrowDown') commit(size - KEY_STEP_PX);
    else return;
    e.preventDefault();
  };

  return {
    size,
    separatorProps: {
      role: 'separator',
      'aria-orientation': 'horizontal',
      'aria-label': 'Resize the bottom panel',
      'aria-valuenow': size,
      tabIndex: 0,
      onPointerDown,
      onKeyDown,
    },
  };
}
