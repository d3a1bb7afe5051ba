/**
 * The lab's edit lock between processes (no root): a second holder waits for
 * the first, a holder killed with -9 leaves it free at once, and every path to
 * one lab directory names one lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { editLockName, holdEditLock } from '../../server/engine/edit-lock';
import { until } from '../support/wait';

function labDir(): { dir: string; root: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'vl-editlock-'));
  const dir = path.join(root, 'labs', 'default');
  mkdirSync(dir, { recursive: true });
  return { dir, root };
}

test('a second holder waits until the first lets go, then gets it at once', async () => {
  const { dir, root } = labDir();
  try {
    const first = await holdEditLock(dir);
    let second: (() => void) | undefined;
    const waiting = holdEditLock(dir).then((r) => (second = r));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(second, undefined, 'the second holder got the lock while the first held it');
    const t0 = performance.now();
    first();
    await waiting;
    assert.ok(performance.now() - t0 < 100, `the second waited ${Math.round(performance.now() - t0)} ms after the first let go`);
    second!();
    // Let go, it is free again.
    (await holdEditLock(dir))();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a holder killed with -9 leaves the lock free', async () => {
  const { dir, root } = labDir();
  // Another process holds it as edit-lock.ts does: a listening socket of that abstract name (argv cannot carry its leading NUL).
  const holder = spawn(process.execPath, ['-e', "require('net').createServer().listen('\\0' + process.argv[1], () => console.log('held'))", editLockName(dir).slice(1)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    let got: (() => void) | undefined;
    const waiting = holdEditLock(dir).then((r) => (got = r));
    await new Promise((r) => setTimeout(r, 300));
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

test('one lock per lab directory, whatever path leads to it', () => {
  const { dir, root } = labDir();
  try {
    symlinkSync(path.join(root, 'labs'), path.join(root, 'link'));
    assert.equal(editLockName(path.join(root, 'link', 'default')), editLockName(dir));
    assert.equal(editLockName(`${dir}/../default/`), editLockName(dir));
    assert.notEqual(editLockName(path.join(root, 'labs', 'other')), editLockName(dir));
    assert.match(editLockName(dir), /^\0vethlab-edit-[0-9a-f]{32}$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
