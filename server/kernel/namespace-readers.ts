/**
 * Persistent readers: one `ip [-n NS] -json -d -s -batch -` per namespace,
 * kept running with stdin open. iproute2 answers each command line at once,
 * one JSON line per command, so a read costs a pipe round trip instead of a
 * fork and exec.
 *
 * A process inside a namespace keeps that namespace alive after
 * `ip netns del`, so a reader must never outlive its namespace's name: it is
 * closed when /run/netns loses or replaces the name (watched), when sync() is
 * told the name is gone, and before each read if the name now points at
 * another namespace.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { READ_COMMANDS, READ_FLAGS, toReading, type NamespaceReading } from './ip-json';
import { ipReaderIn, REAL_HOST, type Machine } from './machine';
import { BATCH_FAILED_LINE } from './ip';
import { NetnsDirWatcher } from './kernel-monitor';
import type { NamedNamespace } from './namespaces';
import { parseNetDev, type InterfaceCounters } from './proc-net-dev';

/**
 * A read not answered in this long means a stuck reader; it is killed and the
 * read rejected. Generous: a reader's first answer includes starting `ip`
 * (entering a lab machine), which on a loaded 2-core machine took over 2 s,
 * and a server whose first read failed did not start.
 */
export const READ_TIMEOUT_MS = 10_000;

/** The key of the root namespace's reader. */
const ROOT = '';

/** A read whose one-line answer follows changing commands, which answer nothing. */
const DONE_MARKER = 'netns list-id';

export interface NamespaceReadersOptions {
  /** Flags every reader starts with; they hold for the whole process, hence per reader set. */
  flags?: string[];
  /** Where the readers run; default the real machine. */
  machine?: Machine;
}

