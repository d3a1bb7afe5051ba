/**
 * Collects pty output for a few milliseconds and hands it on in one piece, as
 * the xterm.js demo server does: a flood of small reads becomes a few large
 * messages, while the first output after a keystroke (its echo) goes at once.
 */

/** Long enough to merge the many small reads of a busy program, short enough to be invisible. */
export const OUTPUT_BATCH_MS = 5;

/**
 * A batch is sent early when it reaches this size. 64 Ki characters stay under
 * the 1 MiB socket message limit even if every character is JSON-escaped (6 bytes).
 */
export const OUTPUT_BATCH_MAX_CHARS = 64 * 1024;

export class OutputBatcher {
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | null = null;
  private sendNextAtOnce = false;

  constructor(
    private readonly emit: (data: string) => void,
    private readonly delayMs: number = OUTPUT_BATCH_MS,
    private readonly maxChars: number = OUTPUT_BATCH_MAX_CHARS,
  ) {}

  push(data: string): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingChars += data.length;
    if (this.sendNextAtOnce || this.pendingChars >= this.maxChars) {
      this.sendNextAtOnce = false;
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.delayMs);
    }
  }

  /** Sends what is pending now. */
  flush(): void {
    this.cancelTimer();
    if (this.pendingChars === 0) return;
    const data = this.pending.length === 1 ? this.pending[0] : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.emit(data);
  }

  /** After input: send what is pending and let the next output (the echo) through without waiting. */
  flushForInput(): void {
    this.flush();
    this.sendNextAtOnce = true;
  }

  /** Forgets what is pending (after Ctrl-C the rest of a flood is not worth sending). */
  drop(): void {
    this.cancelTimer();
    this.pending = [];
    this.pendingChars = 0;
  }

  dispose(): void {
    this.drop();
    this.sendNextAtOnce = false;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
