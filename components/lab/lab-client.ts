/**
 * The page's one connection to the lab server: a socket.io client on the same
 * origin (the `vethlab serve` cookie authenticates it) and a small store of
 * what the server last said. The diagram is never changed optimistically: it
 * shows the last `lab-state`, with the `lab-patch`es since applied, so a
 * failed command leaves no ghost behind.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  CaptureList,
  CaptureScope,
  ClientToServerEvents,
  DownloadRequest,
  LessonSummary,
  PacketDetail,
  ExportRequest,
  PacketBatch,
  LabEdit,
  MacEntry,
  ServerToClientEvents,
} from '@/server/protocol';
import { TerminalHub } from './terminal-hub';
import { usePackets } from '../packets/packet-store';
import { INITIAL_SNAPSHOT, useLabStore, type LabSnapshot } from './lab-store';
import { smoothTraffic } from './traffic-smoothing';
import { applyTopologyPatch } from '@/server/model/topology-patch';

/** What the server acknowledges an event with. */
type AckOf<E extends keyof ClientToServerEvents> = ClientToServerEvents[E] extends (req: never, ack: (r: infer R) => void) => void ? R : never;

export type { ConnectionStatus, LabSnapshot } from './lab-store';

/** A load or a destroy of a large lab runs many commands before the server answers. */
export const EDIT_ACK_TIMEOUT_MS = 120_000;
export const EXPORT_ACK_TIMEOUT_MS = 30_000;
/** The server keeps 2000 entries; the page keeps as many, so a reload shows the same. */
export const LOG_LIMIT_ENTRIES = 2000;
/** Packets reach the list at most this often: a flood redraws it ten times a second, a slow ping at once. */
export const PACKET_RENDER_MS = 100;

const UNAUTHORIZED = /unauthori[sz]ed|forbidden|token|auth/i;

type LabSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The lab a page path shows: `/lab/NAME` is NAME, anything else the default lab. */
export function labFromPath(pathname: string): string {
  const m = /^\/lab\/([a-z0-9][a-z0-9-]{0,30})\/?$/.exec(pathname);
  return m ? m[1] : 'default';
}

export class LabClient {
  private readonly socket: LabSocket;
  private readonly hub: TerminalHub;
  private pendingPackets: PacketBatch[] = [];
  private packetTimer?: ReturnType<typeof setTimeout>;
  private lastPacketRender = 0;

  /** `lab`: the lab's name, from the page's path (`/` is the default lab, `/lab/NAME` is NAME). */
  constructor(readonly lab: string = labFromPath(typeof location === 'undefined' ? '/' : location.pathname)) {
    // Each lab has a socket.io namespace of its own: its events reach only its browsers.
    this.socket = io(`/lab/${lab}`, { path: '/socket.io', withCredentials: true, autoConnect: false });
    this.hub = new TerminalHub(this.socket, (terminals) => this.set({ terminals }));
    const s = this.socket;
    s.on('connect', () => {
      this.set({ status: 'connected', statusDetail: undefined, log: [] });
      // The server let go of this page's captures with the old connection.
      for (const scope of usePackets.getState().watched) s.emit('capture-watch', { scope }, () => {});
    });
    s.on('connect_error', (err) => {
      this.set({ status: UNAUTHORIZED.test(err.message) ? 'unauthorized' : 'disconnected', statusDetail: err.message });
    });
    s.on('disconnect', (reason) => {
      // The server ends a socket it will not serve; socket.io then does not retry.
      const status = reason === 'io server disconnect' ? 'unauthorized' : 'disconnected';
      this.set({ status, statusDetail: reason, progress: null, traffic: {} });
    });
    s.on('lab-hello', (hello) => this.set({ hello }));
    s.on('lab-state', (state) => this.set({ state }));
    s.on('lab-patch', (p) => {
      const state = useLabStore.getState().state;
      if (state && state.version === p.base) this.set({ state: { topology: applyTopologyPatch(state.topology, p.patch), version: p.version } });
      else if (!state || p.version > state.version) void this.resync();
    });
    s.on('log-append', (entries) => {
      const log = [...useLabStore.getState().log, ...entries];
      this.set({ log: log.length > LOG_LIMIT_ENTRIES ? log.slice(log.length - LOG_LIMIT_ENTRIES) : log });
    });
    s.on('lab-progress', (progress) => this.set({ progress }));
    s.on('lesson', (lesson) => this.set({ lesson }));
    s.on('lab-presence', ({ teacher }) => this.set({ teacher }));
    s.on('lab-shared', (shared) => this.set({ shared }));
    s.on('lesson-status', (lessonStatus) => this.set({ lessonStatus }));
    s.on('packets', (batch) => {
      this.pendingPackets.push(batch);
      this.flushPackets();
    });
    s.on('capture-list', (list) => usePackets.getState().setCaptures(list.captures, list.filter));
    s.on('traffic-update', (rates) => this.set({ traffic: smoothTraffic(useLabStore.getState().traffic, rates) }));
  }

