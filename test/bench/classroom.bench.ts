/**
 * Benchmark (not a timed test) of issue 13's class on one machine: a class
 * of LABS labs made through the classroom (5 namespaces each), each with a
 * live lesson (state checks on every change, a ping check retried every 5 s
 * while it fails) and 2 terminals, the teacher's grid watched. Prints
 *   - memory per lab and the time to make the class;
 *   - idle CPU of the server and its readers;
 *   - edit latency (acknowledgement) p95, over all labs and in the worst lab,
 *     while every student edits once every 5 s; beside one bare `ip` process;
 *   - how often the teacher's grid refreshed under that load.
 *   node --import tsx test/bench/classroom.bench.ts [--labs 40] [--seconds 30] [--idle-seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { io as connectClient, type Socket } from 'socket.io-client';
import { startServer } from '../../server/web/serve';
import type { Ack } from '../../server/protocol';
import { fiveYaml } from './linear-topology';
import { cgroupMemoryBytes, children, processCpuMs, pssKb } from './process-cpu';

const { values } = parseArgs({ options: { labs: { type: 'string', default: '40' }, seconds: { type: 'string', default: '30' }, 'idle-seconds': { type: 'string', default: '10' } } });
const LABS = Number(values.labs);
const SECONDS = Number(values.seconds);
const IDLE_S = Number(values['idle-seconds']);
if (!Number.isInteger(LABS) || LABS < 1 || LABS > 200) throw new Error(`--labs: "${values.labs}" must be a whole number from 1 to 200`);
if (!(SECONDS >= 5 && SECONDS <= 600)) throw new Error(`--seconds: "${values.seconds}" must be from 5 to 600`);
if (!(IDLE_S >= 1 && IDLE_S <= 120)) throw new Error(`--idle-seconds: "${values['idle-seconds']}" must be from 1 to 120`);

/** Every student edits this often. */
const EDIT_EVERY_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

/** A lesson on the five-namespace lab whose last check fails (no routes), so its ping is retried every 5 s: live checks. */
const LESSON = `---
title: Bench
goal: Live checks on five namespaces
start:
  topology:
${fiveYaml().trimEnd().split('\n').map((l) => `    ${l}`).join('\n')}
---
## Reach the end
\`\`\`check
- interface: a:right
  up: true
- ping: {from: a, to: 10.0.4.2, count: 1}
\`\`\`
\`\`\`show
${fiveYaml()}\`\`\`
`;

