/**
 * Batch files: descriptors of unlinked files that read back the batch, in a
 * directory nobody else may enter. Pure file-system work, no root needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, closeSync, fstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BATCH_FILE_DIR, batchDir, openBatchFiles } from '../../server/kernel/batch-files';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'vethlab-batch-test-'));

test('each text comes back through /dev/fd/N, and no file is left in the directory', () => {
  const root = scratch();
  const dir = path.join(root, 'batch');
  try {
    // A strict umask must not make them unreadable to a lab machine's root (another user).
    const umask = process.umask(0o077);
    let fds: number[];
    try {
      fds = openBatchFiles(['link set lo up\n', 'addr add 10.0.0.1/24 dev veth0\nlink set veth0 up\n'], dir);
    } finally {
      process.umask(umask);
    }
    try {
      for (const fd of fds) assert.equal(fstatSync(fd).mode & 0o777, 0o644);
      assert.equal(readFileSync(`/dev/fd/${fds[0]}`, 'utf8'), 'link set lo up\n');
      assert.equal(readFileSync(`/dev/fd/${fds[1]}`, 'utf8'), 'addr add 10.0.0.1/24 dev veth0\nlink set veth0 up\n');
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a directory others may enter, or a link in its place, is refused and named', () => {
  const root = scratch();
  try {
    const open = path.join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    assert.throws(() => openBatchFiles(['x\n'], open), (e: Error) => e.message.includes(open) && /mode 777/.test(e.message));
    assert.deepEqual(readdirSync(open), [], 'nothing was written there');
    const target = path.join(root, 'target');
    mkdirSync(target, { mode: 0o700 });
    const link = path.join(root, 'link');
    symlinkSync(target, link);
    assert.throws(() => batchDir(link), /not a directory/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the files live in memory: their directory is on a tmpfs', () => {
  const TMPFS_MAGIC = 0x01021994;
  assert.equal(statfsSync(path.dirname(BATCH_FILE_DIR)).type, TMPFS_MAGIC, BATCH_FILE_DIR);
});
