/**
 * The two seed tutorials on the real kernel (root), through the CLI: apply,
 * check with ip -json, ping both ways, re-apply plans nothing, one address
 * changed changes only it, export sh -> destroy -> bash -> the same lab,
 * destroy leaves nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ipJson, kernelSnapshot, namespaceNames, ping, removeAll, REPO, vethlab } from '../support/kernel';

const SEED_NAMESPACES = ['vnet0', 'vnet1', 'custom_namespace'];
const SEED_HOST_LINKS = ['veth0'];
let dataDir: string;

function hostHas(ifname: string): boolean {
  return ipJson<{ ifname: string }[]>('link', 'show').some((l) => l.ifname === ifname);
}

function addrsOf(netns: string | undefined, ifname: string): string[] {
  const prefix = netns ? ['-n', netns] : [];
  const [link] = ipJson<any[]>(...prefix, 'addr', 'show', 'dev', ifname);
  return link.addr_info.filter((a: any) => a.scope !== 'link').map((a: any) => `${a.local}/${a.prefixlen}`);
}

function flags(netns: string | undefined, ifname: string): string[] {
  const prefix = netns ? ['-n', netns] : [];
  return ipJson<any[]>(...prefix, 'link', 'show', 'dev', ifname)[0].flags;
}

before(async () => {
  const clash = SEED_NAMESPACES.filter((n) => namespaceNames().includes(n));
  assert.deepEqual(clash, [], `the seed tests need these names free; remove them first: ${clash.join(', ')}`);
  assert.ok(!hostHas('veth0'), 'the host already has a veth0; the veth-host seed needs that name');
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-seeds-'));
});

after(async () => {
  await vethlab(['destroy'], dataDir).catch(() => undefined);
  removeAll(SEED_NAMESPACES, SEED_HOST_LINKS.filter(hostHas).filter((l) => ipJson<any[]>('link', 'show', 'dev', l)[0].ifalias?.startsWith('vethlab:')));
  await rm(dataDir, { recursive: true, force: true });
});

test('seed 004 (two namespaces): apply, kernel, ping both ways, re-apply is a no-op', async () => {
  const file = path.join(REPO, 'public/topologies/two-namespaces.yml');
  const res = await vethlab(['apply', file], dataDir);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /ok {4}ip link add veth0 netns vnet0 type veth peer name veth1 netns vnet1/);

  assert.deepEqual(namespaceNames().filter((n) => n.startsWith('vnet')), ['vnet0', 'vnet1']);
  const v0 = ipJson<any[]>('-n', 'vnet0', '-d', 'link', 'show', 'dev', 'veth0')[0];
  assert.equal(v0.linkinfo.info_kind, 'veth');
  assert.deepEqual(addrsOf('vnet0', 'veth0'), ['10.0.1.0/24']);
  assert.deepEqual(addrsOf('vnet1', 'veth1'), ['10.0.1.1/24']);
  for (const [ns, dev] of [['vnet0', 'veth0'], ['vnet1', 'veth1'], ['vnet0', 'lo'], ['vnet1', 'lo']]) assert.ok(flags(ns, dev).includes('UP'), `${ns} ${dev} is down`);

  assert.match(await ping('vnet1', '10.0.1.0'), /3 received, 0% packet loss/);
  assert.match(await ping('vnet0', '10.0.1.1'), /3 received, 0% packet loss/);

  const again = await vethlab(['apply', file, '--dry-run'], dataDir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing to do/);
  assert.doesNotMatch(again.stdout, /^ip /m);
});

test('seed 004: one changed address changes only that address', async () => {
  const text = await readFile(path.join(REPO, 'public/topologies/two-namespaces.yml'), 'utf8');
  const line = /addresses: \[10\.0\.1\.1\/24\]/;
  assert.match(text, line);
  const changed = path.join(dataDir, 'changed.yml');
  await writeFile(changed, text.replace(line, 'addresses: [10.0.1.7/24]'));
  const before = ipJson('-n', 'vnet0', 'addr', 'show');

  const dry = await vethlab(['apply', changed, '--dry-run'], dataDir);
  assert.deepEqual(dry.stdout.trim().split('\n').map((l) => l.split('    #')[0]), ['ip -n vnet1 addr del 10.0.1.1/24 dev veth1', 'ip -n vnet1 addr add 10.0.1.7/24 dev veth1']);
  const res = await vethlab(['apply', changed], dataDir);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(addrsOf('vnet1', 'veth1'), ['10.0.1.7/24']);
  // Counters, timers and IPv6 duplicate address detection change by themselves.
  const stable = (x: any) => JSON.stringify(x, (k, v) => (k === 'stats64' || k.endsWith('_life_time') || k === 'tentative' ? undefined : v));
  assert.equal(stable(ipJson('-n', 'vnet0', 'addr', 'show')), stable(before));
  assert.match(await ping('vnet0', '10.0.1.7'), /0% packet loss/);
});

test('seed 004: export sh, destroy, run the script with bash: the same lab', async () => {
  const exported = await vethlab(['export', '--format', 'yaml'], dataDir);
  const script = await vethlab(['export', '--format', 'sh'], dataDir);
  assert.equal(script.code, 0, script.stderr);
  assert.match(script.stdout, /^#!\/usr\/bin\/env bash/);
  assert.match(script.stdout, /^ip netns add vnet0$/m);
  const file = path.join(dataDir, 'lab.sh');
  await writeFile(file, script.stdout);

  const destroyed = await vethlab(['destroy'], dataDir);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.deepEqual(namespaceNames().filter((n) => SEED_NAMESPACES.includes(n)), []);

  execFileSync('bash', [file], { stdio: 'pipe' });
  const rebuilt = await vethlab(['export', '--format', 'yaml'], dataDir);
  // Positions are diagram data, gone with destroy; everything the kernel holds must be the same.
  const withoutPositions = (yaml: string) => yaml.replace(/^\s*position: .*\n/gm, '');
  assert.equal(withoutPositions(rebuilt.stdout), withoutPositions(exported.stdout));
  assert.match(rebuilt.stdout, /endpoints: \[vnet0:veth0, vnet1:veth1\]/);
  assert.match(await ping('vnet1', '10.0.1.0'), /3 received, 0% packet loss/);
});

test('destroy removes everything the lab made, and nothing else', async () => {
  const other = 'vlt-keep-' + Math.random().toString(36).slice(2, 6);
  execFileSync('ip', ['netns', 'add', other]);
  try {
    const res = await vethlab(['destroy'], dataDir);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(namespaceNames().filter((n) => SEED_NAMESPACES.includes(n)), []);
    assert.ok(namespaceNames().includes(other), 'destroy removed a namespace the lab did not make');
    const status = await vethlab(['status'], dataDir);
    assert.match(status.stdout, /The lab is empty/);
  } finally {
    removeAll([other]);
  }
});

test('seed 000 (a namespace cabled to the host): apply, kernel, ping both ways, destroy', async () => {
  const res = await vethlab(['apply', path.join(REPO, 'public/topologies/veth-host.yml')], dataDir);
  assert.equal(res.code, 0, res.stderr);
  const host = ipJson<any[]>('-d', 'link', 'show', 'dev', 'veth0')[0];
  assert.equal(host.linkinfo.info_kind, 'veth');
  assert.match(host.ifalias, /^vethlab:/);
  assert.deepEqual(addrsOf(undefined, 'veth0'), ['192.168.1.1/24']);
  assert.deepEqual(addrsOf('custom_namespace', 'veth1'), ['192.168.1.2/24']);
  const routes = ipJson<any[]>('-n', 'custom_namespace', 'route', 'show', 'default');
  assert.equal(routes[0]?.gateway, '192.168.1.1');
  assert.ok(ipJson<any[]>('route', 'show', '192.168.1.0/24').some((r) => r.dev === 'veth0'), 'no host route to the namespace subnet');

  assert.match(await ping('custom_namespace', '192.168.1.1'), /3 received, 0% packet loss/);
  assert.match(await ping(undefined, '192.168.1.2'), /3 received, 0% packet loss/);

  const again = await vethlab(['apply', path.join(REPO, 'public/topologies/veth-host.yml'), '--dry-run'], dataDir);
  assert.match(again.stdout, /nothing to do/);

  const snapshotBefore = kernelSnapshot();
  const destroyed = await vethlab(['destroy'], dataDir);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.ok(!hostHas('veth0'), 'the host end is still there');
  assert.ok(!namespaceNames().includes('custom_namespace'));
  assert.notEqual(kernelSnapshot(), snapshotBefore);
});
