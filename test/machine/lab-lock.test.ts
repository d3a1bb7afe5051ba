/**
 * A lab's locks between processes (no root): a second holder waits for the
 * first; a holder killed with -9 leaves the lock free at once; a stranger
 * that binds the lock's name (anyone in the network namespace may) cannot
 * stop the lab, whether it stays silent, answers wrongly or hangs up; every
 * path to one lab directory names one lock, and the machine lock and the
 * edit lock are two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { holdLabLock, labLockName, LOCK_KEY_FILE } from '../../server/machine/lab-lock';
import { REPO } from '../support/kernel';
import { until } from '../support/wait';
import { startReady } from '../support/process';

function labDir(): { dir: string; root: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'vl-lablock-'));
  const dir = path.join(root, 'labs', 'default');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { dir, root };
}

/** A node process running `script` with `args`; resolves once it prints "held". */
function holderProcess(script: string, args: string[], tsx = false): Promise<ChildProcess> {
  return startReady([process.execPath, ...(tsx ? ['--import', 'tsx', '--input-type=module'] : []), '-e', script, ...args], { cwd: REPO });
}

/** Nothing to wait for: a lock that did not hold is given in microseconds. */
const HELD_MS = 300;

test('a second holder waits until the first lets go, then gets it; the key is root\'s alone', async () => {
  const { dir, root } = labDir();
  try {
    const first = await holdLabLock(dir, 'edit');
    let second: (() => void) | undefined;
    const waiting = holdLabLock(dir, 'edit').then((r) => (second = r));
    await new Promise((r) => setTimeout(r, HELD_MS));
    assert.equal(second, undefined, 'the second holder got the lock while the first held it');
    first();
    await waiting;
    second!();
    (await holdLabLock(dir, 'edit'))();
    assert.equal(statSync(path.join(dir, LOCK_KEY_FILE)).mode & 0o777, 0o600);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a holder in another process killed with -9 leaves the lock free', async () => {
  const { dir, root } = labDir();
  const script = `import { holdLabLock } from './server/machine/lab-lock.ts'; await holdLabLock(process.argv[1], 'edit'); console.log('held'); setInterval(() => {}, 1000);`;
  const holder = await holderProcess(script, [dir], true);
  try {
    let got: (() => void) | undefined;
    const waiting = holdLabLock(dir, 'edit').then((r) => (got = r));
    await new Promise((r) => setTimeout(r, HELD_MS));
    assert.equal(got, undefined, 'the lock was given while another process held it');
    holder.kill('SIGKILL');
    await until('the lock after the holder was killed', () => got !== undefined, { timeoutMs: 2000 });
    await waiting;
    got!();
  } finally {
    holder.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});

test('a stranger holding the name cannot stop the lab: silent, wrong or hanging up, it is passed by', async () => {
  const strangers: [string, string][] = [
    ['silent', `require('net').createServer(() => {}).listen('\\0' + process.argv[1], () => console.log('held'))`],
    ['wrong', `require('net').createServer((s) => s.on('data', () => s.write('0'.repeat(64) + '\\n'))).listen('\\0' + process.argv[1], () => console.log('held'))`],
    ['hangs up', `require('net').createServer((s) => s.destroy()).listen('\\0' + process.argv[1], () => console.log('held'))`],
  ];
  for (const [what, script] of strangers) {
    const { dir, root } = labDir();
    const stranger = await holderProcess(script, [labLockName(dir, 'edit').slice(1)]);
    try {
      const release = await holdLabLock(dir, 'edit');
      release();
      // The machine lock of the same lab is not the stranger's.
      const machine = await holdLabLock(dir, 'machine');
      let second: (() => void) | undefined;
      const waiting = holdLabLock(dir, 'machine').then((r) => (second = r));
      await new Promise((r) => setTimeout(r, HELD_MS));
      assert.equal(second, undefined, `${what}: the machine lock still holds`);
      machine();
      (await waiting)();
    } finally {
      stranger.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    }
  }
});

test('one lock of each kind per lab directory, whatever path leads to it', async () => {
  const { dir, root } = labDir();
  try {
    symlinkSync(path.join(root, 'labs'), path.join(root, 'link'));
    assert.equal(labLockName(path.join(root, 'link', 'default'), 'edit'), labLockName(dir, 'edit'));
    assert.equal(labLockName(`${dir}/../default/`, 'edit'), labLockName(dir, 'edit'));
    assert.notEqual(labLockName(path.join(root, 'labs', 'other'), 'edit'), labLockName(dir, 'edit'));
    assert.match(labLockName(dir, 'edit'), /^\0vethlab-edit-[0-9a-f]{32}$/);
    // A change in progress does not keep another process from making the machine it needs, nor the other way round.
    const edit = await holdLabLock(dir, 'edit');
    const machine = await holdLabLock(dir, 'machine');
    machine();
    edit();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
