/**
 * One change at a time to a lab across processes (root, real kernel, in the
 * file's private host): while another process holds the lab's edit lock (here
 * the test itself, as the server does during an edit), `vethlab apply` waits
 * and changes nothing; once it is let go, the apply runs. A lab's own change
 * through the engine waits the same way.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { namespaceNames, randomSuffix, realHostLab, removeAll, vethlab } from '../support/kernel';
import { holdLabLock } from '../../server/machine/lab-lock';
import { parseTopologyYaml } from '../../server/model/topology-file';

const id = randomSuffix();
const A = `vllock${id}a`;
const B = `vllock${id}b`;
let dataDir = '';

const namespaces = (...names: string[]) => `name: locked\nnodes:\n${names.map((n) => `  ${n}: {}\n`).join('')}`;
/** Long enough for an unlocked apply of one namespace to finish many times over (it takes about 50 ms). */
const HELD_MS = 800;

after(async () => {
  if (dataDir) {
    await vethlab(['destroy'], dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  removeAll([A, B]);
});

test("vethlab apply waits while another process changes the lab, then runs", async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-lock-'));
  const file = path.join(dataDir, 'a.yml');
  await writeFile(file, namespaces(A));
  const lab = realHostLab(dataDir);
  const release = await holdLabLock(lab.dir, 'edit');
  let ended = false;
  const applying = vethlab(['apply', file], dataDir).finally(() => (ended = true));
  try {
    await new Promise((r) => setTimeout(r, HELD_MS));
    assert.equal(ended, false, 'the CLI ended while the lab was locked');
    assert.ok(!namespaceNames().includes(A), `${A} was made while the lab was locked`);
  } finally {
    release();
  }
  const res = await applying;
  assert.equal(res.code, 0, res.stderr);
  assert.ok(namespaceNames().includes(A), `${A} after the lock was let go`);

  // The engine's own change (the server's path) waits for the CLI's lock the same way.
  const parsed = parseTopologyYaml(namespaces(A, B), 'b.yml');
  assert.ok(parsed.ok);
  const cliHolds = await holdLabLock(lab.dir, 'edit');
  let applied = false;
  const change = lab.apply(parsed.topology).then((r) => ((applied = true), r));
  try {
    await new Promise((r) => setTimeout(r, HELD_MS));
    assert.equal(applied, false, 'the engine applied while the lab was locked');
    assert.ok(!namespaceNames().includes(B));
  } finally {
    cliHolds();
  }
  assert.equal((await change).ok, true);
  assert.ok(namespaceNames().includes(B) && namespaceNames().includes(A));
});
