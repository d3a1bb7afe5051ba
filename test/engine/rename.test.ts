/**
 * Renaming a cable's end (real kernel, in a lab machine): the planner renames
 * the interface in place, so the veth pair, its MAC, its ifindex and the ping
 * across it stay; applying again plans nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, vethlab } from '../support/kernel';

let dataDir: string;
const cli = (args: string[]) => vethlab(args, dataDir, { realHost: false });

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-rename-'));
});
after(async () => {
  await cli(['destroy']).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

async function linkOf(node: string, iface: string): Promise<{ ifindex: number; address: string }> {
  const r = await cli(['exec', node, '--', 'ip', '-json', 'link', 'show', 'dev', iface]);
  assert.equal(r.code, 0, r.stderr);
  const [link] = JSON.parse(r.stdout) as { ifindex: number; address: string }[];
  return link;
}

test('renaming veth1 to eth9 is `ip link set dev veth1 name eth9`: same ifindex, same MAC, the ping still crosses', async () => {
  const original = path.join(REPO, 'public/topologies/two-namespaces.yml');
  assert.equal((await cli(['apply', original])).code, 0);
  const before = await linkOf('vnet1', 'veth1');
  const renamed = path.join(dataDir, 'renamed.yml');
  await writeFile(renamed, (await readFile(original, 'utf8')).replaceAll('veth1', 'eth9'));
  const dry = await cli(['apply', renamed, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  const planned = dry.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, ''));
  assert.deepEqual(planned, ['ip -n vnet1 link set dev veth1 down', 'ip -n vnet1 link set dev veth1 name eth9', 'ip -n vnet1 link set eth9 up']);
  const applied = await cli(['apply', renamed]);
  assert.equal(applied.code, 0, applied.stderr);
  const after = await linkOf('vnet1', 'eth9');
  assert.equal(after.ifindex, before.ifindex, 'the same interface');
  assert.equal(after.address, before.address, 'the same MAC');
  const ping = await cli(['exec', 'vnet1', '--', 'ping', '-c', '1', '-W', '1', '10.0.1.0']);
  assert.match(ping.stdout, /1 received/);
  const again = await cli(['apply', renamed, '--dry-run']);
  assert.match(again.stdout, /nothing to do/);
});

test('an MTU in the file is set in the kernel, read back, exported, and re-applies to nothing', async () => {
  const original = path.join(REPO, 'public/topologies/two-namespaces.yml');
  const file = path.join(dataDir, 'mtu.yml');
  await writeFile(file, (await readFile(original, 'utf8')).replace('veth0: {addresses: [10.0.1.0/24]}', 'veth0: {addresses: [10.0.1.0/24], mtu: 1400}'));
  const applied = await cli(['apply', file]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /ok {4}ip -n vnet0 link set dev veth0 mtu 1400/);
  const r = await cli(['exec', 'vnet0', '--', 'ip', '-json', 'link', 'show', 'dev', 'veth0']);
  assert.equal((JSON.parse(r.stdout) as { mtu: number }[])[0].mtu, 1400);
  assert.match((await cli(['export'])).stdout, /veth0: \{addresses: \[10\.0\.1\.0\/24\], mtu: 1400\}/);
  assert.match((await cli(['apply', file, '--dry-run'])).stdout, /nothing to do/);
});
