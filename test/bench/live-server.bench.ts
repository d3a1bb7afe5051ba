/**
 * Benchmark (not a timed test): the real server as users run it, the
 * compiled `vethlab serve --real-host` (Next.js and all) in a process of its
 * own, with a 100-namespace lab loaded and a browser (socket.io client)
 * connected, the lab idle. Prints
 *   - the server's CPU use while idle (every thread of the process, and its ip
 *     children), in % of one core;
 *   - the delay from a change made with `ip` to the broadcast that shows it, median and p95;
 *   - for comparison in the same run: what one full re-read of the lab costs
 *     with a spawned `ip` per namespace (a polling design pays that every tick);
 *   - the latency of an edit (set one address) through the socket until both
 *     connected browsers have the new state, median and p95, in this lab and,
 *     as the baseline, in a lab of 2 namespaces on the same server: the first
 *     edits of a fresh server, and edits after a warm-up (V8 compiles the
 *     edit path's code in its background threads over the first hundred or
 *     so; a server in a class runs for hours), with the server's CPU per edit.
 *   npm run build && node --import tsx test/bench/live-server.bench.ts [--count 100] [--changes 30] [--edits 60] [--warmup 150] [--idle-seconds 10]
 *   (BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=DIR" profiles the server.)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as connectClient } from 'socket.io-client';
import { realHostLab, REPO } from '../support/kernel';
import type { LabPatch, LabState } from '../../server/protocol';
import { applyTopologyPatch } from '../../server/model/topology-patch';
import { stringifyTopology } from '../../server/model/topology-file';
import type { Topology } from '../../server/model/topology';
import { linearTopology } from './linear-topology';
import { children, processCpuMs, threadsCpuMs } from './process-cpu';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100' }, changes: { type: 'string', default: '30' }, edits: { type: 'string', default: '60' }, warmup: { type: 'string', default: '150' }, 'idle-seconds': { type: 'string', default: '10' } } });
const EDITS = Number(values.edits);
if (!Number.isInteger(EDITS) || EDITS < 2 || EDITS > 1000) throw new Error(`--edits: "${values.edits}" must be a whole number from 2 to 1000`);
const WARMUP = Number(values.warmup);
if (!Number.isInteger(WARMUP) || WARMUP < 0 || WARMUP > 2000) throw new Error(`--warmup: "${values.warmup}" must be a whole number from 0 to 2000`);
const COUNT = Number(values.count);
const CHANGES = Number(values.changes);
const IDLE_S = Number(values['idle-seconds']);
if (!Number.isInteger(COUNT) || COUNT < 2 || COUNT > 1000) throw new Error(`--count: "${values.count}" must be a whole number from 2 to 1000`);
if (!Number.isInteger(CHANGES) || CHANGES < 2 || CHANGES > 500) throw new Error(`--changes: "${values.changes}" must be a whole number from 2 to 500`);
if (!(IDLE_S >= 1 && IDLE_S <= 120)) throw new Error(`--idle-seconds: "${values['idle-seconds']}" must be from 1 to 120`);

/** Let the load's own events pass, and IPv6 autoconfiguration (router solicitations go out for about 12 s after a link comes up), before measuring idle. */
const SETTLE_MS = 15_000;
const CHANGE_GIVE_UP_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];


function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => spawn(cmd, args, { stdio: 'ignore' }).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${c}`)))));
}

type Client = { socket: ReturnType<typeof connectClient>; state?: LabState; waiters: Set<() => void> };

function client(port: number, lab: string, token: string): Client {
  const c: Client = { socket: connectClient(`http://127.0.0.1:${port}/lab/${lab}`, { auth: { token }, transports: ['websocket'], reconnection: false }), waiters: new Set() };
  c.socket.on('lab-state', (s: LabState) => {
    c.state = s;
    for (const w of c.waiters) w();
  });
  // As the page does: a patch applies to the state it was made from.
  c.socket.on('lab-patch', (p: LabPatch) => {
    if (c.state?.version !== p.base) throw new Error(`a patch for version ${p.base} reached a client at ${c.state?.version}`);
    c.state = { topology: applyTopologyPatch(c.state.topology, p.patch), version: p.version };
    for (const w of c.waiters) w();
  });
  return c;
}

