/**
 * A lab's cgroup on the real kernel: its processes include those in the
 * groups inside it (a terminal's), and destroying it ends them and removes
 * every group, through cgroup2's cgroup.kill or, with only v1 hierarchies,
 * one signal per process. Each test uses a group of its own name.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findHierarchies, LabCgroup, type Hierarchies } from '../../server/machine/lab-cgroup';
import { tag } from '../support/kernel';
import { until } from '../support/wait';

const found = findHierarchies();
const made: LabCgroup[] = [];
const sleepers: ChildProcess[] = [];
after(async () => {
  for (const s of sleepers) s.kill('SIGKILL');
  for (const g of made) await g.destroy().catch(() => undefined);
});

/** A lab group with a terminal's group inside it, and a process in the terminal's group. */
function labWithTerminal(hierarchies: Hierarchies): { lab: LabCgroup; terminal: LabCgroup; sleeper: ChildProcess } {
  const lab = new LabCgroup(`lab-test${tag()}`, hierarchies);
  made.push(lab);
  lab.create();
  const terminal = lab.child('t1-x');
  terminal.createChild();
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  sleepers.push(sleeper);
  for (const file of terminal.procsFiles()) writeFileSync(file, String(sleeper.pid));
  return { lab, terminal, sleeper };
}

async function destroysAll(hierarchies: Hierarchies): Promise<void> {
  const { lab, terminal, sleeper } = labWithTerminal(hierarchies);
  const exited = new Promise<string | null>((r) => sleeper.once('exit', (_code, signal) => r(signal)));
  assert.deepEqual(lab.pids(), [sleeper.pid], "the lab's processes include its terminal's");
  assert.equal(await lab.destroy(), true, 'destroy says the groups are gone');
  assert.equal(await exited, 'SIGKILL', "the terminal's process was ended");
  for (const d of [...lab.dirs, ...terminal.dirs]) assert.equal(existsSync(d), false, `${d} is removed`);
}

test('cgroup2: the lab holds its terminal groups\' processes, and destroy ends them and removes every group', { skip: !found.v2 && 'no cgroup2 here' }, async () => {
  await destroysAll({ v2: found.v2 });
});

test('cgroup v1 only (pids): the same, one signal per process', { skip: !found.pids && 'no v1 pids hierarchy here' }, async () => {
  await destroysAll({ pids: found.pids });
});

test('groups that hold no process but will not go are reported, not taken for gone', async () => {
  // A stand-in hierarchy on a plain file system: a file in the group's directory makes rmdir fail, as a busy group would.
  const fake = mkdtempSync(path.join(tmpdir(), 'vethlab-cgroup-test-'));
  try {
    const lab = new LabCgroup(`lab-test${tag()}`, { pids: fake });
    lab.createChild();
    for (const file of lab.procsFiles()) writeFileSync(file, '');
    assert.deepEqual(lab.pids(), []);
    assert.equal(await lab.destroy(), false);
    assert.ok(lab.exists(), 'still there, for a later sweep');
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});
