/**
 * Terminal dimensions as the browser reports them, checked and clamped before
 * they reach the kernel (TIOCSWINSZ takes unsigned shorts; a huge or NaN size
 * would make full-screen programs allocate absurd buffers or misdraw).
 */

/** Narrower than one column is meaningless; node-pty throws on 0. */
export const MIN_COLS = 1;
/** Wider than any real browser window at the smallest readable font. */
export const MAX_COLS = 500;
export const MIN_ROWS = 1;
/** Taller than any real browser window at the smallest readable font. */
export const MAX_ROWS = 200;
/** What a terminal gets when the browser has not measured itself yet. */
export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;

export type TerminalSize = { cols: number; rows: number };

/**
 * Checks that both numbers are integers and clamps them into range; returns a
 * sentence instead when they are not numbers, NaN, infinite or fractional.
 */
export function checkTerminalSize(cols: unknown, rows: unknown): TerminalSize | { error: string } {
  for (const [name, value] of [['cols', cols], ['rows', rows]] as const) {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return { error: `${name} must be an integer, not ${describe(value)}` };
    }
  }
  return {
    cols: clamp(cols as number, MIN_COLS, MAX_COLS),
    rows: clamp(rows as number, MIN_ROWS, MAX_ROWS),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 20));
  return typeof value;
}
