// Runs every test file, each a node process of its own, in two lanes at
// once:
//
//   - files that time what a person would notice (TIMING: a lesson step
//     ticking within a second, 30 tiles following within a second, a click
//     answered during a flood), or must catch a moment (a kill -9 while a
//     batch of 100 namespaces is half made): one at a time, first on the CPU;
//   - every other file, several at once, at the lowest CPU priority (nice 19),
//     the pure-logic files together in one process. They use what the timed
//     file leaves, so what that one measures is its server's speed, not the
//     other files' load.
//
// Files that touch the kernel run in a private host (PRIVATE_HOST): a network
// and mount namespace of the file's own, with its own /run/netns and loopback
// up. There the real-host labs, the tutorials' fixed names (vnet0,
// custom_namespace, veth0) and the kernel tests' namespaces are made without
// meeting another file's, so those files run at once; and none of them can
// touch the machine's own interfaces. The files that check that lab machines
// leave the real machine as it was (ON_REAL_MACHINE) run on the real machine
// itself, beside the others: no other file changes its network, and what
// these make there themselves is named vl... and left out of each other's
// checks.
//
// The test files are compiled first (scripts/build-tests.mjs, a second or
// two), and each runs as `node dist/test/run-PID/FILE.test.mjs`: node:test runs the
// tests a file defines and fails the process when one fails, so neither tsx
// nor `node --test`'s own parent process is paid per file. The pure files
// (UNIT: no root, no kernel, no server) run together in one process, as
// `npm run test:unit` does (`node scripts/test.mjs --unit`). The slowest files
// (SLOW) start first in their lane, so a lane does not end with one of them
// running alone.
//
// A file's output is printed whole when it ends, so files that run together
// do not interleave; the run ends with the files that took the most CPU
// (the file's process and every process it waited for: servers, CLIs, ip,
// Chromium's browser process; not Chromium's renderers and GPU process,
// which Chromium's zygote leaves to init), with the time each took on its
// own clock. On two busy cores the CPU says where the suite's time goes; a
// file's wall time also counts the others'.
//
// A new test file runs niced, in a private host, unless UNIT, TIMING or
// ON_REAL_MACHINE names it: list it there when it is what those are for.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildTests, builtTest } from './build-tests.mjs';

const root = path.resolve(import.meta.dirname, '..');
/** Files that check the real machine is left as it was by lab machines: run on it, not in a private host. */
const ON_REAL_MACHINE = ['browser/lab-machine', 'browser/switches', 'machine/cli', 'machine/lab-machine', 'web/lab-machines', 'engine/crash', 'web/restart', 'machine/escape'];
/** Files that time what a person would notice, or catch a moment: one at a time, first on the CPU, beside the others. */
const TIMING = ['engine/crash', 'browser/lessons', 'browser/packets', 'browser/teacher', 'web/classroom'];
/** Started first in their lane, slowest first (as measured on this 2-core machine: 15 to 65 s each). */
const SLOW = ['browser/projector', 'browser/lab-machine', 'engine/crash', 'web/lessons', 'engine/bad-files', 'browser/switches', 'browser/packets', 'web/restart', 'browser/lab-page'];
/** Two cores: files wait on the kernel, a browser or a timer much of their time, so four at once keep both busy. */
const CONCURRENCY = 4;
/** A file that runs longer is killed (the slowest take about 150 s beside the others). */
const FILE_TIMEOUT_MS = 10 * 60_000;
/** How many of the costliest files the summary lists. */
const COSTLIEST = 15;
/**
 * Runs a job's argv under sh, which then writes its children's CPU time
 * (`times`: user and system, of every process they waited for) to fd 3.
 */
const WITH_CPU = ['sh', '-c', '"$@"; s=$?; times >&3; exit $s', 'with-cpu'];
/** Pure logic: no root, no kernel, no server; run in one process. */
const UNIT = ['page/', 'capture/', 'classroom/', 'lessons/', 'model/', 'planner/', 'kernel/batch-files', 'kernel/build-topology', 'kernel/namespaces', 'kernel/proc-net-dev', 'kernel/traffic-budget', 'engine/lab-store', 'engine/same-but-counters', 'machine/lab-lock', 'web/static-page'];
/**
 * The command that makes a private host and runs the rest of its argv there.
 * /run/vethlab (the lab machines' id slots) and the cgroups stay shared: two
 * labs must never get the same ids, whichever file made them.
 */
const PRIVATE_HOST = ['unshare', '--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mkdir -p /run/netns && mount -t tmpfs -o mode=0755,size=1m vethlab-test-host /run/netns && ip link set lo up && exec "$@"', 'private-host'];
/**
 * The files' environment: without NODE_EXTRA_CA_CERTS, which node reads and
 * parses at every start where it is set (about 80 ms each here, in the
 * hundreds of node processes a run starts: servers, CLIs); no test makes a
 * TLS connection. The vethlab bin unsets it the same way.
 */
const TEST_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));
const isUnit = (f) => UNIT.some((u) => (u.endsWith('/') ? f.startsWith(u) : f === u));

const all = readdirSync(path.join(root, 'test'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(root, 'test', d.name)).filter((f) => f.endsWith('.test.ts')).map((f) => `${d.name}/${f.replace(/\.test\.ts$/, '')}`))
  .sort();
