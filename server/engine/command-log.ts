/** The command log: every command the lab ran and every change it observed, for anyone subscribed. */
import { EventEmitter } from 'node:events';

/** One line of the command log: a command the lab ran, or a change it observed. */
export interface LogEntry {
  seq: number;
  /** ISO time. */
  time: string;
  source: 'lab' | 'observed' | 'info';
  /** `ip -n vnet0 addr add 10.0.1.0/24 dev veth0`, or a sentence for observed changes. */
  text: string;
  reason?: string;
  status: 'ok' | 'error' | 'not-run' | 'info';
  /** The kernel's message when status is error. */
  message?: string;
  /** The lab's own upkeep (ownership marks, namespace ids), not a command a student would type: hidden unless asked for. */
  bookkeeping?: boolean;
}


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