  start(): void {
    this.socket.connect();
  }

  stop(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
    useLabStore.setState(INITIAL_SNAPSHOT, true);
  }

  get terminals(): TerminalHub {
    return this.hub;
  }

  async edit(edit: LabEdit): Promise<Ack> {
    return this.request('lab-edit', edit, EDIT_ACK_TIMEOUT_MS);
  }

  async exportLab(format: ExportRequest['format']): Promise<Ack<{ text: string }>> {
    return this.request('lab-export', { format });
  }

  /** A switch's MAC table; the inspector asks while it shows one. */
  async macTable(node: string): Promise<Ack<{ entries: MacEntry[] }>> {
    return this.request('mac-table', { node });
  }

  /** Starts capturing a cable or a node; kept across reconnects until unwatched. */
  async watch(scope: CaptureScope): Promise<Ack<CaptureList>> {
    const r = await this.request('capture-watch', { scope });
    if (r.ok) {
      const { watched, setWatched } = usePackets.getState();
      if (!watched.some((w) => JSON.stringify(w) === JSON.stringify(scope))) setWatched([...watched, scope]);
    }
    return r;
  }

  /** Stops every capture this page watches. */
  async unwatchAll(): Promise<Ack> {
    usePackets.getState().setWatched([]);
    return this.request('capture-unwatch', {});
  }

  async setCaptureFilter(expression: string): Promise<Ack> {
    return this.request('capture-filter', { expression });
  }

  async packetDetail(id: number): Promise<Ack<{ detail: PacketDetail }>> {
    return this.request('packet-detail', { id });
  }

  async downloadCapture(req: DownloadRequest): Promise<Ack<{ name: string; data: ArrayBuffer; packets: number }>> {
    return this.request('capture-download', req);
  }

  async lessonList(): Promise<Ack<{ lessons: LessonSummary[] }>> {
    return this.request('lesson-list', {});
  }

  /** Starts a shipped lesson, or a lesson file's text; the lab is replaced by the lesson's start. */
  async lessonStart(req: { id: string } | { source: string; name?: string }): Promise<Ack> {
    return this.request('lesson-start', req, EDIT_ACK_TIMEOUT_MS);
  }

  async lessonStop(): Promise<Ack> {
    return this.request('lesson-stop', {});
  }

  async lessonShow(step: number): Promise<Ack> {
    return this.request('lesson-show', { step }, EDIT_ACK_TIMEOUT_MS);
  }

  async lessonReset(step: number): Promise<Ack> {
    return this.request('lesson-reset', { step }, EDIT_ACK_TIMEOUT_MS);
  }

  async lessonCheck(): Promise<Ack> {
    return this.request('lesson-check', {});
  }

  /** A patch came for a state this page does not have (one was lost): the whole state again. */
  private resyncing = false;
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      const r = await this.request('lab-resync', {});
      const state = useLabStore.getState().state;
      if (r.ok && (!state || r.state.version >= state.version)) this.set({ state: r.state });
    } finally {
      this.resyncing = false;
    }
  }

  /** One request with an acknowledgement; a lost connection or a silent server is an error like any other. */
  private async request<E extends keyof ClientToServerEvents>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
    timeoutMs = EXPORT_ACK_TIMEOUT_MS,
  ): Promise<AckOf<E>> {
    if (!this.socket.connected) return { ok: false, error: 'not connected to the lab server' } as never;
    try {
      // socket.io's typings cannot follow a generic event name; the event map above fixes the types.
      return await (this.socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, p: unknown): Promise<never> }).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: `the server did not answer within ${timeoutMs / 1000} s` } as never;
    }
  }

  /** Hands the packets that came to the list, at once if it was not redrawn in the last PACKET_RENDER_MS, else then. */
  private flushPackets(): void {
    if (this.packetTimer) return;
    const wait = PACKET_RENDER_MS - (performance.now() - this.lastPacketRender);
    const flush = () => {
      this.packetTimer = undefined;
      this.lastPacketRender = performance.now();
      const batches = this.pendingPackets;
      this.pendingPackets = [];
      if (batches.length === 0) return;
      usePackets.getState().receive({
        packets: batches.length === 1 ? batches[0].packets : batches.flatMap((b) => b.packets),
        seen: batches.reduce((n, b) => n + b.seen, 0),
        every: Math.max(...batches.map((b) => b.every)),
      });
    };
    if (wait <= 0) flush();
    else this.packetTimer = setTimeout(flush, wait);
  }

  private set(patch: Partial<LabSnapshot>): void {
    useLabStore.setState(patch);
  }
}
