/**
 * A command the kernel refuses (root, real kernel): apply stops there, names
 * the command and the kernel's message, leaves a state observe can read, and
 * a re-apply of a corrected file finishes the job.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ipJson, namespaceNames, ping, randomSuffix, removeAll, vethlab } from '../support/kernel';

const id = randomSuffix();
const A = `vlfail${id}a`;
const B = `vlfail${id}b`;
let dataDir = '';

function file(gateway: string): string {
  return `name: failing
nodes:
  ${A}:
    interfaces:
      veth0: {addresses: [10.0.1.0/24]}
    routes:
      - {to: 10.9.0.0/24, via: ${gateway}}
  ${B}:
    interfaces:
      veth1: {addresses: [10.0.1.1/24]}
links:
  - endpoints: [${A}:veth0, ${B}:veth1]
`;
}

after(async () => {
  if (dataDir) {
    await vethlab(['destroy'], dataDir);
    await rm(dataDir, { recursive: true, force: true });
  }
  removeAll([A, B]);
});

test('a refused command stops the run, is reported with the kernel message, and a re-apply finishes', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-fail-'));
  const bad = path.join(dataDir, 'bad.yml');
  // 10.99.0.1 is on no subnet of A: the kernel refuses the route, after the namespaces and the pair exist.
  await writeFile(bad, file('10.99.0.1'));
  const res = await vethlab(['apply', bad], dataDir);
  assert.equal(res.code, 1);
  assert.match(res.stdout, new RegExp(`FAIL  ip -n ${A} route add 10.9.0.0/24 via 10.99.0.1`));
  assert.match(res.stderr, /failed: .*(Nexthop has invalid gateway|Network is unreachable)/i);
  assert.match(res.stderr, /run the same command again to finish/);
  assert.ok(namespaceNames().includes(A) && namespaceNames().includes(B), 'the steps before the failure ran');

  const status = await vethlab(['status', '--json'], dataDir);
  assert.equal(status.code, 0, status.stderr);
  const observed = JSON.parse(status.stdout);
  assert.deepEqual(observed.links.map((l: any) => l.endpoints.map((e: any) => `${e.node}:${e.iface}`)), [[`${A}:veth0`, `${B}:veth1`]]);

  const good = path.join(dataDir, 'good.yml');
  await writeFile(good, file('10.0.1.1'));
  const fixed = await vethlab(['apply', good], dataDir);
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.doesNotMatch(fixed.stdout, /netns add/, 'the re-apply redoes nothing that was done');
  assert.equal(ipJson<any[]>('-n', A, 'route', 'show', '10.9.0.0/24')[0]?.gateway, '10.0.1.1');
  assert.match(await ping(A, '10.0.1.1', 1), /1 received/);
});
