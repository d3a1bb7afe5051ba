/**
 * Benchmark (not a timed test): the live observer on a 100-namespace linear
 * lab, wired as the server would wire it: KernelMonitor events -> re-read only
 * the namespaces that changed through persistent NamespaceReaders, and a
 * TrafficMeter reading every namespace each second. Measures
 *   (a) CPU of this process plus its ip children while the lab is idle, without and with the meter,
 *   (b) the delay from a spawned `ip -n NS link set X down|up` to the re-read that shows it,
 *   (c) for comparison, a full re-observe of every namespace (Lab.observe, one spawned ip each),
 *       and the same read through the persistent readers.
 *   node --import tsx test/bench/observer.bench.ts [--count 100] [--changes 30] [--idle-seconds 10]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { realHostLab } from '../support/kernel';
import { runIp } from '../../server/kernel/ip';
import type { NamespaceReading } from '../../server/kernel/ip-json';
import { KernelMonitor } from '../../server/kernel/kernel-monitor';
import { listNamespaces } from '../../server/kernel/namespaces';
import { NamespaceReaders, readNamespaceWith } from '../../server/kernel/namespace-readers';
import { TrafficMeter } from '../../server/kernel/traffic-meter';
import { linearTopology } from './linear-topology';
import { processCpuMs } from './process-cpu';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '100' }, changes: { type: 'string', default: '30' }, 'idle-seconds': { type: 'string', default: '10' } },
});
const COUNT = Number(values.count);
const CHANGES = Number(values.changes);
const IDLE_S = Number(values['idle-seconds']);
if (!Number.isInteger(COUNT) || COUNT < 2 || COUNT > 1000) throw new Error(`--count: "${values.count}" must be a whole number from 2 to 1000`);
if (!Number.isInteger(CHANGES) || CHANGES < 2 || CHANGES > 1000) throw new Error(`--changes: "${values.changes}" must be a whole number from 2 to 1000`);
if (!(IDLE_S >= 1 && IDLE_S <= 120)) throw new Error(`--idle-seconds: "${values['idle-seconds']}" must be from 1 to 120`);

/** Waited after setup and between changes, so one measurement does not spill into the next. */
const SETTLE_MS = 2000;
const BETWEEN_CHANGES_MS = 100;
const CHANGE_GIVE_UP_MS = 3000;

