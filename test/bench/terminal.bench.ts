/**
 * Terminal latency and throughput: a bare node-pty in this process against
 * the same shell through TerminalManager (namespace, setpriv, batching, flow
 * control with prompt acknowledgements). Not a test: it prints numbers.
 *
 *   node --import tsx test/bench/terminal.bench.ts
 *
 * Needs root (it creates and removes one namespace). The helpers are exported
 * so that a later layer (socket.io) can be measured the same way: anything
 * that can send input and subscribe to output is an Endpoint.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pty from 'node-pty';
import { io as connectClient, type Socket } from 'socket.io-client';
import { TerminalManager } from '../../server/terminal/terminal-manager';
import { startServer, type RunningServer } from '../../server/web/serve';

/** Keystrokes timed for the echo round trip. */
export const ECHO_KEYSTROKES = 200;
/** Output for the throughput run: 20 MB of "a". */
export const THROUGHPUT_BYTES = 20_000_000;
/** The line is cleared this often while typing, so it never wraps. */
const KEYSTROKES_PER_LINE = 50;
const STEP_TIMEOUT_MS = 5000;
const THROUGHPUT_TIMEOUT_MS = 120_000;

export interface Endpoint {
  send(data: string): void;
  /** Subscribes to output; returns the unsubscribe function. */
  onData(listener: (data: string) => void): () => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the output once `done(output)` is true; rejects after `timeoutMs`. */
function waitForOutput(endpoint: Endpoint, done: (output: string) => boolean, timeoutMs = STEP_TIMEOUT_MS): {
  promise: Promise<string>;
} {
  let output = '';
  let unsubscribe = () => {};
  const promise = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out; last output: ${JSON.stringify(output.slice(-200))}`));
    }, timeoutMs);
    unsubscribe = endpoint.onData((data) => {
      output += data;
      if (done(output)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(output);
      }
    });
  });
  return { promise };
}

/** Waits for a shell prompt ending in "$ ". */
export async function waitForPrompt(endpoint: Endpoint, send?: string): Promise<void> {
  const w = waitForOutput(endpoint, (o) => /\$ $/.test(o));
  if (send !== undefined) endpoint.send(send);
  await w.promise;
}

/**
 * Types `keystrokes` characters one at a time, each after the previous one's
 * echo arrived; returns each round trip in milliseconds.
 */
export async function measureEcho(endpoint: Endpoint, keystrokes = ECHO_KEYSTROKES): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < keystrokes; i++) {
    if (i > 0 && i % KEYSTROKES_PER_LINE === 0) {
      endpoint.send('\x15'); // Ctrl-U: clear the line
      await sleep(20);
    }
    const ch = String.fromCharCode(97 + (i % 26));
    const w = waitForOutput(endpoint, (o) => o.includes(ch));
    const start = process.hrtime.bigint();
    endpoint.send(ch);
    await w.promise;
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  endpoint.send('\x15');
  await sleep(20);
  return samples;
}

/** Runs a command that prints `bytes` characters and times it until the end marker. */
export async function measureThroughput(
  endpoint: Endpoint,
  bytes = THROUGHPUT_BYTES,
): Promise<{ seconds: number; chars: number; mbPerSecond: number }> {
  let chars = 0;
  let tail = '';
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // Only a short tail is kept for the marker: scanning all 20 MB on every event would measure that instead.
  const unsubscribe = endpoint.onData((d) => {
    chars += d.length;
    tail = (tail + d.slice(-64)).slice(-64);
    if (tail.includes('@@DONE@@')) finish();
  });
  const start = process.hrtime.bigint();
  // The quotes split the marker in the typed line, so only the echo command's output matches.
  endpoint.send(`head -c ${bytes} /dev/zero | tr '\\0' a; echo "@@DO""NE@@"\r`);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`throughput run timed out after ${chars} chars`)), THROUGHPUT_TIMEOUT_MS);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    unsubscribe();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { seconds, chars, mbPerSecond: bytes / 1e6 / seconds };
}

export function summarize(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

/** A bare node-pty running bash in the root namespace, no batching, no flow control. */
export function bareEndpoint(): { endpoint: Endpoint; dispose(): void } {
  const p = pty.spawn('bash', ['--noprofile', '--norc', '-i'], {
    name: 'xterm-256color',
    cols: 200,
    rows: 50,
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', TERM: 'xterm-256color', PS1: '$ ', HOME: '/tmp' },
  });
  return {
    endpoint: {
      send: (d) => p.write(d),
      onData: (l) => {
        const sub = p.onData(l);
        return () => sub.dispose();
      },
    },
    dispose: () => {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

/**
 * One attached client of a TerminalManager terminal that acknowledges every
 * output event on the next turn of the event loop, as a browser does after
 * xterm.js has written it.
 */
export function managerEndpoint(manager: TerminalManager, id: string, clientId = 'bench'): Endpoint {
  const listeners = new Set<(data: string) => void>();
  manager.attach(id, clientId);
  manager.on('output', (tid, data) => {
    if (tid !== id) return;
    for (const l of listeners) l(data);
    setImmediate(() => manager.ack(id, clientId, data.length));
  });
  return {
    send: (d) => manager.input(id, d),
    onData: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

/**
 * A browser's view of a terminal: socket.io over loopback to a real server,
 * acknowledging each output message as xterm.js does once it has written it.
 */
export async function socketEndpoint(server: RunningServer, node: string): Promise<{ endpoint: Endpoint; dispose(): void }> {
  const socket: Socket = connectClient(`http://127.0.0.1:${server.port}`, { auth: { token: server.token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const opened = await socket.timeout(STEP_TIMEOUT_MS).emitWithAck('terminal-open', { node, cols: 200, rows: 50 });
  if (!opened.ok) throw new Error(`terminal-open: ${opened.error}`);
  const id: string = opened.id;
  const listeners = new Set<(data: string) => void>();
  socket.on('terminal-output', (msg: { id: string; data: string }) => {
    if (msg.id !== id) return;
    for (const l of listeners) l(msg.data);
    setImmediate(() => socket.emit('terminal-ack', { id, chars: msg.data.length }));
  });
  const attached = await socket.timeout(STEP_TIMEOUT_MS).emitWithAck('terminal-attach', { id });
  if (!attached.ok) throw new Error(`terminal-attach: ${attached.error}`);
  return {
    endpoint: {
      send: (data) => socket.emit('terminal-input', { id, data }),
      onData: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    },
    dispose: () => socket.close(),
  };
}

interface Row {
  name: string;
  echo: { median: number; p95: number };
  mbPerSecond: number;
}

async function measure(name: string, endpoint: Endpoint): Promise<Row> {
  await measureEcho(endpoint, 20); // warm-up
  const echo = summarize(await measureEcho(endpoint));
  const { mbPerSecond } = await measureThroughput(endpoint);
  return { name, echo, mbPerSecond };
}

function printTable(rows: Row[]): void {
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(`${'path'.padEnd(36)}${pad('echo median', 13)}${pad('echo p95', 11)}${pad('throughput', 14)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(36)}${pad(`${r.echo.median.toFixed(3)} ms`, 13)}${pad(`${r.echo.p95.toFixed(3)} ms`, 11)}` +
        `${pad(`${r.mbPerSecond.toFixed(1)} MB/s`, 14)}`,
    );
  }
  const [base, ...others] = rows;
  for (const r of others) {
    console.log(
      `${`ratio (${r.name} / bare)`.padEnd(36)}${pad(`${(r.echo.median / base.echo.median).toFixed(2)}x`, 13)}` +
        `${pad(`${(r.echo.p95 / base.echo.p95).toFixed(2)}x`, 11)}${pad(`${(r.mbPerSecond / base.mbPerSecond).toFixed(2)}x`, 14)}`,
    );
  }
}

