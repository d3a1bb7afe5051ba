/**
 * Benchmark (not a timed test) of lab machines, every figure beside a
 * baseline measured in the same run:
 *   1. making and destroying a lab machine (ms), against `unshare` of the same
 *      namespaces with nothing set up in them;
 *   2. `apply` of linear-100 inside a lab machine, against the plain
 *      `ip -batch` script run (through nsenter, as vethlab must) in an equal bare lab machine;
 *   3. a server with 40 labs of 5 namespaces and 2 terminals each: memory per
 *      lab, the server's idle CPU (and its readers'), and the latency of edits in one lab
 *      while every other lab pings continuously.
 *   node --import tsx test/bench/lab-machines.bench.ts [--labs 40] [--rounds 5] [--edits 40] [--idle-seconds 10] [--parts 1,2,3]
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { io as connectClient, type Socket } from 'socket.io-client';
import { LabRegistry } from '../../server/engine/lab-registry';
import { LabMachine } from '../../server/machine/lab-machine';
import { runIp } from '../../server/kernel/ip';
import { startServer } from '../../server/web/serve';
import type { Ack, LabState } from '../../server/protocol';
import { linearTopology } from './linear-topology';
import { cgroupMemoryBytes, children, processCpuMs, pssKb } from './process-cpu';
import { fiveYaml } from './linear-topology';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    labs: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '5' },
    edits: { type: 'string', default: '40' },
    'idle-seconds': { type: 'string', default: '10' },
    parts: { type: 'string', default: '1,2,3' },
  },
});
const PARTS = new Set(values.parts!.split(','));
const LABS = Number(values.labs);
const ROUNDS = Number(values.rounds);
const EDITS = Number(values.edits);
const IDLE_S = Number(values['idle-seconds']);
for (const [name, v, max] of [['--labs', LABS, 200], ['--rounds', ROUNDS, 50], ['--edits', EDITS, 1000], ['--idle-seconds', IDLE_S, 120]] as const) {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name}: must be a whole number from 1 to ${max}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** 1. Make and destroy lab machines; the baseline is unshare of the same namespace set, running `true`. */
async function machineLifecycle(dir: string): Promise<void> {
  const create: number[] = [];
  const destroy: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const m = new LabMachine({ dir: path.join(dir, `m${i}`), name: `bench${i}` });
    create.push(await time(() => m.ensure()));
    destroy.push(await time(() => m.destroy()));
    bare.push(await time(() => run('unshare', ['--user', '--map-root-user', '--mount', '--net', '--pid', '--uts', '--ipc', '--fork', 'true'])));
  }
  console.log(`1. lab machine, median of ${ROUNDS}: create ${ms(median(create))}, destroy ${ms(median(destroy))}; bare unshare of the same namespaces ${ms(median(bare))}`);
}

/** 2. linear-100 applied by vethlab in a lab machine, against the plain script in an equal bare one. */
async function applyInMachine(dir: string): Promise<void> {
  const linear = linearTopology('n', 100);
  const registry = new LabRegistry({ dataDir: path.join(dir, 'apply') });
  const plainMachine = new LabMachine({ dir: path.join(dir, 'plain'), name: 'plain' });
  const lab = registry.lab('bench');
  const plain: number[] = [];
  const vethlab: number[] = [];
  try {
    await lab.ensureMachine();
    await plainMachine.ensure();
    const m = plainMachine.machine();
    const must = async (args: string[], input: string) => {
      const r = await runIp(args, input, m);
      if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
    };
    for (let i = 0; i < ROUNDS; i++) {
      plain.push(
        await time(async () => {
          await must(['-batch', '-'], linear.rootBatch);
          for (const [ns, batch] of linear.nsBatches) await must(['-n', ns, '-batch', '-'], batch);
        }),
      );
      await must(['-batch', '-'], linear.names.map((n) => `netns del ${n}`).join('\n') + '\n');
      vethlab.push(
        await time(async () => {
          const r = await lab.apply(linear.topology);
          if (!r.ok) throw new Error(`apply failed: ${JSON.stringify(r.failure ?? r.errors)}`);
        }),
      );
      // An empty lab again, machine kept: remove the namespaces as the plain round does.
      await runIp(['-batch', '-'], linear.names.map((n) => `netns del ${n}`).join('\n') + '\n', lab.machine()!);
    }
  } finally {
    await plainMachine.destroy();
    await registry.delete('bench');
  }
  const ratio = median(vethlab) / median(plain);
  console.log(`2. apply linear-100 in a lab machine, median of ${ROUNDS}: plain ip -batch ${ms(median(plain))}, vethlab ${ms(median(vethlab))}: ${ratio.toFixed(2)}x (target <= 1.3x)`);
}


/** Proportional set size: a process's private memory plus its share of what it shares (the ip readers share their code). */
type Client = Socket;

