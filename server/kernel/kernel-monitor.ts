/**
 * Tells which namespaces changed, so the server re-reads only those: one
 * `ip -t monitor all-nsid link address route` in the root namespace for
 * links, addresses and routes in every namespace that has an nsid there, and
 * a watch on /run/netns for namespaces that come and go.
 *
 * `ip monitor` names a namespace by its nsid in the root (`[nsid 3]`, or
 * `[nsid current]` for the root itself); a namespace without one is not
 * reported at all, which is what ensureWatched() is for.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { watch, readdirSync, statSync, readFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { runIp } from './ip';
import { IP_BINARY, ipReaderIn, REAL_HOST, type Machine } from './machine';
import { NETNS_DIR } from './namespaces';
import type { IpNsid } from './ip-json';
import { netnsNameProblem } from '../model/names';

/** Events are gathered this long after the first one, then told at once: one command makes several. */
export const COALESCE_MS = 30;
/** The first wait before restarting a dead `ip monitor`; doubled on each failure in a row. */
export const RESTART_BACKOFF_MS = 250;
export const RESTART_BACKOFF_MAX_MS = 10_000;
/** A monitor that ran this long died by accident, not by a fault that comes straight back: the backoff starts over. */
export const STABLE_RUN_MS = 30_000;
/** How often to look for the netns directory when neither it nor its parent can be watched. */
export const DIR_POLL_MS = 2000;
/** How long start() waits for `ip monitor` to be listening before giving up waiting (it keeps running). */
export const MONITOR_READY_TIMEOUT_MS = 1000;
const READY_POLL_MS = 2;

/**
 * The monitor's netlink receive buffer (the kernel caps it at net.core.rmem_max
 * and doubles it). Applying or destroying a lab of a hundred namespaces makes
 * thousands of messages at once; a buffer that overflows drops events (then
 * everything is re-read, see 'events-lost'). iproute2's default is 1 MiB.
 */
export const MONITOR_RCVBUF_BYTES = 4 * 1024 * 1024;

/** netconf: a `sysctl -w net.ipv4.ip_forward=1` typed in a terminal reaches the canvas too. */
export const MONITOR_ARGS = ['-rcvbuf', String(MONITOR_RCVBUF_BYTES), '-t', 'monitor', 'all-nsid', 'link', 'address', 'route', 'netconf'];

// ---------------------------------------------------------------------------

type DirEvents = { change: [string[]] };

/**
 * Watches the named-namespace directory and tells which names were added,
 * removed or replaced (same name, new inode). Rescans the directory on every
 * event rather than trusting the event's file name alone (it may be missing,
 * and events may be merged), and also tells the names events carried: a
 * namespace added and deleted between two scans is still a change. When the directory does not exist yet (no namespace
 * was ever added since boot), watches its parent for it, or polls.
 */
export class NetnsDirWatcher extends EventEmitter<DirEvents> {
  private listing = new Map<string, number>();
  private dirWatcher?: FSWatcher;
  private parentWatcher?: FSWatcher;
  private pollTimer?: NodeJS.Timeout;
  private rescanTimer?: NodeJS.Timeout;
  private running = false;
  /** Names the kernel said were created or removed since the last scan: one may come and go between two scans. */
  private hinted = new Set<string>();

  constructor(readonly dir: string = NETNS_DIR) {
    super();
  }

  /** Names present at the last scan, sorted. */
  names(): string[] {
    return [...this.listing.keys()].sort();
  }

  inode(name: string): number | undefined {
    return this.listing.get(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.listing = scanDir(this.dir);
    this.watchDir();
  }

  stop(): void {
    this.running = false;
    this.dirWatcher?.close();
    this.parentWatcher?.close();
    this.dirWatcher = this.parentWatcher = undefined;
    clearTimeout(this.pollTimer);
    clearTimeout(this.rescanTimer);
    this.pollTimer = this.rescanTimer = undefined;
  }

  private watchDir(): void {
    if (!this.running) return;
    try {
      this.dirWatcher = watch(this.dir, { persistent: false }, (type, name) => {
        if (type === 'rename' && name) this.hinted.add(name);
        this.scheduleRescan();
      });
      this.dirWatcher.on('error', () => {
        // The directory itself went away: report its names gone, then wait for it again.
        this.dirWatcher?.close();
        this.dirWatcher = undefined;
        this.rescan();
        this.watchDir();
      });
      this.parentWatcher?.close();
      this.parentWatcher = undefined;
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.rescan(); // whatever appeared before the watch began
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (this.parentWatcher || this.pollTimer) return;
    const base = path.basename(this.dir);
    try {
      this.parentWatcher = watch(path.dirname(this.dir), { persistent: false }, (_type, name) => {
        if (name === null || name === base) this.watchDir();
      });
      this.parentWatcher.on('error', () => {
        this.parentWatcher?.close();
        this.parentWatcher = undefined;
        this.poll();
      });
    } catch {
      this.poll();
    }
  }

  private poll(): void {
    if (!this.running || this.pollTimer) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      this.watchDir();
      if (!this.dirWatcher) this.poll();
    }, DIR_POLL_MS);
    this.pollTimer.unref();
  }

