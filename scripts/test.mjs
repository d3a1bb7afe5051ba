// Runs every test file, in three phases, each file a node process of its
// own, several at once where the phase allows:
//
//   1. files that use names of their own (a random tag) or only lab machines,
//      and pure logic: several at once (the projector page's test too: it
//      waits on what the page shows, not on the clock);
//   2. files that check the real machine is left as it was: at once with each
//      other (what they make on it themselves is named vl... and left out of
//      the check), but not beside phase 1, whose real-host labs make host ends
//      with the tutorials' names;
//   3. files that use the tutorials' fixed names on the real machine (vnet0,
//      custom_namespace, veth0), and files that measure what a person would
//      notice (a lesson step ticking within a second) or load the machine
//      with a class of 30 lab machines: one at a time.
//
// The test files are compiled first (scripts/build-tests.mjs, a second or
// two), and each runs as `node dist/test/run-PID/FILE.test.mjs`: node:test runs the
// tests a file defines and fails the process when one fails, so neither tsx
// nor `node --test`'s own parent process is paid per file. The pure files
// (UNIT: no root, no kernel, no server) run together in one process, as
// `npm run test:unit` does (`node scripts/test.mjs --unit`). The slowest files
// (SLOW) start first in their phase, so a phase does not end with one of them
// running alone.
//
// A file's output is printed whole when it ends, so files that run together
// do not interleave; the run ends with the time each file took, slowest
// first, which says where the suite's time goes.
//
// A new test file runs in phase 1 unless PHASE_2 or PHASE_3 names it: list it
// there when it does what those phases are for.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildTests, builtTest } from './build-tests.mjs';

const root = path.resolve(import.meta.dirname, '..');
const PHASE_2 = ['browser/lab-machine', 'browser/switches', 'machine/cli', 'machine/lab-machine', 'web/lab-machines', 'engine/crash', 'web/restart', 'machine/escape'];
const PHASE_3 = ['engine/seeds', 'browser/lab-page', 'browser/live-terminal', 'browser/lessons', 'browser/packets', 'browser/teacher', 'web/classroom'];
/** Started first in their phase, slowest first (as measured on this 2-core machine: 15 to 55 s each). */
const SLOW = ['browser/projector', 'browser/lab-machine', 'engine/crash', 'browser/switches', 'engine/bad-files', 'web/lessons', 'web/restart'];
/** Two cores: three files at once keeps both busy while the others wait on the kernel or a browser. */
const CONCURRENCY = 3;
/** How many of the slowest files the summary lists. */
const SLOWEST = 15;
/** Pure logic: no root, no kernel, no server; run in one process. */
const UNIT = ['page/', 'capture/', 'classroom/', 'lessons/', 'model/', 'planner/', 'kernel/batch-files', 'kernel/build-topology', 'kernel/namespaces', 'kernel/proc-net-dev', 'kernel/traffic-budget', 'engine/lab-store', 'engine/same-but-counters'];
const isUnit = (f) => UNIT.some((u) => (u.endsWith('/') ? f.startsWith(u) : f === u));

const all = readdirSync(path.join(root, 'test'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(root, 'test', d.name)).filter((f) => f.endsWith('.test.ts')).map((f) => `${d.name}/${f.replace(/\.test\.ts$/, '')}`))
  .sort();
const unitOnly = process.argv.includes('--unit');
const only = process.argv.slice(2).filter((a) => a !== '--unit');
const chosen = (only.length > 0 ? all.filter((f) => only.some((o) => f.startsWith(o))) : all).filter((f) => !unitOnly || isUnit(f));
const phases = [
  { name: 'independent files, several at once', files: chosen.filter((f) => !PHASE_2.includes(f) && !PHASE_3.includes(f)), concurrency: CONCURRENCY },
  { name: 'checks of an unchanged real machine', files: chosen.filter((f) => PHASE_2.includes(f)), concurrency: CONCURRENCY },
  { name: 'fixed names on the real machine, and timing or load that must not share it, one at a time', files: chosen.filter((f) => PHASE_3.includes(f)), concurrency: 1 },
];

/** A job: one compiled file, or the pure files together. */
function fileJob(file) {
  return { name: file, label: file, args: ['--enable-source-maps', builtTest(compiled.dir, file)] };
}

/** node:test runs the tests a process defines when it ends, and fails the process when one fails. */
function unitJob(files) {
  return { name: 'the pure files', label: `${files.length} pure files in one process (${UNIT.join(' ')})`, args: ['--enable-source-maps', ...files.flatMap((f) => ['--import', `./${builtTest(compiled.dir, f)}`]), '--eval', ''] };
}

/** Runs a job; its output is printed when it ends. */
function runJob({ name, label, args }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - t0) / 1000;
      const ok = code === 0;
      process.stdout.write(`# file: ${label} (${seconds.toFixed(1)} s): ${ok ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`}\n`);
      process.stdout.write(Buffer.concat(out));
      resolve({ file: name, seconds, ok });
    });
  });
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
const results = [];
const summary = [];
for (const phase of phases) {
  if (phase.files.length === 0) continue;
  const t0 = performance.now();
  console.log(`# phase: ${phase.name} (${phase.files.length} files, ${phase.concurrency} at a time)`);
  const unit = phase.files.filter(isUnit);
  const slow = SLOW.filter((f) => phase.files.includes(f));
  const rest = phase.files.filter((f) => !isUnit(f) && !SLOW.includes(f));
  const jobs = [...slow.map(fileJob), ...(unit.length > 0 ? [unitJob(unit)] : []), ...rest.map(fileJob)];
  const r = await pool(jobs, phase.concurrency);
  results.push(...r);
  const line = `# phase done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${r.every((x) => x.ok) ? 'passed' : 'FAILED'}`;
  console.log(line);
  summary.push(`${line} (${phase.name})`);
}
const failed = results.filter((r) => !r.ok);
console.log(`# the ${Math.min(SLOWEST, results.length)} slowest files (each on its own clock, beside the others of its phase):`);
for (const r of [...results].sort((a, b) => b.seconds - a.seconds).slice(0, SLOWEST)) console.log(`#   ${r.seconds.toFixed(1).padStart(6)} s  ${r.file}`);
for (const line of summary) console.log(line);
if (failed.length > 0) console.log(`# failed: ${failed.map((r) => r.file).join(', ')}`);
console.log(`# all tests: ${((performance.now() - started) / 1000).toFixed(1)} s, ${failed.length > 0 ? 'FAILED' : 'passed'}`);
process.exitCode = failed.length > 0 ? 1 : 0;
await compiled.done();