async function client(port: number, nsp: string, token: string, ready: string): Promise<Socket> {
  const s = connectClient(`http://127.0.0.1:${port}${nsp}`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  s.on('terminal-output', ({ id, data }: { id: string; data: string }) => s.emit('terminal-ack', { id, chars: data.length }));
  await new Promise<void>((resolve, reject) => {
    s.once('connect_error', reject);
    s.once(ready, () => resolve());
  });
  return s;
}

const dir = mkdtempSync(path.join(tmpdir(), 'vl-bench-class-'));
const server = await startServer({ port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'data'), page: false, quiet: true });
const sockets: Socket[] = [];
try {
  const pssBefore = pssKb(process.pid);
  const t0 = performance.now();
  const made = await server.classroom.create({ name: 'bench', students: LABS, topology: fiveYaml() });
  if (made) throw new Error(made);
  const roster = server.classroom.get('bench')!;
  for (const s of roster.students) {
    const hub = await server.hub(s.lab);
    const e = await hub.lesson.start({ source: LESSON, name: 'bench' });
    if (e) throw new Error(`${s.lab}: ${e}`);
    const sock = await client(server.port, `/lab/${s.lab}`, server.registry.tokens(s.lab).edit, 'lab-state');
    sockets.push(sock);
    for (const node of ['host', 'a']) {
      const t = (await sock.timeout(30_000).emitWithAck('terminal-open', { node, cols: 80, rows: 24 })) as Ack<{ id: string }>;
      if (!t.ok) throw new Error(`terminal in ${s.lab}: ${t.error}`);
      await sock.timeout(10_000).emitWithAck('terminal-attach', { id: t.id });
    }
  }
  const buildS = (performance.now() - t0) / 1000;
  const teacher = connectClient(`http://127.0.0.1:${server.port}/admin`, { auth: { token: server.registry.adminToken() }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(teacher);
  await new Promise<void>((r) => teacher.once('connect', () => r()));
  const grids: number[] = [];
  teacher.on('class-grid', () => grids.push(performance.now()));
  const w = (await teacher.timeout(60_000).emitWithAck('class-watch', { name: 'bench' })) as Ack;
  if (!w.ok) throw new Error(w.error);
  await sleep(5000);

  const labBytes = roster.students.reduce((n, s) => n + cgroupMemoryBytes(server.registry.lab(s.lab).machineHandle!.cgroup!.dirs), 0);
  const kids = children();
  const readersKb = kids.reduce((a, p) => a + pssKb(p), 0);
  const growthKb = pssKb(process.pid) - pssBefore;
  console.log(`${LABS} labs x (5 namespaces, 2 terminals, a live lesson), made in ${buildS.toFixed(1)} s`);
  console.log(`  memory per lab ${((labBytes / 1024 + readersKb + growthKb) / 1024 / LABS).toFixed(1)} MiB (lab processes ${(labBytes / 1048576 / LABS).toFixed(1)}, server's readers ${(readersKb / 1024 / LABS).toFixed(1)}, server growth ${(growthKb / 1024 / LABS).toFixed(1)})`);

  const self0 = process.cpuUsage();
  const kids0 = kids.map(processCpuMs);
  const w0 = performance.now();
  const gridsBefore = grids.length;
  await sleep(IDLE_S * 1000);
  const wall = performance.now() - w0;
  const self = process.cpuUsage(self0);
  const selfPct = ((self.user + self.system) / 1000 / wall) * 100;
  const kidsPct = (kids.map(processCpuMs).reduce((a, b, i) => a + Math.max(0, b - kids0[i]), 0) / wall) * 100;
  console.log(`  idle (the lessons' failing pings retried every 5 s): server ${selfPct.toFixed(1)}% of one core + ${kids.length} readers/monitors ${kidsPct.toFixed(1)}%; grid refreshes ${((grids.length - gridsBefore) / (wall / 1000)).toFixed(1)}/s`);

  // Load: every student edits once every 5 s, staggered, for SECONDS.
  const byLab = new Map<string, number[]>();
  const gStart = grids.length;
  const l0 = performance.now();
  await Promise.all(
    roster.students.map(async (s, i) => {
      await sleep((EDIT_EVERY_MS * i) / LABS);
      const lat: number[] = [];
      for (let k = 0; performance.now() - l0 < SECONDS * 1000; k++) {
        const start = performance.now();
        const r = (await sockets[i].timeout(30_000).emitWithAck('lab-edit', { op: 'set-interface', node: 'a', iface: 'right', addresses: [`10.0.1.${k % 2 ? 1 : 3}/24`], up: true })) as Ack;
        if (!r.ok) throw new Error(`${s.lab}: ${r.error}`);
        lat.push(performance.now() - start);
        await sleep(Math.max(0, EDIT_EVERY_MS - (performance.now() - start)));
      }
      byLab.set(s.lab, lat);
    }),
  );
  const loadS = (performance.now() - l0) / 1000;
  const all = [...byLab.values()].flat();
  const worst = Math.max(...[...byLab.values()].map((l) => pct(l, 95)));
  const t1 = performance.now();
  execFileSync('ip', ['link', 'show', 'lo'], { stdio: 'ignore' });
  const bare = performance.now() - t1;
  console.log(`  ${all.length} edits (each lab once every 5 s): p95 ${pct(all, 95).toFixed(0)} ms over all labs, worst lab's p95 ${worst.toFixed(0)} ms, median ${pct(all, 50).toFixed(0)} ms (target p95 < 200 ms); one bare \`ip link show\` process ${bare.toFixed(0)} ms`);
  console.log(`  the teacher's grid refreshed ${((grids.length - gStart) / loadS).toFixed(1)} times a second under that load (at most 4 by design)`);
} finally {
  for (const s of sockets) s.close();
  await server.close();
  for (const name of server.registry.names()) await server.registry.delete(name);
  rmSync(dir, { recursive: true, force: true });
}