const unitOnly = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((a) => a !== '--unit');
const chosen = (only.length > 0 ? all.filter((f) => only.some((o) => f.startsWith(o))) : all).filter((f) => !unitOnly || isUnit(f));
const lanes = [
  { name: 'timed, one at a time, first on the CPU', files: chosen.filter((f) => TIMING.includes(f)), concurrency: 1, nice: [] },
  { name: 'every other file, several at once, niced', files: chosen.filter((f) => !TIMING.includes(f)), concurrency: CONCURRENCY, nice: ['nice', '-n', '19'] },
];

/** A job: one compiled file (in a private host unless it must be on the real machine), or the pure files together. */
function fileJob(file, nice) {
  const node = [process.execPath, '--enable-source-maps', builtTest(compiled.dir, file)];
  const real = ON_REAL_MACHINE.includes(file);
  return { name: file, label: real ? `${file} (on the real machine)` : file, argv: [...nice, ...(real ? node : [...PRIVATE_HOST, ...node])] };
}

/** node:test runs the tests a process defines when it ends, and fails the process when one fails. */
function unitJob(files, nice) {
  return { name: 'the pure files', label: `${files.length} pure files in one process (${UNIT.join(' ')})`, argv: [...nice, process.execPath, '--enable-source-maps', ...files.flatMap((f) => ['--import', `./${builtTest(compiled.dir, f)}`]), '--eval', ''] };
}

/**
 * Runs a job; its output is printed when it ends. A file still running after
 * FILE_TIMEOUT_MS is killed and fails: a test that hangs (a child it never
 * ends keeps it alive) must not hold the run forever.
 */
function runJob({ name, label, argv }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(WITH_CPU[0], [...WITH_CPU.slice(1), ...argv], { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: TEST_ENV });
    const out = [];
    const times = [];
    child.stdio[3].on('data', (d) => times.push(d));
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => out.push(Buffer.from(`${argv[0]}: ${e.message}\n`)));
    let ended = false;
    const end = (code, signal, why) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const ok = code === 0 && why === undefined;
      const cpu = childCpu(Buffer.concat(times).toString());
      process.stdout.write(`# file: ${label} (${seconds.toFixed(1)} s, ${cpu.toFixed(1)} CPU-s): ${ok ? 'passed' : `FAILED (${why ?? signal ?? `exit ${code}`})`}\n`);
      process.stdout.write(Buffer.concat(out));
      resolve({ file: name, seconds, cpu, ok });
    };
    // 'close' waits for the pipes as well as the process, so the output is whole.
    child.on('close', (code, signal) => end(code, signal));
    const timer = setTimeout(() => {
      // A child of the file's (a server it never ended) may hold the pipes open: stop reading them.
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdio[3].destroy();
      if (child.exitCode === null && child.signalCode === null) {
        // The file runs under WITH_CPU's sh: end the file first, then the sh.
        for (const pid of childrenOf(child.pid)) process.kill(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }
      end(null, null, `still running after ${FILE_TIMEOUT_MS / 1000} s: killed`);
    }, FILE_TIMEOUT_MS);
  });
}

/** The children of process `pid` (none when it is gone, or the kernel does not list them). */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The CPU seconds in `times`' second line ("0m1.5s 0m0.3s": the children's user and system time); 0 when missing. */
function childCpu(text) {
  const line = text.trim().split('\n')[1] ?? '';
  return [...line.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
}

/** Runs jobs `concurrency` at a time, in order. */
async function pool(jobs, concurrency) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) results.push(await runJob(jobs[next++]));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return results;
}

const started = performance.now();
const compiled = await buildTests(chosen);
console.log(`# compiled ${chosen.length} test files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const summary = [];
const results = (
  await Promise.all(
    lanes
      .filter((lane) => lane.files.length > 0)
      .map(async (lane) => {
        const t0 = performance.now();
        console.log(`# lane: ${lane.name} (${lane.files.length} files, ${lane.concurrency} at a time)`);
        const unit = lane.files.filter(isUnit);
        const slow = SLOW.filter((f) => lane.files.includes(f));
        const rest = lane.files.filter((f) => !isUnit(f) && !SLOW.includes(f));
        const jobs = [...slow.map((f) => fileJob(f, lane.nice)), ...(unit.length > 0 ? [unitJob(unit, lane.nice)] : []), ...rest.map((f) => fileJob(f, lane.nice))];
        const r = await pool(jobs, lane.concurrency);
        const line = `# lane done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${r.every((x) => x.ok) ? 'passed' : 'FAILED'}`;
        console.log(line);
        summary.push(`${line} (${lane.name})`);
        return r;
      }),
  )
).flat();
const failed = results.filter((r) => !r.ok);
const totalCpu = results.reduce((sum, r) => sum + r.cpu, 0);
console.log(`# the ${Math.min(COSTLIEST, results.length)} files that took the most CPU (of ${totalCpu.toFixed(1)} CPU-s in all; wall time each on its own clock, beside the others):`);
for (const r of [...results].sort((a, b) => b.cpu - a.cpu).slice(0, COSTLIEST)) console.log(`#   ${r.cpu.toFixed(1).padStart(6)} CPU-s ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}`);
for (const line of summary) console.log(line);
if (failed.length > 0) console.log(`# failed: ${failed.map((r) => r.file).join(', ')}`);
console.log(`# all tests: ${((performance.now() - started) / 1000).toFixed(1)} s, ${failed.length > 0 ? 'FAILED' : 'passed'}`);
process.exitCode = failed.length > 0 ? 1 : 0;
await compiled.done();
