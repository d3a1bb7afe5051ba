/**
 * The browser side of the lab terminals: the tabs, attaching to each terminal
 * once per connection, and routing its output to the xterm.js view that shows
 * it (or holding it until that view mounts). Knows nothing of React.
 */
import type { Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents, TerminalInfo } from '@/server/protocol';

export interface TerminalTab {
  id: string;
  node: string;
  title: string;
  ended: boolean;
}

/** Where a terminal's output goes: an xterm.js instance. `counted` output must be acknowledged once written. */
export interface TerminalSink {
  reset(): void;
  write(data: string, counted: boolean): void;
}

type Chunk = { reset: true } | { reset?: false; data: string; counted: boolean };

interface Channel {
  /** `attaching`: output is dropped, the attach reply's scrollback will contain it. */
  phase: 'detached' | 'attaching' | 'attached';
  pending: Chunk[];
  sink?: TerminalSink;
}

/** Opening a shell may wait for the server to prepare the shell user and files. */
export const TERMINAL_ACK_TIMEOUT_MS = 15_000;

type LabSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class TerminalHub {
  private tabs: TerminalTab[] = [];
  private readonly channels = new Map<string, Channel>();

  constructor(
    private readonly socket: LabSocket,
    private readonly onTabsChange: (tabs: TerminalTab[]) => void,
  ) {
    socket.on('terminal-list', (list) => this.reconcile(list));
    socket.on('terminal-output', ({ id, data }) => {
      const ch = this.channels.get(id);
      if (ch?.phase === 'attached') this.deliver(ch, { data, counted: true });
    });
    socket.on('terminal-exit', ({ id, reason }) => this.ended(id, reason));
    socket.on('disconnect', () => {
      for (const ch of this.channels.values()) ch.phase = 'detached';
    });
  }

  list(): TerminalTab[] {
    return this.tabs;
  }

  async open(node: string, opts: { ping?: string; cols?: number; rows?: number }): Promise<Ack<{ id: string }>> {
    if (!this.socket.connected) return { ok: false, error: 'not connected to the lab server' };
    let r: Ack<{ id: string }>;
    try {
      r = await this.socket.timeout(TERMINAL_ACK_TIMEOUT_MS).emitWithAck('terminal-open', { node, ...opts });
    } catch {
      return { ok: false, error: `the server did not open the terminal within ${TERMINAL_ACK_TIMEOUT_MS / 1000} s` };
    }
    if (r.ok) {
      this.addTab({ id: r.id, node, title: opts.ping ? `${node}: ping ${opts.ping}` : node, alive: true });
      this.attach(r.id);
    }
    return r;
  }

  /** Ends the terminal on the server (for every browser) and removes its tab. */
  close(id: string): void {
    this.tabs = this.tabs.filter((t) => t.id !== id);
    this.channels.delete(id);
    this.onTabsChange(this.tabs);
    if (this.socket.connected) this.socket.emit('terminal-close', { id });
  }

  input(id: string, data: string): void {
    const tab = this.tabs.find((t) => t.id === id);
    if (tab && !tab.ended && this.socket.connected) this.socket.emit('terminal-input', { id, data });
  }

  resize(id: string, cols: number, rows: number): void {
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || cols < 1 || rows < 1) return;
    if (this.socket.connected) this.socket.emit('terminal-resize', { id, cols, rows });
  }

  ack(id: string, chars: number): void {
    if (chars > 0 && this.socket.connected) this.socket.emit('terminal-ack', { id, chars });
  }

  /** A view starts showing this terminal: it gets what arrived before it, then the rest. */
  connectSink(id: string, sink: TerminalSink): () => void {
    const ch = this.channel(id);
    ch.sink = sink;
    for (const chunk of ch.pending.splice(0)) this.deliver(ch, chunk);
    return () => {
      if (ch.sink === sink) ch.sink = undefined;
    };
  }

  private reconcile(list: TerminalInfo[]): void {
    const listed = new Set(list.map((t) => t.id));
    for (const info of list) {
      this.addTab(info);
      this.attach(info.id);
    }
    // Gone from the server while this page was away: closed elsewhere, or the server restarted.
    for (const tab of this.tabs) if (!listed.has(tab.id) && !tab.ended) this.ended(tab.id, 'terminal closed');
    this.onTabsChange(this.tabs);
  }

  private addTab(info: TerminalInfo): void {
    const known = this.tabs.find((t) => t.id === info.id);
    if (known) {
      // The server's title is the one every browser shows (a ping's names its whole command).
      if (known.title !== info.title) {
        this.tabs = this.tabs.map((t) => (t.id === info.id ? { ...t, title: info.title } : t));
        this.onTabsChange(this.tabs);
      }
      return;
    }
    this.tabs = [...this.tabs, { id: info.id, node: info.node, title: info.title, ended: !info.alive }];
    this.onTabsChange(this.tabs);
  }

  /** Attaches once per connection; the reply's scrollback replaces whatever the view showed. */
  private attach(id: string): void {
    const ch = this.channel(id);
    if (ch.phase !== 'detached' || !this.socket.connected) return;
    ch.phase = 'attaching';
    this.socket
      .timeout(TERMINAL_ACK_TIMEOUT_MS)
      .emitWithAck('terminal-attach', { id })
      .then((r) => {
        if (this.channels.get(id) !== ch) return;
        if (!r.ok) {
          ch.phase = 'detached';
          this.ended(id, r.error);
          return;
        }
        ch.phase = 'attached';
        this.deliver(ch, { reset: true });
        if (r.scrollback) this.deliver(ch, { data: r.scrollback, counted: false });
      })
      .catch(() => {
        if (this.channels.get(id) === ch) ch.phase = 'detached';
      });
  }

  private ended(id: string, reason: string): void {
    const tab = this.tabs.find((t) => t.id === id);
    if (!tab || tab.ended) return;
    this.tabs = this.tabs.map((t) => (t.id === id ? { ...t, ended: true } : t));
    const ch = this.channel(id);
    // A command that ended well (a ping that got its answers) is not a warning: grey, not yellow.
    const colour = / code 0$/.test(reason) ? '2' : '1;33';
    this.deliver(ch, { data: `\r\n\x1b[${colour}m[${reason}]\x1b[0m\r\n`, counted: false });
    this.onTabsChange(this.tabs);
  }

  private channel(id: string): Channel {
    let ch = this.channels.get(id);
    if (!ch) {
      ch = { phase: 'detached', pending: [] };
      this.channels.set(id, ch);
    }
    return ch;
  }

  private deliver(ch: Channel, chunk: Chunk): void {
    if (!ch.sink) {
      if (chunk.reset) ch.pending = [];
      ch.pending.push(chunk);
      return;
    }
    if (chunk.reset) ch.sink.reset();
    else ch.sink.write(chunk.data, chunk.counted);
  }
}