  /** Merges a burst of directory events (an add is a create, a mount and a close) into one scan. */
  private scheduleRescan(): void {
    if (this.rescanTimer) return;
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      this.rescan();
    }, 0);
  }

  private rescan(): void {
    if (!this.running) return;
    const now = scanDir(this.dir);
    const changed = new Set(this.hinted);
    this.hinted.clear();
    for (const [name, inode] of now) if (this.listing.get(name) !== inode) changed.add(name);
    for (const name of this.listing.keys()) if (!now.has(name)) changed.add(name);
    this.listing = now;
    if (changed.size > 0) this.emit('change', [...changed].sort());
  }
}

/** name -> inode of each namespace file; synchronous for the reason given in namespaces.ts. */
function scanDir(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const s = statSync(path.join(dir, name), { throwIfNoEntry: false });
    if (s) out.set(name, s.ino);
  }
  return out;
}

// ---------------------------------------------------------------------------

export interface KernelMonitorOptions {
  /** Where to watch; default the real machine. */
  machine?: Machine;
}

type MonitorEvents = {
  /** Namespaces that changed (deleted ones included) and whether the root did. */
  changed: [Set<string>, boolean];
  /** `ip monitor` died and will be restarted after `delayMs`; events in between are lost, so a full `changed` follows the restart. */
  'monitor-exit': [{ code: number | null; signal: string | null; delayMs: number }];
  /** The kernel dropped events (the socket overflowed in a burst; `ip monitor` says so and goes on); a full `changed` follows. */
  'events-lost': [string];
};

const NSID_PREFIX = /^\[nsid (current|\d+)\]/;

export class KernelMonitor extends EventEmitter<MonitorEvents> {
  readonly dir: NetnsDirWatcher;
  private readonly machine: Machine;
  private child?: ChildProcessByStdio<null, Readable, Readable>;
  private startedAt = 0;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private running = false;
  private lineBuffer = '';

  /** nsid in the root -> namespace name. */
  private nsidNames = new Map<number, string>();
  /** nsids that `list-id` could not name (a container's namespace): not looked up again until /run/netns changes. */
  private unnamed = new Set<number>();

  private pendingNsids = new Set<number>();
  private pendingNames = new Set<string>();
  private pendingRoot = false;
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(opts: KernelMonitorOptions = {}) {
    super();
    this.machine = opts.machine ?? REAL_HOST;
    this.dir = new NetnsDirWatcher(this.machine.netnsDir);
    this.dir.on('change', (names) => {
      for (const n of names) {
        this.pendingNames.add(n);
        // The namespace's nsid may be freed and reused by the next one.
        for (const [id, name] of this.nsidNames) if (name === n) this.nsidNames.delete(id);
      }
      this.unnamed.clear();
      this.schedule();
    });
  }

  /**
   * Starts watching; resolves once `ip monitor` is listening (true), or after
   * MONITOR_READY_TIMEOUT_MS without seeing it listen (false: it may still be
   * starting). Already started: true.
   */
  async start(): Promise<boolean> {
    if (this.running) return true;
    this.running = true;
    this.dir.start();
    // ip names nsids from the files in the netns directory: none there (a new lab machine), no name to learn.
    if (this.dir.names().length > 0) await this.refreshIds().catch(() => undefined);
    return this.spawnMonitor();
  }

  /** Stops the monitor and the directory watch; nothing is emitted afterwards. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    clearTimeout(this.flushTimer);
    this.restartTimer = this.flushTimer = undefined;
    this.dir.stop();
    const child = this.child;
    this.child = undefined;
    // A child that never started (no ip binary) has no pid and sends no exit.
    if (child && child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    await this.flushing;
  }

  /** The monitor's process id, for measuring it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Gives an nsid in the root to each of these namespaces that has none, so
   * `ip monitor` reports them. Returns the names it gave one to.
   */
  async ensureWatched(names: string[]): Promise<string[]> {
    const candidates = [...new Set(names)].filter((n) => netnsNameProblem(n) === null).sort();
    if (candidates.length === 0) return [];
    const had = new Set((await this.refreshIds()).map((i) => i.name));
    const missing = candidates.filter((n) => !had.has(n) && statSync(path.join(this.dir.dir, n), { throwIfNoEntry: false }));
    if (missing.length === 0) return [];
    // -force: a namespace deleted meanwhile must not stop the others.
    await runIp(['-force', '-batch', '-'], missing.map((n) => `netns set ${n} auto`).join('\n') + '\n', this.machine);
    this.unnamed.clear();
    const now = new Set((await this.refreshIds()).map((i) => i.name));
    return missing.filter((n) => now.has(n));
  }

