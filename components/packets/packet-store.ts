/**
 * The page's packets: the list (newest last, bounded), what the capture
 * sampled, the packet followed, and the dots flying along the cables. A
 * store of its own (zustand, as React Flow uses), so a thousand packets a
 * second re-render the packet list and the cables that carry them, not the
 * page.
 */
import { create } from 'zustand';
import type { CaptureInfo, CaptureScope, PacketBatch, PacketSummary } from '@/server/protocol';

/** Rows the list keeps; older ones scroll away (the server keeps more for downloads). */
export const MAX_ROWS = 5000;
/** Dots started per second on the whole diagram: beyond it they are sampled, and the list says so. */
export const MAX_DOTS_PER_SECOND = 40;
/** Dots in the air at once. */
export const MAX_FLIGHTS = 120;
/** Packets waiting for "next" in step mode. */
export const MAX_QUEUED = 500;
/** How long a dot takes along its cable at full speed. */
export const FLIGHT_MS = 900;

export type Speed = 1 | 0.25 | 'step';

export interface Flight {
  id: number;
  link: string;
  /** The end it left, `node:iface`. */
  from: string;
  protocol: string;
  /** How long it takes to cross, ms. */
  duration: number;
}

export interface PacketFilter {
  protocol: string;
  node: string;
}

interface PacketState {
  rows: PacketSummary[];
  /** Since the last clear: packets captured, and packets the server sent (fewer when sampled). */
  seen: number;
  received: number;
  /** The last batch's sampling: 1 in `every`. */
  every: number;
  paused: boolean;
  /** Packets of a paused list, counted but not shown. */
  missed: number;
  /** The time of the last clear: downloads start there. */
  clearedAt: number;
  captures: CaptureInfo[];
  expression: string;
  /** What this page watches; sent again after a reconnect. */
  watched: CaptureScope[];
  selectedId: number | null;
  followKey: string | null;
  /** The cables the followed packet crossed (their link keys). */
  followedLinks: ReadonlySet<string>;
  filter: PacketFilter;
  speed: Speed;
  flights: Flight[];
  queued: Flight[];
  dotsSkipped: number;
  receive(batch: PacketBatch): void;
  clear(): void;
  setPaused(paused: boolean): void;
  setCaptures(captures: CaptureInfo[], expression: string): void;
  setWatched(watched: CaptureScope[]): void;
  select(p: PacketSummary | null): void;
  setFilter(f: Partial<PacketFilter>): void;
  setSpeed(s: Speed): void;
  /** Step mode: sends the next queued packet along its cable. */
  step(): void;
  /** Dots that reached the end of their cable. */
  land(ids: number[]): void;
}

let dotWindow = { start: 0, count: 0 };

function flightOf(p: PacketSummary, speed: Speed): Flight | undefined {
  if (!p.link || !p.from) return undefined;
  const duration = speed === 1 ? FLIGHT_MS : FLIGHT_MS * 4;
  return { id: p.id, link: p.link, from: p.from, protocol: p.protocol, duration };
}

export const usePackets = create<PacketState>()((set, get) => ({
  rows: [],
  seen: 0,
  received: 0,
  every: 1,
  paused: false,
  missed: 0,
  clearedAt: 0,
  captures: [],
  expression: '',
  watched: [],
  selectedId: null,
  followKey: null,
  followedLinks: new Set(),
  filter: { protocol: '', node: '' },
  speed: 1,
  flights: [],
  queued: [],
  dotsSkipped: 0,

  receive(batch) {
    const s = get();
    if (s.paused) return set({ seen: s.seen + batch.seen, missed: s.missed + batch.packets.length });
    const merged = mergeByTime(s.rows, batch.packets);
    const rows = merged.length > MAX_ROWS ? merged.slice(-MAX_ROWS) : merged;
    // Dots: at most MAX_DOTS_PER_SECOND start, and MAX_FLIGHTS fly, whatever arrives.
    const now = performance.now();
    if (now - dotWindow.start >= 1000) dotWindow = { start: now, count: 0 };
    let flights = s.flights;
    let queued = s.queued;
    let skipped = s.dotsSkipped;
    for (const p of batch.packets) {
      const f = flightOf(p, s.speed);
      if (!f) continue;
      if (s.speed === 'step') {
        if (queued.length < MAX_QUEUED) queued = [...queued, f];
        else skipped++;
      } else if (dotWindow.count < MAX_DOTS_PER_SECOND && flights.length < MAX_FLIGHTS) {
        dotWindow.count++;
        flights = flights === s.flights ? [...flights, f] : (flights.push(f), flights);
      } else skipped++;
    }
    // The followed packet may show up on the next cable after it was clicked.
    let followedLinks = s.followedLinks;
    for (const p of batch.packets) if (s.followKey !== null && p.key === s.followKey && p.link && !followedLinks.has(p.link)) followedLinks = new Set([...followedLinks, p.link]);
    set({ rows, seen: s.seen + batch.seen, received: s.received + batch.packets.length, every: batch.every, flights, queued, dotsSkipped: skipped, followedLinks });
  },
  clear() {
    set({ rows: [], seen: 0, received: 0, every: 1, missed: 0, clearedAt: Date.now(), selectedId: null, followKey: null, followedLinks: new Set(), flights: [], queued: [], dotsSkipped: 0 });
  },
  setPaused(paused) {
    set({ paused, ...(paused ? {} : { missed: 0 }) });
  },
  setCaptures(captures, expression) {
    set({ captures, expression });
  },
  setWatched(watched) {
    set({ watched });
  },
  select(p) {
    const key = p?.key ?? null;
    const followedLinks = new Set(key === null ? [] : get().rows.flatMap((r) => (r.key === key && r.link ? [r.link] : [])));
    set({ selectedId: p?.id ?? null, followKey: key, followedLinks });
  },
  setFilter(f) {
    set({ filter: { ...get().filter, ...f } });
  },
  setSpeed(speed) {
    set({ speed, queued: [], flights: [] });
  },
  step() {
    const [next, ...rest] = get().queued;
    if (!next) return;
    set({ queued: rest, flights: [...get().flights, { ...next, duration: FLIGHT_MS * 2 }] });
  },
  land(ids) {
    const gone = new Set(ids);
    set({ flights: get().flights.filter((f) => !gone.has(f.id)) });
  },
}));

/**
 * The rows with a batch added, in capture order: each capture's tcpdump
 * delivers on its own, so a batch may hold a packet older than the newest
 * row (the request on the second cable, after the reply on the first).
 */
export function mergeByTime(rows: PacketSummary[], batch: PacketSummary[]): PacketSummary[] {
  if (batch.length === 0) return rows;
  const out = [...rows, ...batch];
  const first = batch.reduce((m, p) => Math.min(m, p.time), Infinity);
  // Only the tail from the oldest new packet on can be out of order.
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].time <= first) lo = mid + 1;
    else hi = mid;
  }
  if (lo === rows.length && batch.every((p, i) => i === 0 || batch[i - 1].time <= p.time)) return out;
  const tail = out.slice(lo).sort((a, b) => a.time - b.time || a.id - b.id);
  out.splice(lo, tail.length, ...tail);
  return out;
}

/** Whether a packet passes the list's filter. */
export function shown(p: PacketSummary, f: PacketFilter): boolean {
  if (f.protocol && p.protocol !== f.protocol) return false;
  if (f.node && p.node !== f.node && !p.from?.startsWith(`${f.node}:`) && !p.to?.startsWith(`${f.node}:`)) return false;
  return true;
}
