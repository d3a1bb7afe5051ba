/**
 * The recent output of one terminal, kept on the server so that a browser that
 * reloads (or attaches late) sees what the shell printed meanwhile.
 */

/**
 * Characters of output kept per terminal: a few screens of a busy `tcpdump`,
 * small enough that 64 terminals stay well under 100 MB.
 */
export const SCROLLBACK_MAX_CHARS = 256 * 1024;

/**
 * When trimming, the cut moves forward to the next line start if one is this
 * close, so a re-attaching terminal does not begin inside an escape sequence.
 */
const LINE_ALIGN_SEARCH_CHARS = 4096;

export class Scrollback {
  private chunks: string[] = [];
  private total = 0;

  constructor(readonly maxChars: number = SCROLLBACK_MAX_CHARS) {}

  get length(): number {
    return this.total;
  }

  append(data: string): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.total += data.length;
    if (this.total > this.maxChars) this.trim();
  }

  text(): string {
    if (this.chunks.length > 1) this.chunks = [this.chunks.join('')];
    return this.chunks[0] ?? '';
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
  }

  private trim(): void {
    while (this.chunks.length > 1 && this.total - this.chunks[0].length >= this.maxChars) {
      this.total -= this.chunks.shift()!.length;
    }
    let excess = this.total - this.maxChars;
    if (excess <= 0) return;
    const first = this.chunks[0];
    const newline = first.indexOf('\n', excess);
    if (newline >= 0 && newline - excess < LINE_ALIGN_SEARCH_CHARS) excess = newline + 1;
    // Never keep half of a UTF-16 surrogate pair.
    const code = first.charCodeAt(excess);
    if (code >= 0xdc00 && code <= 0xdfff) excess++;
    if (excess >= first.length) {
      this.chunks.shift();
      this.total -= first.length;
    } else {
      this.chunks[0] = first.slice(excess);
      this.total -= excess;
    }
  }
}