async function connectLab(port: number, lab: string, token: string): Promise<{ socket: Client; states: LabState[] }> {
  const socket = connectClient(`http://127.0.0.1:${port}/lab/${lab}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const states: LabState[] = [];
  socket.on('lab-state', (s: LabState) => states.push(s));
  socket.on('terminal-output', ({ id, data }: { id: string; data: string }) => socket.emit('terminal-ack', { id, chars: data.length }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect_error', reject);
    socket.once('lab-state', () => resolve());
  });
  return { socket, states };
}

/** 3. A class: LABS labs of five namespaces with two terminals each. */
async function classroom(dir: string): Promise<void> {
  const dataDir = path.join(dir, 'class');
  const server = await startServer({ port: 0, host: '127.0.0.1', dataDir, page: false, quiet: true });
  const yaml = fiveYaml();
  const file = path.join(dir, 'five.yml');
  writeFileSync(file, yaml);
  const clients: Client[] = [];
  try {
    const rssBefore = pssKb(process.pid);
    const names = Array.from({ length: LABS }, (_, i) => `class${String(i).padStart(2, '0')}`);
    const t0 = performance.now();
    const labs: { socket: Client; states: LabState[] }[] = [];
    for (const name of names) {
      server.registry.create(name);
      const c = await connectLab(server.port, name, server.registry.tokens(name).edit);
      clients.push(c.socket);
      const r = (await c.socket.timeout(60_000).emitWithAck('lab-edit', { op: 'load', yaml })) as Ack;
      if (!r.ok) throw new Error(`load in ${name}: ${r.error}`);
      for (const node of ['host', 'a']) {
        const t = (await c.socket.timeout(30_000).emitWithAck('terminal-open', { node, cols: 80, rows: 24 })) as Ack<{ id: string }>;
        if (!t.ok) throw new Error(`terminal in ${name}: ${t.error}`);
        await c.socket.timeout(10_000).emitWithAck('terminal-attach', { id: t.id });
      }
      labs.push(c);
    }
    const buildS = (performance.now() - t0) / 1000;
    await sleep(3000);
    // Memory: the labs' own processes (their cgroups) and what the server grew by, per lab.
    let labBytes = 0;
    for (const name of names) labBytes += cgroupMemoryBytes(server.registry.lab(name).machineHandle!.cgroup!.dirs);
    const kids = children();
    const readersKb = kids.reduce((a, p) => a + pssKb(p), 0);
    const serverGrowthKb = pssKb(process.pid) - rssBefore;
    const perLabMiB = (labBytes / 1024 + readersKb + serverGrowthKb) / 1024 / LABS;
    console.log(
      `3. ${LABS} labs x (5 namespaces, 2 terminals), built in ${buildS.toFixed(1)} s; memory per lab ${perLabMiB.toFixed(1)} MiB ` +
        `(lab processes ${(labBytes / 1048576 / LABS).toFixed(1)} MiB, server's readers ${(readersKb / 1024 / LABS).toFixed(1)} MiB, server heap growth ${(serverGrowthKb / 1024 / LABS).toFixed(1)} MiB)`,
    );

    // Idle CPU: this process (the server) and its readers and monitors, over IDLE_S seconds.
    const self0 = process.cpuUsage();
    const kids0 = kids.map(processCpuMs);
    const w0 = performance.now();
    await sleep(IDLE_S * 1000);
    const wall = performance.now() - w0;
    const self = process.cpuUsage(self0);
    const selfPct = ((self.user + self.system) / 1000 / wall) * 100;
    const kidsPct = (kids.map(processCpuMs).reduce((a, b, i) => a + Math.max(0, b - kids0[i]), 0) / wall) * 100;
    console.log(`   idle: server ${selfPct.toFixed(2)}% of one core + its ${kids.length} readers/monitors ${kidsPct.toFixed(2)}% = ${(selfPct + kidsPct).toFixed(2)}% (target < 10%)`);

    // Load: every other lab pings through its chain, continuously, from its terminal on `a`.
    for (const c of labs.slice(1)) {
      c.socket.emit('terminal-input', { id: 't2', data: 'ping -i 0.2 10.0.1.2 > /dev/null &\n' });
    }
    await sleep(2000);
    const [one] = labs;
    const latencies: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const address = `10.0.1.${i % 2 === 0 ? 1 : 3}/24`;
      const start = performance.now();
      const r = (await one.socket.timeout(30_000).emitWithAck('lab-edit', { op: 'set-interface', node: 'a', iface: 'right', addresses: [address], up: true })) as Ack;
      if (!r.ok) throw new Error(`edit ${i}: ${r.error}`);
      latencies.push(performance.now() - start);
      await sleep(50);
    }
    const baseline = await time(() => run('ip', ['link', 'show', 'lo']));
    console.log(
      `   edit latency in one lab while ${LABS - 1} labs ping, ${EDITS} edits: median ${ms(median(latencies))}, p95 ${ms(p95(latencies))} (target p95 < 100 ms); one bare \`ip link show\` process: ${ms(baseline)}`,
    );
  } finally {
    for (const c of clients) c.close();
    await server.close();
    for (const name of server.registry.names()) await server.registry.delete(name);
  }
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'vethlab-machines-bench-'));
  try {
    if (PARTS.has('1')) await machineLifecycle(dir);
    if (PARTS.has('2')) await applyInMachine(dir);
    if (PARTS.has('3')) await classroom(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