async function main(): Promise<void> {
  const ns = `vlt-bench-${randomBytes(3).toString('hex')}`;
  const sock = `${ns}-s`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vlt-bench-'));
  const manager = new TerminalManager({ dataDir });
  const bare = bareEndpoint();
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    await waitForPrompt(bare.endpoint);
    const rows = [await measure('bare node-pty', bare.endpoint)];

    const id = await manager.open({ node: ns, netns: ns, cols: 200, rows: 50 });
    const endpoint = managerEndpoint(manager, id);
    await waitForPrompt(endpoint, '\r');
    rows.push(await measure('TerminalManager', endpoint));
    await manager.closeAll();

    // The whole path a browser uses: socket.io on loopback, the server's handlers, the manager, the pty.
    const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, page: false, quiet: true });
    try {
      const applied = await server.lab.apply({ name: 'bench', nodes: { [sock]: { kind: 'netns', interfaces: {}, routes: [] } }, links: [] }, { observeAfter: true });
      if (!applied.ok) throw new Error(`could not make ${sock}: ${JSON.stringify(applied.errors ?? applied.failure)}`);
      const client = await socketEndpoint(server, sock);
      try {
        await waitForPrompt(client.endpoint, '\r');
        rows.push(await measure('socket.io + server + pty', client.endpoint));
      } finally {
        client.dispose();
      }
    } finally {
      await server.lab.destroy();
      await server.close();
    }
    console.log(`${ECHO_KEYSTROKES} keystrokes, ${THROUGHPUT_BYTES / 1e6} MB of output\n`);
    printTable(rows);
  } finally {
    bare.dispose();
    await manager.closeAll();
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      // Not created.
    }
    try {
      execFileSync('ip', ['netns', 'del', sock], { stdio: 'ignore' });
    } catch {
      // Not created.
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
