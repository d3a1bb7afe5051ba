/**
 * Shared by the realtime server tests: a real server on 127.0.0.1 port 0
 * with its own data directory, socket.io clients, and cleanup that removes
 * every namespace the test made even when the test fails. Names carry a
 * random tag so parallel runs never collide.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as connectClient, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import { startServer, type RunningServer } from '../../server/web/serve';
import type { Ack, ClientToServerEvents, LabPatch, LabState, LogEntry, ServerToClientEvents } from '../../server/protocol';
import { applyTopologyPatch } from '../../server/model/topology-patch';
import { until } from '../support/wait';
import { ip, namespaceNames as netnsNames, realHostLab } from '../support/kernel';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a test waits for an answer from the server; kernel edits take a few hundred milliseconds. */
export const WAIT_MS = 15_000;

export { ip, ipJson, tag } from '../support/kernel';
export { namespaceNames as netnsNames } from '../support/kernel';

/** Deletes the given namespaces if they exist; the fallback when lab.destroy() could not run. */
export function removeNamespaces(names: readonly string[]): void {
  const present = new Set(netnsNames());
  for (const ns of names) {
    if (!present.has(ns)) continue;
    try {
      ip('netns', 'del', ns);
    } catch {
      // Gone meanwhile.
    }
  }
}

export function removeHostLinks(names: readonly string[]): void {
  for (const name of names) {
    try {
      ip('link', 'del', name);
    } catch {
      // Never made, or gone with its peer.
    }
  }
}

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  base: string;
  /** Destroys the lab, deletes the given leftovers, stops the server and removes the data directory. */
  cleanup(namespaces: readonly string[], hostLinks?: readonly string[]): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'vlw-data-'));
}

/** Removes everything the lab of a data directory made, then the fallbacks, then the directory. */
export async function destroyLab(dataDir: string, namespaces: readonly string[], hostLinks: readonly string[] = []): Promise<void> {
  try {
    await realHostLab(dataDir).destroy();
  } finally {
    removeHostLinks(hostLinks);
    removeNamespaces(namespaces);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A server in real-host mode unless `realHost: false` (lab machines). */
export async function startTestServer(extra: { allowHosts?: string[]; realHost?: boolean } = {}): Promise<TestServer> {
  const dataDir = await makeDataDir();
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, page: false, quiet: true, realHost: true, ...extra });
  return {
    server,
    dataDir,
    base: `http://127.0.0.1:${server.port}`,
    async cleanup(namespaces, hostLinks = []) {
      if (extra.realHost === false) {
        // Lab machines: every lab the test made goes, machine and all.
        try {
          await server.close();
        } finally {
          for (const name of server.registry.names()) await server.registry.delete(name);
          await rm(dataDir, { recursive: true, force: true });
        }
        return;
      }
      try {
        await server.lab.destroy();
      } finally {
        await server.close();
        await destroyLab(dataDir, namespaces, hostLinks);
      }
    },
  };
}

/** A client that records every state (a patch applied to the state before it) and log entry it receives. */
export class Recorder {
  states: LabState[] = [];
  patches: LabPatch[] = [];
  /** Patches that did not fit the state this client had, each answered by a lab-resync. */
  resyncs = 0;
  log: LogEntry[] = [];

  constructor(readonly socket: Client) {
    socket.on('lab-state', (s) => this.states.push(s));
    socket.on('lab-patch', (p) => {
      this.patches.push(p);
      const last = this.state;
      // Before the first state (a change while connecting) the state on its way already has it.
      if (!last) return;
      if (last.version === p.base) {
        this.states.push({ topology: applyTopologyPatch(last.topology, p.patch), version: p.version });
        return;
      }
      // As the page does: a patch for another version asks for the whole state.
      this.resyncs++;
      void (socket as Socket)
        .timeout(WAIT_MS)
        .emitWithAck('lab-resync', {})
        .then((r: Ack<{ state: LabState }>) => {
          if (r.ok && r.state.version >= (this.state?.version ?? 0)) this.states.push(r.state);
        })
        .catch(() => undefined);
    });
    socket.on('log-append', (entries) => this.log.push(...entries));
  }

  get state(): LabState | undefined {
    return this.states.at(-1);
  }

