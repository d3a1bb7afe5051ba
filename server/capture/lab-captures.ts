/**
 * The packet captures of one lab. Browsers (and lessons) watch scopes; the
 * union of what is watched, resolved against the lab as observed, is the set
 * of taps, one tcpdump each. A tap stops when nobody watches it or its
 * interface is gone; its packets stay in its ring for the list, the detail
 * view and downloads, within a bound per capture and per lab.
 *
 * Packets reach the browsers in batches every FLUSH_MS, sampled down to
 * MAX_SENT_PER_SECOND: a flood is decoded only as far as what is shown.
 */
import { EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Machine } from '../kernel/machine';
import { ipIn } from '../kernel/machine';
import type { Topology } from '../model/topology';
import { CaptureProcess } from './capture-process';
import { describeScope, resolveScope, scopeKey, type CaptureScope, type TapSpec } from './capture-scope';
import { checkCaptureFilter } from './capture-filter';
import { LINKTYPE_ETHERNET } from './decode/dissect';
import { PacketRing, type RingEntry } from './packet-ring';
import { detailOf, directionOf, summarize, type PacketDetail, type PacketSummary } from './packet-view';
import { writePcapng, type PcapngInterface } from './pcapng-writer';
import { sample } from './sampler';

const run = promisify(execFile);

/** A capture keeps at most this many packets... */
export const MAX_PACKETS_PER_CAPTURE = 20_000;
/** ...and this many bytes (frames are cut at 1600 bytes). */
export const MAX_BYTES_PER_CAPTURE = 8 * 1024 * 1024;
/** All the captures of a lab together. */
export const MAX_BYTES_PER_LAB = 24 * 1024 * 1024;
/** Packets go to the browsers this often: well under the 100 ms a student notices. */
export const FLUSH_MS = 50;
/** At most this many packets a second reach a browser; beyond it they are sampled. */
export const MAX_SENT_PER_SECOND = 2500;
/** A batch never carries more than this long's worth of the rate. */
const MAX_BATCH_WINDOW_MS = 250;
/** A download holds at most this many packets. */
export const MAX_DOWNLOAD_PACKETS = 20_000;

export interface CaptureInfo {
  /** `node:iface` of the tapped end. */
  key: string;
  node: string;
  iface: string;
  link?: string;
  /** tcpdump is listening: what crosses the interface now is captured. */
  running: boolean;
  /** Why it stopped, when it stopped on its own. */
  error?: string;
}

export interface CaptureList {
  captures: CaptureInfo[];
  /** The capture expression every capture uses; '' for none. */
  filter: string;
}

export interface PacketBatch {
  packets: PacketSummary[];
  /** Packets captured in this batch's window; more than `packets.length` when sampled. */
  seen: number;
  /** 1 in `every` was sent. */
  every: number;
}

export interface DownloadRequest {
  /** Only this cable, or only this node's captures. */
  link?: string;
  node?: string;
  /** Only packets captured from this time on (ms since the epoch). */
  since?: number;
  /** At most the last this many. */
  last?: number;
}

interface Entry extends RingEntry {
  tap: TapSpec;
}

interface Tap {
  spec: TapSpec;
  ring: PacketRing<Entry>;
  process?: CaptureProcess;
  error?: string;
}

export interface CaptureSource {
  /** Where commands run; undefined while the lab machine is not running. */
  machine(): Machine | undefined;
  /** The lab as last observed. */
  current(): Topology | undefined;
}

const sameTap = (a: TapSpec, b: TapSpec) => a.namespace === b.namespace && a.cooked === b.cooked && a.link === b.link && a.peer?.node === b.peer?.node && a.peer?.iface === b.peer?.iface;

export class LabCaptures extends EventEmitter<{ packets: [PacketBatch]; captures: [CaptureList] }> {
  private readonly watchers = new Map<string, Map<string, CaptureScope>>();
  private readonly taps = new Map<string, Tap>();
  private pending: Entry[] = [];
  private timer?: NodeJS.Timeout;
  private nextId = 1;
  private filter = '';
  private stopped = false;
  private lastFlush = 0;

  constructor(private readonly source: CaptureSource) {
    super();
  }

  /** Starts watching a scope. Returns an error when the lab has nothing it names. */
  watch(watcher: string, scope: CaptureScope): string | undefined {
    const topo = this.source.current();
    if (!topo || resolveScope(topo, scope).length === 0) return `${describeScope(scope)} is not in the lab, or has no interface to capture on`;
    let scopes = this.watchers.get(watcher);
    if (!scopes) this.watchers.set(watcher, (scopes = new Map()));
    scopes.set(scopeKey(scope), scope);
    this.update();
    return undefined;
  }

