// Runs every test file, in three phases, each a `node --test` of its own:
//
//   1. files that use names of their own (a random tag) or only lab machines,
//      and pure logic: several at once;
//   2. files that check the real machine is left as it was: at once with each
//      other (what they make on it themselves is named vl... and left out of
//      the check), but not beside phase 1, whose real-host labs make host ends
//      with the tutorials' names;
//   3. files that use the tutorials' fixed names on the real machine (vnet0,
//      custom_namespace, veth0), and files that measure what a person would
//      notice (a lesson step ticking within a second) or load the machine
//      with a class of 30 lab machines: one at a time.
//
// A new test file belongs in phase 1 unless it does what phases 2 or 3 are for;
// a file missing from every list fails the run, so none is forgotten.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const PHASE_2 = ['browser/lab-machine', 'browser/switches', 'machine/cli', 'machine/lab-machine', 'web/lab-machines', 'engine/crash', 'web/restart', 'machine/escape'];
const PHASE_3 = ['engine/seeds', 'browser/lab-page', 'browser/projector', 'browser/live-terminal', 'browser/lessons', 'browser/packets', 'browser/teacher', 'web/classroom'];
/** Two cores: three files at once keeps both busy while the others wait on the kernel or a browser. */
const CONCURRENCY = 3;

const all = readdirSync(path.join(root, 'test'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(root, 'test', d.name)).filter((f) => f.endsWith('.test.ts')).map((f) => `${d.name}/${f.replace(/\.test\.ts$/, '')}`))
  .sort();
const only = process.argv.slice(2);
const chosen = only.length > 0 ? all.filter((f) => only.some((o) => f.startsWith(o))) : all;
const phases = [
  { name: 'independent files, several at once', files: chosen.filter((f) => !PHASE_2.includes(f) && !PHASE_3.includes(f)), concurrency: CONCURRENCY },
  { name: 'checks of an unchanged real machine', files: chosen.filter((f) => PHASE_2.includes(f)), concurrency: CONCURRENCY },
  { name: 'fixed names on the real machine, and timing or load that must not share it, one at a time', files: chosen.filter((f) => PHASE_3.includes(f)), concurrency: 1 },
];

const started = performance.now();
let failed = false;
for (const phase of phases) {
  if (phase.files.length === 0) continue;
  const t0 = performance.now();
  console.log(`# phase: ${phase.name} (${phase.files.length} files, ${phase.concurrency} at a time)`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${phase.concurrency}`, ...phase.files.map((f) => `test/${f}.test.ts`)], { cwd: root, stdio: 'inherit' });
  console.log(`# phase done in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${r.status === 0 ? 'passed' : 'FAILED'}`);
  if (r.status !== 0) failed = true;
}
console.log(`# all tests: ${((performance.now() - started) / 1000).toFixed(1)} s, ${failed ? 'FAILED' : 'passed'}`);
process.exitCode = failed ? 1 : 0;
