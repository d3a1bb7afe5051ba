/**
 * Live packet and byte rates per interface, from the kernel's counters: every
 * TRAFFIC_INTERVAL_MS, each namespace's /proc/PID/net/dev through the
 * persistent reader in it (a `link show` through that reader the first time,
 * which starts it), and the difference from the last sample.
 *
 * Emits `rates` with only the interfaces that carry traffic, plus those that
 * just stopped (one last all-zero rate, so the browser can clear the edge).
 * An idle lab of a hundred namespaces thus sends nothing at all, and a busy
 * one only its busy edges; a client that connects later sees an edge's rate
 * within one interval, which is all a live rate needs.
 */
import { EventEmitter } from 'node:events';
import type { IpLink } from './ip-json';
import type { NamespaceReaders } from './namespace-readers';
import type { InterfaceCounters } from './proc-net-dev';
import { LOOPBACK } from '../model/topology';

/** Packets and bytes per second through one interface, from the kernel's counters. */
export interface TrafficRate {
  node: string;
  iface: string;
  rxPps: number;
  txPps: number;
  rxBps: number;
  txBps: number;
  /** The interface's packet counters at this sample (what `ip -s link` shows), so the inspector's stay live. */
  rxPackets?: number;
  txPackets?: number;
}


export const TRAFFIC_INTERVAL_MS = 1000;

/** Counters of one interface at one moment; `t` in milliseconds (any monotonic clock). */
export interface CounterSample {
  node: string;
  iface: string;
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  t: number;
}

export function sampleKey(node: string, iface: string): string {
  return `${node}:${iface}`;
}

export function rateKey(r: TrafficRate): string {
  return sampleKey(r.node, r.iface);
}

const COUNTERS = ['rxPackets', 'txPackets', 'rxBytes', 'txBytes'] as const;

/**
 * Per-second rates of every interface sampled both times. An interface whose
 * counters went backwards (deleted and re-created under the same name, or
 * moved between namespaces) is skipped: its next sample starts afresh.
 */
export function rates(prev: Map<string, CounterSample>, now: Map<string, CounterSample>): TrafficRate[] {
  const out: TrafficRate[] = [];
  for (const [key, cur] of now) {
    const old = prev.get(key);
    if (!old) continue;
    const seconds = (cur.t - old.t) / 1000;
    if (!(seconds > 0)) continue;
    if (COUNTERS.some((c) => cur[c] < old[c])) continue;
    const per = (c: (typeof COUNTERS)[number]) => (cur[c] - old[c]) / seconds;
    out.push({ node: cur.node, iface: cur.iface, rxPps: per('rxPackets'), txPps: per('txPackets'), rxBps: per('rxBytes'), txBps: per('txBytes'), rxPackets: cur.rxPackets, txPackets: cur.txPackets });
  }
  return out.sort((a, b) => (rateKey(a) < rateKey(b) ? -1 : rateKey(a) > rateKey(b) ? 1 : 0));
}

export function isIdle(r: TrafficRate): boolean {
  return r.rxPps === 0 && r.txPps === 0 && r.rxBps === 0 && r.txBps === 0;
}

/**
 * The rates worth sending: the busy ones, and those that were busy last time
 * and are idle now. Returns them with the keys now busy (the next call's `wasBusy`).
 */
export function worthSending(all: TrafficRate[], wasBusy: Set<string>): { send: TrafficRate[]; busy: Set<string> } {
  const busy = new Set<string>();
  const send: TrafficRate[] = [];
  for (const r of all) {
    const key = rateKey(r);
    if (!isIdle(r)) {
      busy.add(key);
      send.push(r);
    } else if (wasBusy.has(key)) {
      send.push(r);
    }
  }
  return { send, busy };
}

/** What to meter in one namespace: its node name, and optionally only some interfaces (the host's lab ends). */
export interface MeterTarget {
  /** undefined for the root namespace. */
  netns: string | undefined;
  node: string;
  ifaces?: string[];
}

/** A plain name meters that namespace as the node of the same name, every interface but lo. */
export type TargetsProvider = () => Iterable<string | MeterTarget>;

type MeterEvents = { rates: [TrafficRate[]] };

/**
 * Namespace reads per second that all the meters of one server share. A
 * class of 40 labs of 6 namespaces would read 240 a second at the base
 * interval; past this budget each round waits longer instead (2.4 s there),
 * so idle cost stays flat as labs are added, and rates are averaged over the
 * longer round.
 */
export const METER_READS_PER_SECOND = 100;
/** Targets each running meter read in its last round. */
const targetCounts = new Map<TrafficMeter, number>();