  /** Stops watching one scope, or all of the watcher's. */
  unwatch(watcher: string, scope?: CaptureScope): void {
    if (scope) this.watchers.get(watcher)?.delete(scopeKey(scope));
    else this.watchers.delete(watcher);
    if (this.watchers.get(watcher)?.size === 0) this.watchers.delete(watcher);
    this.update();
  }

  isWatching(watcher: string): boolean {
    return this.watchers.has(watcher);
  }

  /** Sets the capture expression of every capture; they restart with it. Returns why not, when tcpdump refuses it. */
  async setFilter(expr: string): Promise<string | undefined> {
    const e = expr.trim();
    const error = await checkCaptureFilter(e);
    if (error) return error;
    if (e === this.filter) return undefined;
    this.filter = e;
    await Promise.all([...this.taps.values()].map((t) => this.stopProcess(t)));
    this.update();
    return undefined;
  }

  /** Brings the running captures in line with what is watched and what the lab has. Called on every observed change. */
  update(): void {
    if (this.stopped) return;
    const topo = this.source.current();
    const wanted = new Map<string, TapSpec>();
    if (topo) for (const scopes of this.watchers.values()) for (const s of scopes.values()) for (const t of resolveScope(topo, s)) wanted.set(t.key, t);
    for (const [key, tap] of this.taps) {
      const want = wanted.get(key);
      if (!want || !sameTap(want, tap.spec)) {
        void this.stopProcess(tap);
        if (!want) tap.error = undefined; // nobody asks for it any more: nothing to explain
      } else tap.spec.mac = want.mac; // a MAC address changed by hand: directions follow it
    }
    for (const [key, spec] of wanted) {
      let tap = this.taps.get(key);
      if (!tap) this.taps.set(key, (tap = { spec, ring: new PacketRing(MAX_PACKETS_PER_CAPTURE, MAX_BYTES_PER_CAPTURE) }));
      if (!tap.process?.running && !(tap.error && sameTap(spec, tap.spec))) {
        tap.spec = spec;
        tap.error = undefined;
        void this.startProcess(tap);
      }
    }
    this.announce();
  }

  list(): CaptureList {
    const captures = [...this.taps.values()]
      .filter((t) => t.process?.running || t.error || t.ring.size > 0)
      .map((t) => ({ key: t.spec.key, node: t.spec.node, iface: t.spec.iface, ...(t.spec.link ? { link: t.spec.link } : {}), running: !!t.process?.running && t.process.listening, ...(t.error ? { error: t.error } : {}) }));
    return { captures, filter: this.filter };
  }

  /** The pids of the running tcpdumps (for tests and `status`). */
  pids(): number[] {
    return [...this.taps.values()].flatMap((t) => (t.process?.running && t.process.pid ? [t.process.pid] : []));
  }

  /** Bytes the lab's captures hold. */
  usedBytes(): number {
    let n = 0;
    for (const t of this.taps.values()) n += t.ring.usedBytes;
    return n;
  }

  detail(id: number): PacketDetail | undefined {
    for (const t of this.taps.values()) {
      const e = t.ring.get(id);
      if (e) return detailOf(e, e.tap);
    }
    return undefined;
  }

  /** The kept packets as pcapng, oldest first. */
  download(req: DownloadRequest): { data: Buffer; packets: number } {
    const limit = Math.min(req.last ?? MAX_DOWNLOAD_PACKETS, MAX_DOWNLOAD_PACKETS);
    const taps = [...this.taps.values()].filter((t) => (req.link === undefined || t.spec.link === req.link) && (req.node === undefined || t.spec.node === req.node || t.spec.peer?.node === req.node));
    const entries = taps
      .flatMap((t) => t.ring.since(req.since ?? 0, limit))
      .sort((a, b) => a.time - b.time || a.id - b.id)
      .slice(-limit);
    const interfaces: PcapngInterface[] = [];
    const index = new Map<string, number>();
    const ifaceOf = (e: Entry) => {
      const k = `${e.tap.key} ${e.linkType}`;
      let i = index.get(k);
      if (i === undefined) {
        i = interfaces.length;
        index.set(k, i);
        interfaces.push({ name: e.tap.key, description: e.tap.link ? `cable ${e.tap.link}` : `interface ${e.tap.key}`, linkType: e.linkType });
      }
      return i;
    };
    const packets = entries.map((e) => ({ iface: ifaceOf(e), time: e.time, length: e.length, data: e.data, direction: e.direction }));
    return { data: writePcapng(interfaces, packets), packets: packets.length };
  }

