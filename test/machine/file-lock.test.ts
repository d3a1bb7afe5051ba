/** lockFile: one holder at a time, and a holder killed with -9 leaves the lock free. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lockFile } from '../../server/machine/file-lock';
import { REPO } from '../support/kernel';
import { until } from '../support/wait';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vethlab-lock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a second lockFile waits until the first lets go', async () => {
  const file = path.join(dir, 'one.lock');
  const first = await lockFile(file);
  let second: (() => void) | undefined;
  const waiting = lockFile(file).then((unlock) => (second = unlock));
  // Nothing to wait for: a lock that did not hold would be given at once, in milliseconds.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(second, undefined, 'the second holds it too early');
  first();
  await until('the second to hold it', () => second);
  second!();
  await waiting;
});

test('a process killed with -9 while it holds the lock leaves it free', async () => {
  const file = path.join(dir, 'two.lock');
  const script = `
    import { lockFile } from './server/machine/file-lock.ts';
    await lockFile(${JSON.stringify(file)});
    console.log('held');
    setInterval(() => {}, 1000);
  `;
  const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  holder.stdout.on('data', (d) => (out += d));
  try {
    await until('the other process to hold the lock', () => out.includes('held'));
    let mine: (() => void) | undefined;
    const waiting = lockFile(file).then((unlock) => (mine = unlock));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(mine, undefined, 'held by the other process');
    holder.kill('SIGKILL');
    await until('the lock to be free once the holder is dead', () => mine);
    mine!();
    await waiting;
  } finally {
    holder.kill('SIGKILL');
  }
});
