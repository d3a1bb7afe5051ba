/**
 * Routing through a namespace with forwarding on (real kernel, in a lab
 * machine): two subnets joined by a router. A ping across gets replies one
 * hop older (TTL one lower) than a direct one, tracepath shows the router,
 * forwarding off cuts the path, and a `sysctl` typed inside is read back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vethlab } from '../support/kernel';

let dataDir: string;
const cli = (args: string[]) => vethlab(args, dataDir, { realHost: false });

function routed(forwarding: boolean): string {
  return `name: routed
nodes:
  a:
    interfaces:
      veth0: {addresses: [10.0.1.2/24]}
    routes:
      - {to: default, via: 10.0.1.1}
  r:
${forwarding ? '    forwarding: true\n' : ''}    interfaces:
      veth1: {addresses: [10.0.1.1/24]}
      veth2: {addresses: [10.0.2.1/24]}
  b:
    interfaces:
      veth3: {addresses: [10.0.2.2/24]}
    routes:
      - {to: default, via: 10.0.2.1}
links:
  - endpoints: [a:veth0, r:veth1]
  - endpoints: [r:veth2, b:veth3]
`;
}

async function fileOf(forwarding: boolean): Promise<string> {
  const file = path.join(dataDir, `routed-${forwarding}.yml`);
  await writeFile(file, routed(forwarding));
  return file;
}

const ttlOf = (out: string) => Number(/ttl=(\d+)/.exec(out)?.[1]);

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-routing-'));
});
after(async () => {
  await cli(['destroy']).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

test('a router joins two subnets: one hop more in the TTL, the router in tracepath', async () => {
  const applied = await cli(['apply', await fileOf(true)]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /ok {4}ip netns exec r sysctl -w net\.ipv4\.ip_forward=1 net\.ipv6\.conf\.all\.forwarding=1/);
  const direct = await cli(['exec', 'a', '--', 'ping', '-c', '1', '-W', '1', '10.0.1.1']);
  const across = await cli(['exec', 'a', '--', 'ping', '-c', '1', '-W', '1', '10.0.2.2']);
  assert.equal(across.code, 0, across.stdout + across.stderr);
  assert.equal(ttlOf(across.stdout), ttlOf(direct.stdout) - 1, `direct ttl ${ttlOf(direct.stdout)}, across ${ttlOf(across.stdout)}`);
  const trace = await cli(['exec', 'a', '--', 'tracepath', '-n', '-m', '5', '10.0.2.2']);
  assert.match(trace.stdout, /^\s*1:\s+10\.0\.1\.1\b/m, trace.stdout);
  assert.match(trace.stdout, /^\s*2:\s+10\.0\.2\.2\b/m, trace.stdout);
  const status = JSON.parse((await cli(['status', '--json'])).stdout);
  assert.equal(status.nodes.r.forwarding, true);
  assert.equal(status.nodes.a.forwarding, undefined);
  assert.match((await cli(["export"])).stdout, /r:\n {4}kind: router\n/);
  assert.match((await cli(['apply', await fileOf(true), '--dry-run'])).stdout, /nothing to do/);
});

test('forwarding off cuts the path; a sysctl typed inside is read back', async () => {
  const off = await cli(['apply', await fileOf(false)]);
  assert.equal(off.code, 0, off.stderr);
  const cut = await cli(['exec', 'a', '--', 'ping', '-c', '1', '-W', '1', '10.0.2.2']);
  assert.notEqual(cut.code, 0, 'no route through a namespace that does not forward');
  const typed = await cli(['exec', 'r', '--', 'sysctl', '-w', 'net.ipv4.ip_forward=1']);
  assert.equal(typed.code, 0, typed.stderr);
  assert.equal(JSON.parse((await cli(['status', '--json'])).stdout).nodes.r.forwarding, true);
  assert.match((await cli(['apply', await fileOf(false), '--dry-run'])).stdout, /sysctl -w net\.ipv4\.ip_forward=0/);
});

test("a route the kernel makes for an address: the log says so, and it is kept in the export; dropping it leaves the kernel's", async () => {
  const text = routed(true).replace('    routes:\n      - {to: default, via: 10.0.1.1}\n', '    routes:\n      - {to: default, via: 10.0.1.1}\n      - {to: 10.0.1.0/24, dev: veth0}\n');
  const file = path.join(dataDir, 'kept.yml');
  await writeFile(file, text);
  const dry = await cli(['apply', file, '--dry-run']);
  assert.match(dry.stdout, /# route 10\.0\.1\.0\/24 dev veth0 on a needs no command: the kernel added it for 10\.0\.1\.0\/24 on veth0/);
  assert.match(dry.stdout, /nothing to do/);
  const applied = await cli(['apply', file]);
  assert.equal(applied.code, 0, applied.stderr);
  const status = JSON.parse((await cli(['status', '--json'])).stdout);
  assert.deepEqual(status.nodes.a.routes, [{ to: '10.0.1.0/24', dev: 'veth0' }, { to: 'default', via: '10.0.1.1', dev: 'veth0' }]);
  assert.deepEqual(status.nodes.b.kernelRoutes, [{ to: '10.0.2.0/24', dev: 'veth3' }], 'the others stay the kernel\'s, listed apart');
  assert.match((await cli(['export'])).stdout, /- {to: 10\.0\.1\.0\/24, dev: veth0}/);
  const dropped = await cli(['apply', await fileOf(true)]);
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.doesNotMatch(dropped.stdout, /route del/);
  const after = JSON.parse((await cli(['status', '--json'])).stdout);
  assert.deepEqual(after.nodes.a.kernelRoutes, [{ to: '10.0.1.0/24', dev: 'veth0' }]);
  assert.match((await cli(['exec', 'a', '--', 'ping', '-c', '1', '-W', '1', '10.0.1.1'])).stdout, /1 received/);
});