  /** Ends every capture and forgets every packet. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    await Promise.all([...this.taps.values()].map((t) => this.stopProcess(t)));
    this.taps.clear();
    this.watchers.clear();
  }

  /** Ends the running captures (the lab machine went away); what is watched starts again on the next update. */
  async restart(): Promise<void> {
    await Promise.all([...this.taps.values()].map((t) => this.stopProcess(t)));
    this.update();
  }

  private async startProcess(tap: Tap): Promise<void> {
    const machine = this.source.machine();
    if (!machine) {
      tap.error = 'the lab machine is not running';
      return;
    }
    const spec = tap.spec;
    let cookedIfindex: number | undefined;
    if (spec.cooked) {
      try {
        cookedIfindex = await ifindexOf(machine, spec);
      } catch (e) {
        tap.error = `${spec.key} could not be found: ${e instanceof Error ? e.message : String(e)}`;
        this.announce();
        return;
      }
      if (this.stopped || tap.spec !== spec) return;
    }
    const p = new CaptureProcess(machine, { namespace: spec.namespace, iface: spec.iface, cookedIfindex, filter: this.filter || undefined });
    tap.process = p;
    p.on('records', (records) => {
      const linkType = p.linkType ?? LINKTYPE_ETHERNET;
      for (const r of records) {
        const e: Entry = { id: this.nextId++, time: r.time, length: r.length, data: r.data, linkType, direction: directionOf(tap.spec, linkType, r.data), tap: tap.spec };
        tap.ring.push(e);
        this.pending.push(e);
      }
      this.boundLab();
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    });
    p.once('listening', () => this.announce());
    p.once('exit', (reason) => {
      if (tap.process !== p) return;
      tap.process = undefined;
      // Stopped on purpose: no error to show. Stopped on its own: say why.
      if (!p.stopping) tap.error = reason;
      this.announce();
    });
  }

  private async stopProcess(tap: Tap): Promise<void> {
    const p = tap.process;
    if (!p) return;
    p.stopping = true;
    tap.process = undefined;
    await p.stop();
  }

  private flush(): void {
    this.timer = undefined;
    // Several captures feed one batch: in time order, a packet crossing two cables reads in the order it crossed them.
    const batch = this.pending.sort((a, b) => a.time - b.time || a.id - b.id);
    this.pending = [];
    if (batch.length === 0) return;
    // The budget is the rate times the time since the last batch: a server slowed by a flood sends fewer, larger batches, not fewer packets.
    const now = performance.now();
    const since = Math.min(Math.max(now - this.lastFlush, FLUSH_MS), MAX_BATCH_WINDOW_MS);
    this.lastFlush = now;
    const s = sample(batch, Math.max(1, Math.round((MAX_SENT_PER_SECOND * since) / 1000)));
    this.emit('packets', { packets: s.kept.map((e) => summarize(e, e.tap)), seen: s.seen, every: s.every });
  }

  /** Keeps the lab under its bound: the oldest packets of the largest capture go first. */
  private boundLab(): void {
    let total = this.usedBytes();
    while (total > MAX_BYTES_PER_LAB) {
      let largest: Tap | undefined;
      for (const t of this.taps.values()) if (!largest || t.ring.usedBytes > largest.ring.usedBytes) largest = t;
      const before = largest!.ring.usedBytes;
      if (!largest!.ring.dropOldest()) break;
      total -= before - largest!.ring.usedBytes;
    }
  }

  private lastAnnounced = '';
  private announce(): void {
    const list = this.list();
    const text = JSON.stringify(list);
    if (text === this.lastAnnounced) return;
    this.lastAnnounced = text;
    // Packets caught before the list changes go out before it: a browser never sees a packet of an old capture
    // (say, under an expression just replaced) arrive after the list that names the new one.
    if (this.pending.length > 0) {
      clearTimeout(this.timer);
      this.flush();
    }
    this.emit('captures', list);
  }
}

async function ifindexOf(machine: Machine, spec: TapSpec): Promise<number> {
  const { file, args } = ipIn(machine, [...(spec.namespace ? ['-n', spec.namespace] : []), '-json', 'link', 'show', 'dev', spec.iface]);
  const { stdout } = await run(file, args);
  const index = (JSON.parse(stdout) as { ifindex?: number }[])[0]?.ifindex;
  if (typeof index !== 'number') throw new Error('ip did not give its index');
  return index;
}