const prefix = `vlob${Math.random().toString(36).slice(2, 6)}`;
const linear = linearTopology(prefix, COUNT);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const quantile = (xs: number[], q: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface CpuSplit {
  self: number;
  monitor: number;
  readers: number;
}

/** Percent of one core over `seconds`, split by who used it. Only processes alive at both ends are counted; none should die while idle. */
async function measureCpu(seconds: number, monitor: KernelMonitor, readers: NamespaceReaders): Promise<CpuSplit & { readerCount: number }> {
  const pids = readers.pids();
  const mon = monitor.pid!;
  const before = { self: selfCpuMs(), monitor: processCpuMs(mon), readers: pids.map(processCpuMs) };
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = performance.now() - t0;
  const pct = (ms: number) => (ms / wall) * 100;
  return {
    self: pct(selfCpuMs() - before.self),
    monitor: pct(processCpuMs(mon) - before.monitor),
    readers: pct(pids.reduce((sum, pid, i) => sum + processCpuMs(pid) - before.readers[i], 0)),
    readerCount: pids.length,
  };
}

async function leftovers(): Promise<string[]> {
  return (await listNamespaces()).map((n) => n.name).filter((n) => n.startsWith(prefix));
}

async function main() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-observer-bench-'));
  const lab = realHostLab(dataDir);
  const monitor = new KernelMonitor();
  const readers = new NamespaceReaders();
  const meter = new TrafficMeter(readers);
  const ours = new Set(linear.names);
  const readings = new Map<string, NamespaceReading>();
  let waiter: { ns: string; done: (r: NamespaceReading) => boolean; resolve: (t: number) => void } | undefined;
  let rereads = 0;
  let emits = 0;
  let readFailures = 0;
  let monitorExits = 0;
  let eventsLost = 0;
  monitor.on('monitor-exit', () => monitorExits++);
  monitor.on('events-lost', () => eventsLost++);

  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await meter.stop().catch(() => undefined);
      await monitor.stop().catch(() => undefined);
      await readers.closeAll().catch(() => undefined);
      await lab.destroy().catch((e) => console.error('destroy:', e));
      for (const n of await leftovers()) await runIp(['netns', 'del', n]);
      await rm(dataDir, { recursive: true, force: true });
    })());
  // Interrupted: clean up all the same.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.error(`${signal}: removing the lab ${prefix}*`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  console.log(`namespaces ${prefix}000..${linear.names.at(-1)}, data in ${dataDir}`);

  try {
    const t0 = performance.now();
    const applied = await lab.apply(linear.topology);
    if (!applied.ok) throw new Error(`apply failed: ${JSON.stringify(applied.errors ?? applied.failure)}`);
    const applyMs = performance.now() - t0;

    // The server's wiring: a change re-reads only what changed, through the readers.
    await monitor.start();
    monitor.on('changed', (names, root) => {
      emits++;
      const present = monitor.dir.names();
      void readers.sync(present);
      const targets: (string | undefined)[] = [...names].filter((n) => ours.has(n) && present.includes(n));
      if (root) targets.push(undefined);
      for (const ns of targets) {
        rereads++;
        readNamespaceWith(readers, ns)
          .then((r) => {
            if (ns === undefined) return;
            readings.set(ns, r);
            if (waiter && waiter.ns === ns && waiter.done(r)) waiter.resolve(performance.now());
          })
          .catch(() => {
            readFailures++;
            if (ns !== undefined) readings.delete(ns);
          });
      }
    });
    const assigned = await monitor.ensureWatched(linear.names);
    await Promise.all(linear.names.map(async (n) => readings.set(n, await readNamespaceWith(readers, n))));

    // (a) idle: first without the traffic meter (the observer alone), then with it, as the server runs
    await sleep(SETTLE_MS);
    const quiet = await measureCpu(IDLE_S, monitor, readers);
    meter.start(() => linear.names);
    await sleep(SETTLE_MS);
    const cpu = await measureCpu(IDLE_S, monitor, readers);

    // (b) change -> re-read shows it
    const delays: number[] = [];
    let missed = 0;
    for (let i = 0; i < CHANGES; i++) {
      const ns = linear.names[(Math.floor(i / 2) * 7) % (COUNT - 1)]; // every namespace but the last has `right`
      const up = i % 2 === 1;
      const shows = (r: NamespaceReading) => r.links.some((l) => l.ifname === 'right' && l.flags.includes('UP') === up);
      const seen = new Promise<number>((resolve) => (waiter = { ns, done: shows, resolve }));
      const start = performance.now();
      spawn('ip', ['-n', ns, 'link', 'set', 'right', up ? 'up' : 'down'], { stdio: 'ignore' });
      const at = await Promise.race([seen, sleep(CHANGE_GIVE_UP_MS).then(() => -1)]);
      waiter = undefined;
      if (at < 0) missed++;
      else delays.push(at - start);
      await sleep(BETWEEN_CHANGES_MS);
    }

    // (c) full re-reads
    const fullObserve: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await lab.observe();
      fullObserve.push(performance.now() - s);
    }
    const fullReaders: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await Promise.all([undefined, ...linear.names].map((n) => readNamespaceWith(readers, n)));
      fullReaders.push(performance.now() - s);
    }
    const meterRound: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = performance.now();
      await Promise.all(linear.names.map((n) => readers.read(n, ['link show'])));
      meterRound.push(performance.now() - s);
    }

    const total = cpu.self + cpu.monitor + cpu.readers;
    const quietTotal = quiet.self + quiet.monitor + quiet.readers;
    const ms = (x: number) => `${x.toFixed(1).padStart(8)} ms`;
    const pc = (x: number) => `${x.toFixed(2).padStart(8)} %`;
    console.log(`observer on linear-${COUNT}: ${COUNT} namespaces, ${COUNT - 1} veth pairs (apply took ${(applyMs / 1000).toFixed(1)} s; nsids assigned: ${assigned.length})`);
    console.log('');
    console.log(`(a) idle CPU over ${IDLE_S} s, % of one core     without meter   with meter (all ${COUNT} namespaces every ${meter.intervalMs} ms)`);
    console.log(`    node (this process)          ${pc(quiet.self)}   ${pc(cpu.self)}`);
    console.log(`    ip monitor                   ${pc(quiet.monitor)}   ${pc(cpu.monitor)}`);
    console.log(`    ip readers (${String(cpu.readerCount).padStart(3)})            ${pc(quiet.readers)}   ${pc(cpu.readers)}`);
    console.log(`    total                        ${pc(quietTotal)}   ${pc(total)}   ${total < 5 ? 'under' : 'OVER'} the 5 % budget`);
    console.log('');
    console.log(`(b) spawned \`ip -n NS link set right down|up\` -> re-read shows it, ${delays.length} changes${missed ? `, ${missed} MISSED` : ''}`);
    console.log(`    median                     ${ms(quantile(delays, 0.5))}   ${quantile(delays, 0.5) < 200 ? 'under' : 'OVER'} the 200 ms budget`);
    console.log(`    p95                        ${ms(quantile(delays, 0.95))}`);
    console.log(`    max                        ${ms(Math.max(...delays))}`);
    console.log(`    emits / re-reads (all of this run, other labs' namespaces included in emits): ${emits} / ${rereads}`);
    console.log(`    failed re-reads ${readFailures}, monitor restarts ${monitorExits}, kernel-dropped event bursts ${eventsLost}`);
    console.log('');
    console.log(`(c) full re-read of all ${COUNT} namespaces and the root, median of 3`);
    console.log(`    Lab.observe (spawned ip)   ${ms(quantile(fullObserve, 0.5))}`);
    console.log(`    persistent readers         ${ms(quantile(fullReaders, 0.5))}`);
    console.log(`    one traffic round (link show x ${COUNT}) ${ms(quantile(meterRound, 0.5))}`);
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
