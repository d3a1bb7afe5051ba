/**
 * The packets one capture keeps: a ring bounded in count and in bytes, the
 * oldest dropped first. Ids grow through the ring, so a packet is found by
 * binary search.
 */
export interface RingEntry {
  id: number;
  /** Milliseconds since the epoch. */
  time: number;
  /** Bytes on the wire. */
  length: number;
  data: Buffer;
  /** Which way the frame crossed the capturing interface. */
  direction: 'in' | 'out';
  /** pcap link type of `data`. */
  linkType: number;
}

/** Per-entry cost beyond the bytes: the Buffer object and the entry itself. */
export const ENTRY_OVERHEAD_BYTES = 160;

export class PacketRing<E extends RingEntry = RingEntry> {
  private entries: E[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    readonly maxPackets: number,
    readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  /** Memory the ring holds, as counted against the limits. */
  get usedBytes(): number {
    return this.bytes;
  }

  push(e: E): void {
    this.entries.push(e);
    this.bytes += e.data.length + ENTRY_OVERHEAD_BYTES;
    while (this.size > this.maxPackets || (this.bytes > this.maxBytes && this.size > 1)) this.dropOldest();
  }

  /** Drops the oldest entry; false when empty. */
  dropOldest(): boolean {
    if (this.size === 0) return false;
    const e = this.entries[this.head];
    this.bytes -= e.data.length + ENTRY_OVERHEAD_BYTES;
    this.head++;
    // Compact now and then rather than shifting on every drop.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return true;
  }

  get(id: number): E | undefined {
    let lo = this.head;
    let hi = this.entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const e = this.entries[mid];
      if (e.id === id) return e;
      if (e.id < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Entries from `since` (ms since the epoch) on, oldest first, at most the last `limit`. */
  since(since: number, limit: number): E[] {
    const out: E[] = [];
    for (let i = this.entries.length - 1; i >= this.head && out.length < limit; i--) {
      if (this.entries[i].time < since) break;
      out.push(this.entries[i]);
    }
    return out.reverse();
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }
}
