/**
 * One change at a time to a lab across processes (root, real kernel, in the
 * file's private host): while another process holds the lab's edit lock (here
 * the test itself, as the server does during an edit), `vethlab apply` waits
 * and changes nothing; once it is let go, the apply runs. A lab's own change
 * through the engine waits the same way. An unprivileged user who binds the
 * lock's name cannot stop the lab, nor read the key that would let it pass
 * for vethlab.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { namespaceNames, randomSuffix, realHostLab, removeAll, vethlab } from '../support/kernel';
import { holdLabLock, labLockName, LOCK_KEY_FILE } from '../../server/machine/lab-lock';
import { startReady } from '../support/process';
import { parseTopologyYaml } from '../../server/model/topology-file';

const id = randomSuffix();
const A = `vllock${id}a`;
const B = `vllock${id}b`;
const C = `vllock${id}c`;
let dataDir = '';

const namespaces = (...names: string[]) => `name: locked\nnodes:\n${names.map((n) => `  ${n}: {}\n`).join('')}`;
/** Long enough for an unlocked apply of one namespace to finish many times over (it takes about 50 ms). */
const HELD_MS = 800;

after(async () => {
  if (dataDir) {
    await vethlab(['destroy'], dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  removeAll([A, B, C]);
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

test("an unprivileged user binding the lab's edit lock cannot stop apply, nor read the lab's key", async () => {
  const lab = realHostLab(dataDir);
  const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'];
  const squatter = await startReady([...asNobody, process.execPath, '-e', "require('net').createServer(() => {}).listen('\\0' + process.argv[1], () => console.log('held'))", labLockName(lab.dir, 'edit').slice(1)]);
  try {
    const file = path.join(dataDir, 'c.yml');
    await writeFile(file, namespaces(A, B, C));
    const res = await vethlab(['apply', file], dataDir);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /cannot prove it is vethlab's; going ahead without it/);
    assert.ok(namespaceNames().includes(C), `${C} made although a stranger holds the lock's name`);
    const read = spawnSync(asNobody[0], [...asNobody.slice(1), 'cat', path.join(lab.dir, LOCK_KEY_FILE)], { encoding: 'utf8' });
    assert.notEqual(read.status, 0, 'nobody read the lab key');
    assert.match(read.stderr, /Permission denied/);
  } finally {
    squatter.kill('SIGKILL');
  }
});