/** The pause between rounds: the base interval, or longer when all meters together would exceed the budget. */
export function roundIntervalMs(baseMs: number, totalTargets: number, readsPerSecond = METER_READS_PER_SECOND): number {
  return Math.max(baseMs, (totalTargets / readsPerSecond) * 1000);
}

/**
 * A namespace that carried (next to) nothing last time is read only every
 * this many rounds: an idle lab of a hundred namespaces costs half as much,
 * and a cable that starts carrying packets shows its rate within two seconds.
 */
export const QUIET_EVERY = 2;
/**
 * Below this many packets a second a namespace counts as quiet: an idle
 * interface still sends an IPv6 router solicitation now and then (every 4 s,
 * backing off to an hour), which is no reason to read it every second.
 */
export const QUIET_BELOW_PPS = 1;

export class TrafficMeter extends EventEmitter<MeterEvents> {
  private timer?: NodeJS.Timeout;
  private running = false;
  private last = new Map<string, CounterSample>();
  private busy = new Set<string>();
  private ticking?: Promise<void>;
  private round = 0;
  /** Nodes whose interfaces had traffic in their last read. */
  private active = new Set<string>();

  constructor(
    private readonly readers: NamespaceReaders,
    readonly intervalMs: number = TRAFFIC_INTERVAL_MS,
  ) {
    super();
  }

  start(targets: TargetsProvider): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      const t0 = performance.now();
      this.ticking = this.tick(targets);
      await this.ticking;
      if (!this.running) return;
      // A slow round (a hundred namespaces on a busy machine) delays the next instead of piling up.
      const total = [...targetCounts.values()].reduce((a, b) => a + b, 0);
      this.timer = setTimeout(loop, Math.max(0, roundIntervalMs(this.intervalMs, total) - (performance.now() - t0)));
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    targetCounts.delete(this);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.last.clear();
    this.busy.clear();
  }

  /** One round: read every target, compute, emit if anything is worth sending. */
  private async tick(provider: TargetsProvider): Promise<void> {
    let targets: MeterTarget[];
    try {
      targets = [...provider()].map((t) => (typeof t === 'string' ? { netns: t, node: t } : t));
    } catch {
      return;
    }
    this.round++;
    // Quiet nodes are read every QUIET_EVERY rounds (spread over the rounds); their last samples carry over.
    const due = targets.filter((t, i) => this.active.has(t.node) || !this.last.has(`${t.node}:`) || (this.round + i) % QUIET_EVERY === 0);
    targetCounts.set(this, Math.ceil(targets.length / QUIET_EVERY) + this.active.size);
    const now = new Map<string, CounterSample>();
    const dueNodes = new Set(due.map((t) => t.node));
    const metered = new Set(targets.map((t) => t.node));
    for (const [key, sample] of this.last) if (!dueNodes.has(sample.node) && metered.has(sample.node)) now.set(key, sample);
    await Promise.all(
      due.map(async (target) => {
        let counters: InterfaceCounters[];
        try {
          counters = (target.netns !== undefined ? this.readers.counters(target.netns) : undefined) ?? countersOf(((await this.readers.read(target.netns, ['link show'])) as [IpLink[]])[0]);
        } catch {
          return; // deleted meanwhile; the next observation says so
        }
        const t = performance.now();
        // Marks the node as read, so a node without counted interfaces is quiet, not new.
        now.set(`${target.node}:`, { node: target.node, iface: '', rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, t });
        const only = target.ifaces ? new Set(target.ifaces) : undefined;
        for (const c of counters) {
          if (c.ifname === LOOPBACK || (only && !only.has(c.ifname))) continue;
          now.set(sampleKey(target.node, c.ifname), { node: target.node, iface: c.ifname, rxPackets: c.rxPackets, txPackets: c.txPackets, rxBytes: c.rxBytes, txBytes: c.txBytes, t });
        }
      }),
    );
    if (!this.running) return;
    const measured = rates(this.last, now).filter((r) => r.iface !== '');
    this.active = new Set(measured.filter((r) => r.rxPps >= QUIET_BELOW_PPS || r.txPps >= QUIET_BELOW_PPS).map((r) => r.node));
    const { send, busy } = worthSending(measured, this.busy);
    this.last = now;
    this.busy = busy;
    if (send.length > 0) this.emit('rates', send);
  }
}

/** The counters in `ip -json link show` (a namespace whose reader is not running yet). */
function countersOf(links: IpLink[] | undefined): InterfaceCounters[] {
  return (links ?? []).flatMap((l) => (l.stats64 && l.link_type !== 'loopback' ? [{ ifname: l.ifname, rxBytes: l.stats64.rx.bytes, rxPackets: l.stats64.rx.packets, txBytes: l.stats64.tx.bytes, txPackets: l.stats64.tx.packets }] : []));
}
