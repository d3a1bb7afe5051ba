/**
 * Flow control by acknowledgement, as in VS Code's terminalProcess: every
 * attached client tells how many characters of output it has rendered; while
 * any of them lags too far behind, the pty is not read, so a program that
 * floods the terminal blocks in write() instead of filling the server's memory
 * and the browser's socket.
 */

/**
 * Unacknowledged characters at which reading the pty pauses. VS Code's value:
 * a few screens' worth, a fraction of a second of xterm.js rendering.
 */
export const HIGH_WATERMARK_CHARS = 100_000;
/** Reading resumes once every client is below this, so pause/resume does not flap. */
export const LOW_WATERMARK_CHARS = 5_000;

export class AckFlowControl {
  /** Characters sent but not yet acknowledged, per attached client id. */
  private readonly unacked = new Map<string, number>();
  private isPaused = false;

  constructor(
    private readonly onPause: () => void,
    private readonly onResume: () => void,
    private readonly high: number = HIGH_WATERMARK_CHARS,
    private readonly low: number = LOW_WATERMARK_CHARS,
  ) {}

  get paused(): boolean {
    return this.isPaused;
  }

  clients(): string[] {
    return [...this.unacked.keys()];
  }

  unacknowledged(clientId: string): number | undefined {
    return this.unacked.get(clientId);
  }

  /** A client starts receiving output; what it already has (the scrollback) is not counted. */
  attach(clientId: string): void {
    if (!this.unacked.has(clientId)) this.unacked.set(clientId, 0);
  }

  /** A client is gone: its lag must no longer hold the pty. */
  detach(clientId: string): void {
    if (this.unacked.delete(clientId)) this.update();
  }

  /** Output of this many characters is on its way to every attached client. */
  sent(chars: number): void {
    if (chars <= 0 || this.unacked.size === 0) return;
    for (const [id, n] of this.unacked) this.unacked.set(id, n + chars);
    this.update();
  }

  /** The client has rendered this many more characters. Unknown clients are ignored. */
  ack(clientId: string, chars: number): void {
    const n = this.unacked.get(clientId);
    if (n === undefined || !Number.isFinite(chars) || chars <= 0) return;
    // Clamped at zero: a client acknowledging the scrollback it got on attach must not earn credit.
    this.unacked.set(clientId, Math.max(0, n - chars));
    this.update();
  }

  /** Forgets every client's lag and resumes (after Ctrl-C the flood is over; the prompt must show). */
  forgive(): void {
    for (const id of this.unacked.keys()) this.unacked.set(id, 0);
    this.update();
  }

  private update(): void {
    let max = 0;
    for (const n of this.unacked.values()) max = Math.max(max, n);
    if (!this.isPaused && max > this.high) {
      this.isPaused = true;
      this.onPause();
    } else if (this.isPaused && max < this.low) {
      this.isPaused = false;
      this.onResume();
    }
  }
}