  /** Sends a request and waits for its acknowledgement. */
  async send(event: 'lab-edit' | 'lab-export', payload: unknown): Promise<Ack<{ text?: string }>> {
    return (await (this.socket as Socket).timeout(WAIT_MS).emitWithAck(event, payload)) as Ack<{ text?: string }>;
  }

  /** Waits until a received state satisfies the predicate. */
  async waitForState(pred: (s: LabState) => boolean, what = 'a matching state'): Promise<LabState> {
    return until(what, () => {
      const found = this.states.find(pred);
      if (found) return found;
      throw new Error(`last state: ${JSON.stringify(this.state)}`);
    }, { timeoutMs: WAIT_MS, everyMs: 20 });
  }

  close(): void {
    this.socket.close();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Connects and waits for the first lab-state, or rejects with the connect error. */
export async function connect(base: string, opts: Partial<ManagerOptions & SocketOptions> = {}, setup?: (socket: Client) => void): Promise<Recorder> {
  // A server's address alone means its default lab's namespace.
  const url = new URL(base).pathname === '/' ? `${base.replace(/\/$/, '')}/lab/default` : base;
  const socket: Client = connectClient(url, { reconnection: false, forceNew: true, timeout: WAIT_MS, ...opts });
  const recorder = new Recorder(socket);
  // Listeners for what the server sends on connect, before the first state arrives.
  setup?.(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect_error', (e) => {
      socket.close();
      reject(e);
    });
    socket.once('lab-state', () => resolve());
  });
  return recorder;
}

/** Tries to connect and says why it failed, or null if it succeeded (and then disconnects). */
export async function connectError(base: string, opts: Partial<ManagerOptions & SocketOptions>): Promise<string | null> {
  try {
    const r = await connect(base, opts);
    r.close();
    return null;
  } catch (e) {
    const err = e as Error & { context?: { responseText?: string } };
    return `${err.message} ${err.context?.responseText ?? ''}`.trim();
  }
}

/** The two-namespaces tutorial under the test's own names: `a`'s veth0 (10.0.1.0/24) cabled to `b`'s veth1 (10.0.1.1/24). */
export function pairYaml(name: string, a: string, b: string): string {
  return `name: ${name}
nodes:
  ${a}:
    interfaces:
      veth0: {addresses: [10.0.1.0/24]}
  ${b}:
    interfaces:
      veth1: {addresses: [10.0.1.1/24]}
links:
  - endpoints: [${a}:veth0, ${b}:veth1]
`;
}

/** Collects a terminal's output as a browser would, acknowledging it. */
export class Screen {
  text = '';
  constructor(
    private readonly c: Recorder,
    readonly id: string,
  ) {
    c.socket.on('terminal-output', ({ id: from, data }) => {
      if (from !== this.id) return;
      this.text += data;
      c.socket.emit('terminal-ack', { id: from, chars: data.length });
    });
  }

  async attach(): Promise<void> {
    const r = (await (this.c.socket as Socket).timeout(WAIT_MS).emitWithAck('terminal-attach', { id: this.id })) as Ack<{ scrollback: string }>;
    if (!r.ok) throw new Error(`terminal-attach refused: ${r.error}`);
    this.text = r.scrollback + this.text;
  }

  type(line: string): void {
    this.c.socket.emit('terminal-input', { id: this.id, data: line });
  }

  async waitFor(pattern: RegExp, timeoutMs = WAIT_MS): Promise<string> {
    return until(String(pattern), () => {
      if (pattern.test(this.text)) return this.text;
      throw new Error(`screen:\n${this.text}`);
    }, { timeoutMs, everyMs: 20 });
  }
}

export async function openTerminal(r: Recorder, payload: unknown): Promise<Ack<{ id: string }>> {
  return (await (r.socket as Socket).timeout(WAIT_MS).emitWithAck('terminal-open', payload)) as Ack<{ id: string }>;
}

/** A shell in `node` (the host node's: the lab machine's root shell), attached, once its prompt is there. */
export async function openShell(r: Recorder, node: string, size = { cols: 120, rows: 30 }): Promise<Screen> {
  const opened = await openTerminal(r, { node, ...size });
  if (!opened.ok) throw new Error(`terminal-open ${node} refused: ${opened.error}`);
  const screen = new Screen(r, opened.id);
  await screen.attach();
  await screen.waitFor(/# $/m);
  return screen;
}
