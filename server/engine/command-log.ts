/** The command log: every command the lab ran and every change it observed, for anyone subscribed. */
import { EventEmitter } from 'node:events';
import type { LogEntry } from '../protocol';

/** Entries kept for browsers that connect later. */
export const LOG_CAPACITY = 2000;

export class CommandLog extends EventEmitter<{ entries: [LogEntry[]] }> {
  private entries: LogEntry[] = [];
  private seq = 0;

  append(items: Omit<LogEntry, 'seq' | 'time'>[]): LogEntry[] {
    const time = new Date().toISOString();
    const added = items.map((item) => ({ ...item, seq: ++this.seq, time }));
    this.entries.push(...added);
    if (this.entries.length > LOG_CAPACITY) this.entries.splice(0, this.entries.length - LOG_CAPACITY);
    if (added.length > 0) this.emit('entries', added);
    return added;
  }

  recent(): LogEntry[] {
    return [...this.entries];
  }
}