function until(c: Client, check: (s: LabState) => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not seen within ${CHANGE_GIVE_UP_MS} ms`)), CHANGE_GIVE_UP_MS);
    const w = () => {
      if (c.state && check(c.state)) {
        clearTimeout(timer);
        c.waiters.delete(w);
        resolve();
      }
    };
    c.waiters.add(w);
    w();
  });
}

/** Sets one address `count` times through one client; each latency runs until both clients show it. */
async function editLatencies(clients: [Client, Client], node: string, iface: string, base: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const address = `${base}.${10 + (i % 200)}/24`;
    const shows = (s: LabState) => s.topology.nodes[node]?.interfaces[iface]?.addresses.includes(address) ?? false;
    const start = performance.now();
    const seen = Promise.all(clients.map((c) => until(c, shows, `edit ${i}`)));
    const ack = (await clients[0].socket.timeout(30_000).emitWithAck('lab-edit', { op: 'set-interface', node, iface, addresses: [address], up: true })) as { ok: boolean; error?: string };
    if (!ack.ok) throw new Error(`edit ${i}: ${ack.error}`);
    await seen;
    out.push(performance.now() - start);
    await sleep(20);
  }
  return out;
}

const BUILT = path.join(REPO, 'dist/cli/vethlab.mjs');
/** Node flags for the server, e.g. BENCH_SERVER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where an edit's time goes. */
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);

/** `vethlab serve` in a process of its own; resolves with its port and edit token once it listens. */
function serve(dataDir: string): Promise<{ pid: number; port: number; token: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...SERVER_FLAGS, BUILT, 'serve', '--real-host', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VETHLAB_DATA_DIR: '' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  let out = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => (out += d));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /vethlab is running: http:\/\/127\.0\.0\.1:(\d+)\/\S*token=([\w-]+)/.exec(out);
      if (m) resolve({ pid: child.pid!, port: Number(m[1]), token: m[2], stop });
    });
    child.once('exit', (code) => reject(new Error(`vethlab serve exited (${code}): ${out.slice(0, 600)}`)));
  });
}

/** Replaces the lab with a topology through the socket, as a browser loading a file does. */
async function load(c: Client, topology: Topology): Promise<void> {
  const ack = (await c.socket.timeout(120_000).emitWithAck('lab-edit', { op: 'load', yaml: stringifyTopology(topology) })) as { ok: boolean; error?: string };
  if (!ack.ok) throw new Error(`load failed: ${ack.error}`);
}

async function main() {
  if (!existsSync(BUILT)) throw new Error('run "npm run build" first: this benchmark runs the compiled server');
  const prefix = `vlls${Math.random().toString(36).slice(2, 6)}`;
  const linear = linearTopology(prefix, COUNT);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-live-bench-'));
  const server = await serve(dataDir);
  const clients: Client[] = [];
  const connect = () => {
    const c = client(server.port, 'default', server.token);
    clients.push(c);
    return c;
  };
  const cleanup = async () => {
    const c = connect();
    await c.socket.timeout(120_000).emitWithAck('lab-edit', { op: 'destroy' }).catch(() => undefined);
    for (const x of clients) x.socket.close();
    await server.stop();
    for (const n of [...linear.names, `${prefix}s000`, `${prefix}s001`]) {
      try {
        execFileSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
      } catch {
        // Already gone with the lab.
      }
    }
  };
  try {
    // The baseline first: edits in a lab of 2 namespaces.
    const small = linearTopology(`${prefix}s`, 2);
    const two: [Client, Client] = [connect(), connect()];
    await Promise.all(two.map((c) => until(c, () => true, 'the first state')));
    await load(two[0], small.topology);
    await Promise.all(two.map((c) => until(c, (st) => small.names[1] in st.topology.nodes, 'the small lab')));
    const smallLatencies = (await editLatencies(two, small.names[1], 'left', '10.251.0', WARMUP + EDITS)).slice(WARMUP);
    for (const c of two) c.socket.close();

    const watcher = connect();
    await until(watcher, () => true, 'the first state');
    await load(watcher, linear.topology);
    await until(watcher, (st) => linear.names.every((n) => n in st.topology.nodes), 'the linear lab');
    await sleep(SETTLE_MS);

    // The server's every thread (V8's collector and libuv's pool included), and its ip readers and monitor.
    const pids = children(server.pid);
    const self0 = threadsCpuMs(server.pid);
    const kids0 = pids.map(processCpuMs);
    let broadcasts = 0;
    watcher.socket.on('lab-state', () => broadcasts++);
    watcher.socket.on('lab-patch', () => broadcasts++);
    const t0 = performance.now();
    await sleep(IDLE_S * 1000);
    const wall = performance.now() - t0;
    const selfMs = threadsCpuMs(server.pid) - self0;
    const kidsMs = pids.map(processCpuMs).reduce((a, b, i) => a + Math.max(0, b - kids0[i]), 0);
    const idleBroadcasts = broadcasts;

    const delays: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      // Down, then up again, namespace after namespace (each has a `left` end but the first).
      const ns = linear.names[1 + (Math.floor(i / 2) * 7) % (COUNT - 1)];
      const want = i % 2 === 1;
      const seen = until(watcher, (st) => st.topology.nodes[ns]?.interfaces.left?.up === want, `change ${i} in ${ns}`);
      const start = performance.now();
      await run('ip', ['-n', ns, 'link', 'set', 'left', want ? 'up' : 'down']);
      await seen;
      delays.push(performance.now() - start);
      await sleep(50);
    }

    // Edits in this lab.
    const big: [Client, Client] = [connect(), connect()];
    await Promise.all(big.map((c) => until(c, () => true, 'the first state')));
    let editCpu0 = threadsCpuMs(server.pid);
    const firstLatencies = await editLatencies(big, linear.names[1], 'left', '10.250.0', EDITS);
    const firstCpuMs = (threadsCpuMs(server.pid) - editCpu0) / EDITS;
    await editLatencies(big, linear.names[1], 'left', '10.250.0', WARMUP);
    editCpu0 = threadsCpuMs(server.pid);
    const bigLatencies = await editLatencies(big, linear.names[1], 'left', '10.250.0', EDITS);
    const editCpuMs = (threadsCpuMs(server.pid) - editCpu0) / EDITS;

    const full = [] as number[];
    for (let i = 0; i < 3; i++) {
      const lab = realHostLab(dataDir);
      const s = performance.now();
      await lab.observe();
      full.push(performance.now() - s);
    }

    console.log(`live server (node dist/cli/vethlab.mjs serve --real-host, a process of its own), linear-${COUNT} lab, one browser connected`);
    console.log(`idle CPU over ${(wall / 1000).toFixed(1)} s: ${((selfMs + kidsMs) / wall * 100).toFixed(2)}% of one core (server ${(selfMs / wall * 100).toFixed(2)}%, ${pids.length} ip children ${(kidsMs / wall * 100).toFixed(2)}%; ${idleBroadcasts} state broadcasts)   target < 2%`);
    console.log(`change -> broadcast over ${CHANGES} changes: median ${quantile(delays, 0.5).toFixed(0)} ms, p95 ${quantile(delays, 0.95).toFixed(0)} ms   target median < 200 ms`);
    console.log(`baseline: one full re-read with a spawned ip per namespace: median ${quantile(full, 0.5).toFixed(0)} ms (polling everything once a second would spend ~${(quantile(full, 0.5) / 10).toFixed(0)}% of every second re-reading)`);
    console.log(`ratio change->broadcast median / full re-read: ${(quantile(delays, 0.5) / quantile(full, 0.5)).toFixed(2)}x`);
    console.log(`edit (set one address) -> both browsers have it, ${EDITS} edits each (target median <= 20 ms, p95 <= 40 ms):`);
    console.log(`   linear-${COUNT}, the first edits in it: median ${quantile(firstLatencies, 0.5).toFixed(0)} ms, p95 ${quantile(firstLatencies, 0.95).toFixed(0)} ms; server CPU ${firstCpuMs.toFixed(1)} ms per edit`);
    console.log(`   linear-${COUNT}, after ${WARMUP} more: median ${quantile(bigLatencies, 0.5).toFixed(0)} ms, p95 ${quantile(bigLatencies, 0.95).toFixed(0)} ms; server CPU ${editCpuMs.toFixed(1)} ms per edit`);
    console.log(`   2 namespaces, after ${WARMUP}: median ${quantile(smallLatencies, 0.5).toFixed(0)} ms, p95 ${quantile(smallLatencies, 0.95).toFixed(0)} ms; ratio of the medians ${(quantile(bigLatencies, 0.5) / quantile(smallLatencies, 0.5)).toFixed(2)}x`);
  } finally {
    await cleanup().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
