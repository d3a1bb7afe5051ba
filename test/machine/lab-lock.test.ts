/**
 * A lab's locks between processes (no root): a second holder waits for the
 * first, a holder killed with -9 leaves the lock free at once, every path to
 * one lab directory names one lock, and the machine lock and the edit lock
 * are two.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { holdLabLock, labLockName } from '../../server/machine/lab-lock';
import { until } from '../support/wait';

function labDir(): { dir: string; root: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'vl-lablock-'));
  const dir = path.join(root, 'labs', 'default');
  mkdirSync(dir, { recursive: true });
  return { dir, root };
}

test('a second holder waits until the first lets go, then gets it', async () => {
  const { dir, root } = labDir();
  try {
    const first = await holdLabLock(dir, 'edit');
    let second: (() => void) | undefined;
    const waiting = holdLabLock(dir, 'edit').then((r) => (second = r));
    await new Promise((r) => setTimeout(r, 300)); // nothing to wait for: a lock that did not hold is given in microseconds
    assert.equal(second, undefined, 'the second holder got the lock while the first held it');
    first();
    await waiting;
    second!();
    // Let go, it is free again.
    (await holdLabLock(dir, 'edit'))();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a holder killed with -9 leaves the lock free', async () => {
  const { dir, root } = labDir();
  // Another process holds it as lab-lock.ts does: a listening socket of that abstract name (argv cannot carry its leading NUL).
  const holder = spawn(process.execPath, ['-e', "require('net').createServer().listen('\\0' + process.argv[1], () => console.log('held'))", labLockName(dir, 'edit').slice(1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    let got: (() => void) | undefined;
    const waiting = holdLabLock(dir, 'edit').then((r) => (got = r));
    await new Promise((r) => setTimeout(r, 300)); // nothing to wait for: a lock that did not hold is given in microseconds
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