interface Pending {
  remaining: number;
  results: unknown[];
  resolve: (v: unknown[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class Reader {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<void>;
  private queue: Pending[] = [];
  private buffer = '';
  private stderr = '';
  private dead = false;
  /** Lines written to the process so far: a failure names its line from the start. */
  private sent = 0;

  constructor(
    readonly key: string,
    /** The inode of the namespace file when the reader started; 0 for the root. */
    readonly inode: number,
    argv: string[],
    machine: Machine,
    private readonly onDead: (r: Reader) => void,
  ) {
    const { file, args } = ipReaderIn(machine, argv);
    this.child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      if (this.stderr.length < 4096) this.stderr += chunk;
    });
    this.child.stdin.on('error', () => {}); // EPIPE after ip exits; the exit handler tells the callers
    this.exited = new Promise((resolve) => {
      this.child.once('close', () => {
        this.fail(this.stderr.trim() || `ip exited (${this.child.exitCode ?? this.child.signalCode})`);
        resolve();
      });
      this.child.once('error', (e) => {
        this.fail(e.message);
        resolve();
      });
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Set once /proc showed the process inside its namespace (`ip -n` enters it as it starts). */
  inNamespace = false;

  request(commands: string[], results = commands.length): Promise<unknown[]> {
    if (this.dead) return Promise.reject(new Error(`reader for ${this.label} is closed`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.kill(`no answer in ${READ_TIMEOUT_MS} ms`), READ_TIMEOUT_MS);
      this.queue.push({ remaining: results, results: [], resolve, reject, timer });
      this.child.stdin.write(commands.join('\n') + '\n');
      this.sent += commands.length;
    });
  }

  /**
   * Runs changing commands, which print nothing, then a read whose answer
   * tells they are done. A failing command ends the process (no -force), and
   * the reply names it by its place among `commands`.
   */
  async execute(commands: string[]): Promise<{ ok: true } | { ok: false; failedAt: number; message: string }> {
    const first = this.sent + 1;
    try {
      await this.request([...commands, DONE_MARKER], 1);
      return { ok: true };
    } catch (e) {
      await this.exited;
      const m = BATCH_FAILED_LINE.exec(this.stderr);
      const line = m ? Number(m[1]) : first;
      const message = this.stderr.replace(BATCH_FAILED_LINE, '').trim() || (e as Error).message;
      return { ok: false, failedAt: Math.max(0, Math.min(commands.length - 1, line - first)), message };
    }
  }

  kill(reason: string): void {
    this.fail(reason);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private get label(): string {
    return this.key === ROOT ? 'the root namespace' : this.key;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      const head = this.queue[0];
      if (!head) return this.kill('output nobody asked for');
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return this.kill(`output that is not JSON: ${line.slice(0, 80)}`);
      }
      head.results.push(value);
      if (--head.remaining === 0) {
        this.queue.shift();
        clearTimeout(head.timer);
        head.resolve(head.results);
      }
    }
  }

  /** Rejects everything waiting and takes the reader out of service; the caller or the exit ends the process. */
  private fail(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    const error = new Error(`ip reader for ${this.label}: ${reason}`);
    for (const p of this.queue.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.child.stdin.end();
    this.onDead(this);
  }
}

export class NamespaceReaders {
  private readonly readers = new Map<string, Reader>();
  private readonly flags: string[];
  private readonly machine: Machine;
  private readonly dir: NetnsDirWatcher;
  private readonly closing = new Set<Promise<void>>();
  /** After closeAll: a late read (a meter's round, an edit in flight) must not start a reader nobody will end. */
  private closed = false;

  constructor(opts: NamespaceReadersOptions = {}) {
    this.flags = opts.flags ?? READ_FLAGS;
    this.machine = opts.machine ?? REAL_HOST;
    this.dir = new NetnsDirWatcher(this.machine.netnsDir);
    this.dir.on('change', (names) => {
      for (const n of names) if (this.readers.has(n) && !this.current(n, this.readers.get(n)!)) void this.close(n);
    });
  }

  /** Namespaces with a running reader (the root as undefined). */
  open(): (string | undefined)[] {
    return [...this.readers.keys()].map((k) => (k === ROOT ? undefined : k)).sort();
  }

  /** The process ids of the running readers, for measuring them. */
  pids(): number[] {
    return [...this.readers.values()].map((r) => r.child.pid).filter((p): p is number => p !== undefined);
  }

  /**
   * Runs read-only commands in a namespace (the root for undefined) and
   * returns one parsed JSON value per command. A failing command ends its
   * reader (iproute2 stops a batch at the first error) and rejects.
   */
  read(netns: string | undefined, commands: string[]): Promise<unknown[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (this.closed) return Promise.reject(new Error('the namespace readers are closed'));
    const bad = commands.find((c) => c.trim() === '' || /[\r\n]/.test(c));
    if (bad !== undefined) return Promise.reject(new Error(`not a single ip command: ${JSON.stringify(bad)}`));
    const key = netns ?? ROOT;
    if (key !== ROOT && (key.includes('/') || key.startsWith('.'))) return Promise.reject(new Error(`not a namespace name: ${JSON.stringify(key)}`));
    let reader = this.readers.get(key);
    const inode = key === ROOT ? 0 : this.inodeOf(key);
    if (inode === undefined) {
      if (reader) void this.close(key);
      return Promise.reject(new Error(`namespace ${key} does not exist`));
    }
    if (reader && reader.inode !== inode) {
      void this.close(key); // the name now points at a new namespace
      reader = undefined;
    }
    if (!reader) reader = this.spawn(key, inode);
    return reader.request(commands);
  }

  /** Whether a namespace has a running reader, still in the namespace its name names. */
  has(netns: string): boolean {
    const reader = this.readers.get(netns);
    return reader !== undefined && reader.alive && this.current(netns, reader);
  }

  /**
   * A namespace's interface counters, from /proc/PID/net/dev of the reader
   * running in it: a file read, with no command for ip to wake up and answer.
   * Undefined when no reader is known to be inside the namespace yet; read
   * `link show` then, which starts one.
   */
  counters(netns: string): InterfaceCounters[] | undefined {
    const reader = this.readers.get(netns);
    const pid = reader?.child.pid;
    // No stat of the name here: the directory watch closes a reader whose name was given to a new namespace.
    if (!reader || !reader.alive || pid === undefined) return undefined;
    if (!reader.inNamespace) {
      if (processNetnsInode(pid) !== reader.inode) return undefined;
      reader.inNamespace = true;
    }
    try {
      return parseNetDev(readFileSync(`/proc/${pid}/net/dev`, 'utf8'));
    } catch {
      return undefined; // the reader ended meanwhile
    }
  }

  /**
   * Runs changing `ip` commands in a namespace through its running reader: no
   * process to start. Only for a namespace that has one (see has()); a
   * failure ends that reader, and the next read starts another.
   */
  execute(netns: string, commands: string[]): Promise<{ ok: true } | { ok: false; failedAt: number; message: string }> {
    const reader = this.readers.get(netns);
    if (!reader || !reader.alive) return Promise.reject(new Error(`no reader runs in ${netns}`));
    return reader.execute(commands);
  }

  /** Ends a namespace's reader (the root's for undefined); resolves once the process is gone. */
  async close(netns: string | undefined): Promise<void> {
    const key = netns ?? ROOT;
    const reader = this.readers.get(key);
    if (!reader) return;
    this.readers.delete(key);
    reader.kill('closed');
    await this.track(reader.exited);
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.readers.keys()].map((k) => this.close(k === ROOT ? undefined : k)));
    await Promise.all([...this.closing]);
    this.dir.stop();
  }

  /**
   * Closes the readers of namespaces not in `namespaces` (the root's stays).
   * A listing that carries inodes (listNamespaces()) is trusted as read; a
   * bare name is looked up again.
   */
  async sync(namespaces: Iterable<string | NamedNamespace>): Promise<void> {
    const keep = new Map<string, number | undefined>();
    for (const n of namespaces) keep.set(typeof n === 'string' ? n : n.name, typeof n === 'string' ? undefined : n.inode);
    const gone = [...this.readers.entries()].filter(([k, r]) => {
      if (k === ROOT) return false;
      if (!keep.has(k)) return true;
      const inode = keep.get(k);
      return inode === undefined ? !this.current(k, r) : inode !== r.inode;
    });
    await Promise.all(gone.map(([k]) => this.close(k)));
  }

  private spawn(key: string, inode: number): Reader {
    const argv = [...(key === ROOT ? [] : ['-n', key]), '-json', ...this.flags, '-batch', '-'];
    const reader = new Reader(key, inode, argv, this.machine, (r) => {
      if (this.readers.get(r.key) === r) this.readers.delete(r.key);
      void this.track(r.exited);
      if (this.readers.size === 0) this.dir.stop();
    });
    this.readers.set(key, reader);
    if (key !== ROOT) this.dir.start();
    return reader;
  }

  /** Whether the name still points at the namespace the reader is in. */
  private current(key: string, reader: Reader): boolean {
    return this.inodeOf(key) === reader.inode;
  }

  private inodeOf(name: string): number | undefined {
    return statSync(path.join(this.dir.dir, name), { throwIfNoEntry: false })?.ino;
  }

  private track(p: Promise<void>): Promise<void> {
    this.closing.add(p);
    return p.finally(() => this.closing.delete(p));
  }
}

/** The inode of the network namespace a process is in, from /proc; undefined when it is gone. */
export function processNetnsInode(pid: number): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** readNamespace() from observe.ts, through a persistent reader. */
export async function readNamespaceWith(readers: NamespaceReaders, netns: string | undefined): Promise<NamespaceReading> {
  return toReading(netns, await readers.read(netns, READ_COMMANDS));
}
