/**
 * The one way tests wait: for a condition, polled, with a deadline whose
 * error names what was awaited. No test sleeps a fixed time for something it
 * can check.
 */

/** Long enough for a kernel edit or a page update on a busy 2-core machine, short enough to fail fast. */
export const WAIT_MS = 20_000;

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns a value (not undefined or false) and returns
 * it; throws after `timeoutMs` naming `what` (and the last error `check` threw).
 */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, opts: number | { timeoutMs?: number; everyMs?: number } = {}): Promise<T> {
  const { timeoutMs = WAIT_MS, everyMs = 100 } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await pause(everyMs);
  }
}

/** Waits until `read` gives the same text twice in a row `everyMs` apart (an animation has ended). */
export async function steady(what: string, read: () => string | Promise<string>, opts: { timeoutMs?: number; everyMs?: number } = {}): Promise<void> {
  let last: string | undefined;
  await until(what, async () => {
    const now = await read();
    const same = now === last;
    last = now;
    return same;
  }, { everyMs: 150, ...opts });
}