  private async refreshIds(): Promise<IpNsid[]> {
    const res = await runIp(['-json', 'netns', 'list-id'], undefined, this.machine);
    if (res.code !== 0) throw new Error(`ip netns list-id: ${res.stderr.trim() || `exit ${res.code}`}`);
    const ids = (res.stdout.trim() === '' ? [] : JSON.parse(res.stdout)) as IpNsid[];
    this.nsidNames = new Map(ids.filter((i) => i.name).map((i) => [i.nsid, i.name!]));
    return ids;
  }

  private async spawnMonitor(): Promise<boolean> {
    const { file, args } = ipReaderIn(this.machine, MONITOR_ARGS);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
    this.lineBuffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    // `netlink receive error No buffer space available`: events were dropped, which ones is unknown.
    child.stderr.on('data', (text: string) => {
      if (!/netlink receive error/.test(text)) return;
      this.emit('events-lost', text.trim());
      this.resyncAll();
    });
    let exited = false;
    const onExit = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      if (this.child === child) this.child = undefined;
      if (this.running) this.scheduleRestart(code, signal);
    };
    child.on('error', () => onExit(null, null));
    child.on('exit', onExit);
    // In a lab machine `file` is nsenter, which execs ip: wait for ip itself.
    return waitListening(child, IP_BINARY);
  }

  private scheduleRestart(code: number | null, signal: string | null): void {
    if (Date.now() - this.startedAt >= STABLE_RUN_MS) this.failures = 0;
    const delayMs = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MS * 2 ** this.failures);
    this.failures++;
    this.emit('monitor-exit', { code, signal, delayMs });
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = undefined;
      if (!this.running) return;
      await this.spawnMonitor();
      this.resyncAll(); // whatever changed while nobody listened
    }, delayMs);
  }

  /** Reports every namespace and the root as changed. */
  private resyncAll(): void {
    for (const n of this.dir.names()) this.pendingNames.add(n);
    this.pendingRoot = true;
    this.schedule();
  }

  private onData(chunk: string): void {
    this.lineBuffer += chunk;
    let nl: number;
    while ((nl = this.lineBuffer.indexOf('\n')) >= 0) {
      const line = this.lineBuffer.slice(0, nl);
      this.lineBuffer = this.lineBuffer.slice(nl + 1);
      this.onLine(line);
    }
  }

  /** Only an event's first line carries `[nsid N]`; timestamps and indented continuation lines are skipped. */
  private onLine(line: string): void {
    const m = NSID_PREFIX.exec(line);
    if (!m) return;
    if (m[1] === 'current') this.pendingRoot = true;
    else this.pendingNsids.add(Number(m[1]));
    this.schedule();
  }

  private schedule(): void {
    if (this.flushTimer || !this.running) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      // A listener that throws fails like any emitter's would, without stopping later flushes.
      this.flushing = this.flushing
        .then(() => this.flush())
        .catch((e) => {
          setImmediate(() => {
            throw e;
          });
        });
    }, COALESCE_MS);
  }

  private async flush(): Promise<void> {
    const nsids = this.pendingNsids;
    const names = this.pendingNames;
    const root = this.pendingRoot;
    this.pendingNsids = new Set();
    this.pendingNames = new Set();
    this.pendingRoot = false;
    if ([...nsids].some((id) => !this.nsidNames.has(id) && !this.unnamed.has(id))) {
      await this.refreshIds().catch(() => undefined);
    }
    for (const id of nsids) {
      const name = this.nsidNames.get(id);
      if (name !== undefined) names.add(name);
      else this.unnamed.add(id);
    }
    if (this.running && (names.size > 0 || root)) this.emit('changed', names, root);
  }
}

/**
 * Resolves true once the child, running `program`, sleeps for the first time:
 * `ip monitor` opens and binds its netlink socket, dumps the links and nsids
 * it needs, and then blocks in recvmsg. From the bind on, events queue in the
 * socket. False when the child ended, or was not seen so within
 * MONITOR_READY_TIMEOUT_MS.
 */
async function waitListening(child: { pid?: number; exitCode: number | null }, program: string): Promise<boolean> {
  const deadline = Date.now() + MONITOR_READY_TIMEOUT_MS;
  while (child.pid !== undefined && child.exitCode === null && Date.now() < deadline) {
    try {
      // Before its exec the child is a copy of node, or nsenter before it execs ip; its argv[0] says which.
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      if (cmdline.slice(0, cmdline.indexOf('\0')) === program) {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        // The state follows the parenthesised command name, which may itself hold spaces or parentheses.
        if (stat.charAt(stat.lastIndexOf(')') + 2) === 'S') return true;
      }
    } catch {
      return false; // gone already
    }
    await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  return false;
}
