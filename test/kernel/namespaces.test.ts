/** Listing /run/netns, on a directory of plain files standing in for it (no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listNamespaces } from '../../server/kernel/namespaces';

function dir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'vethlab-netns-'));
  for (const n of ['b', 'a']) writeFileSync(path.join(d, n), '');
  return d;
}

/** Replaces a file by a new one (a new inode), then puts the directory's mtime back as it was. */
function replaceBehindTheBack(d: string, name: string): number {
  const { mtime } = statSync(d);
  unlinkSync(path.join(d, name));
  writeFileSync(path.join(d, `${name}.keep`), ''); // holds the old inode's number from being reused at once
  writeFileSync(path.join(d, name), '');
  unlinkSync(path.join(d, `${name}.keep`));
  utimesSync(d, mtime, mtime);
  return statSync(path.join(d, name)).ino;
}

test('names sorted with their inodes; a directory that is not there lists nothing', async () => {
  const d = dir();
  try {
    assert.deepEqual(await listNamespaces(d), ['a', 'b'].map((name) => ({ name, inode: statSync(path.join(d, name)).ino })));
    assert.deepEqual(await listNamespaces(path.join(d, 'missing')), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a listing of a directory still for a second is kept until the directory changes', async () => {
  const d = dir();
  try {
    const past = new Date(Date.now() - 5000);
    utimesSync(d, past, past);
    const first = await listNamespaces(d);
    // Proof that it is kept: a change hidden from the mtime is not seen.
    const hidden = replaceBehindTheBack(d, 'a');
    assert.deepEqual(await listNamespaces(d), first);
    // Any real change (delete, add, replace) moves the mtime, and the next listing reads afresh.
    writeFileSync(path.join(d, 'c'), '');
    const later = new Date(Date.now() - 3000);
    utimesSync(d, later, later);
    const fresh = await listNamespaces(d);
    assert.deepEqual(fresh.map((n) => n.name), ['a', 'b', 'c']);
    assert.equal(fresh[0].inode, hidden);
    // What a caller does with its copy does not change the kept one.
    fresh[0].inode = -1;
    const kept = await listNamespaces(d);
    kept[1].inode = -2;
    assert.deepEqual((await listNamespaces(d)).map((n) => n.inode).filter((i) => i < 0), []);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a listing of a directory that changed within the second is not kept', async () => {
  const d = dir();
  try {
    await listNamespaces(d);
    const hidden = replaceBehindTheBack(d, 'a');
    assert.equal((await listNamespaces(d))[0].inode, hidden);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('another directory at the same path (a machine whose PID the next one got) is listed afresh, even with the same mtime', async () => {
  const d = dir();
  const moved = `${d}-old`;
  try {
    const past = new Date(Date.now() - 5000);
    utimesSync(d, past, past);
    await listNamespaces(d);
    renameSync(d, moved);
    mkdirSync(d);
    writeFileSync(path.join(d, 'z'), '');
    utimesSync(d, past, past);
    assert.deepEqual((await listNamespaces(d)).map((n) => n.name), ['z']);
  } finally {
    rmSync(d, { recursive: true, force: true });
    rmSync(moved, { recursive: true, force: true });
  }
});
