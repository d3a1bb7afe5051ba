/**
 * Bad topology files through the CLI on the real kernel (root): each gives a
 * clear error naming the field and the value, a non-zero exit, and no change
 * to the kernel (ip -json before and after).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ipJson, kernelSnapshot, randomSuffix, removeAll, vethlab } from '../support/kernel';

const id = randomSuffix();
const A = `vlbad${id}a`;
const B = `vlbad${id}b`;
const FOREIGN = `vlbad${id}foreign`;
let dataDir: string;
const ours = (ns: string) => ns.startsWith(`vlbad${id}`) || ['host', 'host2', 'nowhere'].includes(ns);

/**
 * Stands for the machine's own network (eth0 and its subnet): a veth end of
 * the test's own with an address, so the host-safety checks are tried
 * against a decoy, never the machine's real interfaces, and on a machine
 * (or a test's private host) that has none.
 */
const UPLINK = `vlbad${id}up`;
const UPLINK_NET = '198.51.100.0/24';
/** An address inside the decoy's network. */
const INSIDE_UPLINK = '198.51.100.2/24';

function pair(extra = '', aIface = 'veth0', bIface = 'veth1'): string {
  return `name: bad
nodes:
  ${A}:
    interfaces:
      ${aIface}: {addresses: [10.0.1.0/24]}
  ${B}:
    interfaces:
      ${bIface}: {addresses: [10.0.1.1/24]}
${extra}
links:
  - endpoints: [${A}:${aIface}, ${B}:${bIface}]
`;
}

function nodeNamed(name: string): string {
  return `name: bad\nnodes:\n  ${JSON.stringify(name)}: {}\n`;
}

function ifaceNamed(name: string): string {
  return `name: bad\nnodes:\n  ${A}: {}\n  ${B}: {}\nlinks:\n  - endpoints: [${JSON.stringify(`${A}:${name}`)}, ${B}:veth1]\n`;
}

function hostFile(hostIface: string, address: string, routes = ''): string {
  return `name: bad
nodes:
  host:
    kind: host
    interfaces:
      ${hostIface}: {addresses: [${address}]}
${routes}
  ${A}:
    interfaces:
      veth1: {addresses: [10.0.1.1/24]}
links:
  - endpoints: [host:${hostIface}, ${A}:veth1]
`;
}

const cases: { name: string; file: () => string; expect: RegExp }[] = [
  { name: 'shell metacharacters in a node name', file: () => nodeNamed('a;rm -rf /'), expect: /nodes.*"a;rm -rf \/"/ },
  { name: 'command substitution in a node name', file: () => nodeNamed('$(reboot)'), expect: /"\$\(reboot\)"/ },
  { name: 'backticks in a node name', file: () => nodeNamed('`id`'), expect: /"`id`"/ },
  { name: 'a path as a namespace name', file: () => nodeNamed('../x'), expect: /"\.\.\/x"/ },
  { name: 'a 16-byte interface name', file: () => ifaceNamed('abcdefghijklmnop'), expect: /abcdefghijklmnop.*16 bytes/ },
  { name: 'a format string as an interface name', file: () => ifaceNamed('%d'), expect: /"%d"/ },
  { name: 'an interface name with a leading -', file: () => ifaceNamed('-help'), expect: /"-help"/ },
  { name: 'an interface named ..', file: () => ifaceNamed('..'), expect: /"\.\."/ },
  { name: 'whitespace in an interface name', file: () => ifaceNamed('ve th'), expect: /ve th/ },
  { name: 'an octet over 255', file: () => pair().replace('10.0.1.0/24', '10.0.1.300/24'), expect: /addresses\[0\].*10\.0\.1\.300\/24/ },
  { name: 'an address without a length', file: () => pair().replace('10.0.1.0/24', '10.0.1.9'), expect: /addresses\[0\].*10\.0\.1\.9/ },
  { name: 'a prefix length over 32', file: () => pair().replace('10.0.1.0/24', '10.0.1.0/33'), expect: /10\.0\.1\.0\/33/ },
  { name: 'an IPv6 length over 128', file: () => pair().replace('10.0.1.0/24', 'fd00::1/129'), expect: /fd00::1\/129/ },
  { name: 'an interface in two links', file: () => pair().replace('links:', `links:\n  - endpoints: [${A}:veth0, ${B}:veth2]`), expect: /veth0/ },
  { name: 'a link to an unknown node', file: () => pair().replace(`${B}:veth1]`, 'nowhere:veth1]'), expect: /links\[0\].*nowhere/ },
  { name: 'a link from an interface to itself', file: () => pair().replace(`${B}:veth1]`, `${A}:veth0]`), expect: /links\[0\]/ },
  { name: 'lo as a cable end', file: () => ifaceNamed('lo'), expect: /lo/ },
  { name: 'an endpoint without a colon', file: () => pair().replace(`${A}:veth0,`, `${A}veth0,`), expect: /links\[0\]\.endpoints\[0\]/ },
  { name: 'two host nodes', file: () => hostFile('vlh' + id, '10.0.3.1/24').replace('nodes:\n', 'nodes:\n  host2: {kind: host}\n'), expect: /host/ },
  { name: 'a host default route', file: () => hostFile('vlh' + id, '10.0.3.1/24', '    routes:\n      - {to: default, via: 10.0.3.2}'), expect: /routes\[0\].*default/ },
  { name: 'a route target with host bits', file: () => pair().replace(`  ${B}:`, `    routes:\n      - {to: 10.0.2.5/24, via: 10.0.1.1}\n  ${B}:`), expect: /10\.0\.2\.5\/24/ },
  { name: 'an unknown key', file: () => pair().replace('name: bad', 'name: bad\ncolour: red'), expect: /colour/ },
  { name: 'a duplicate key', file: () => pair().replace(`  ${B}:\n`, `  ${A}: {}\n  ${B}:\n`), expect: new RegExp(A) },
  { name: 'a YAML syntax error', file: () => 'name: bad\nnodes: [unclosed\n', expect: /:\d+:\d+/ },
  { name: 'a wrong type', file: () => pair().replace('{addresses: [10.0.1.0/24]}', '{addresses: 10.0.1.0/24}'), expect: /addresses/ },
  { name: 'a file over the size limit', file: () => pair() + `# ${'x'.repeat(600 * 1024)}\n`, expect: /bytes/ },
  { name: "one of the machine's own interfaces (a decoy for eth0) on the host", file: () => hostFile(UPLINK, '10.0.3.1/24'), expect: new RegExp(`interfaces.*${UPLINK}.*did not create`) },
  { name: "a host address inside the machine's own network (the decoy's)", file: () => hostFile('vlh' + id, INSIDE_UPLINK), expect: /overlaps.*cut this machine off/ },
  { name: 'a default-like host route (0.0.0.0/1) through a lab end', file: () => hostFile('vlh' + id, '10.0.1.0/24', '    routes:\n      - {to: 0.0.0.0/1, via: 10.0.1.1}'), expect: /0\.0\.0\.0\/1.*wider than \/8.*allow-wide-host-routes/ },
  { name: 'the other half (128.0.0.0/1) through a lab end', file: () => hostFile('vlh' + id, '10.0.1.0/24', '    routes:\n      - {to: 128.0.0.0/1, dev: vlh' + id + '}'), expect: /128\.0\.0\.0\/1.*wider than \/8/ },
  { name: 'a host route through lo, a device the lab does not own', file: () => hostFile('vlh' + id, '10.0.1.0/24', '    routes:\n      - {to: 10.77.0.0/24, dev: lo}'), expect: /goes through lo, which is not one of this lab's host ends/ },
  { name: 'a namespace that exists but the lab did not create', file: () => pair().replaceAll(A, FOREIGN), expect: new RegExp(`${FOREIGN}.*not created by this lab.*ip netns del ${FOREIGN}`) },
];

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-bad-'));
  execFileSync('ip', ['netns', 'add', FOREIGN]);
  execFileSync('ip', ['link', 'add', UPLINK, 'type', 'veth', 'peer', 'name', `${UPLINK}p`]);
  execFileSync('ip', ['addr', 'add', '198.51.100.1/24', 'dev', UPLINK]);
  execFileSync('ip', ['link', 'set', UPLINK, 'up']);
  const routes = ipJson<{ dst: string; dev?: string }[]>('route', 'show', 'table', 'main');
  assert.ok(routes.some((r) => r.dst === UPLINK_NET && r.dev === UPLINK), `the decoy ${UPLINK} has its route to ${UPLINK_NET}`);
});

after(async () => {
  removeAll([A, B, FOREIGN], ['vlh' + id, UPLINK]);
  await rm(dataDir, { recursive: true, force: true });
});

test(`at least 20 bad files (${cases.length})`, () => assert.ok(cases.length >= 20));

for (const c of cases) {
  test(`bad file: ${c.name}`, async () => {
    const file = path.join(dataDir, 'bad.yml');
    await writeFile(file, c.file());
    const before = kernelSnapshot(ours);
    const res = await vethlab(['apply', file], dataDir);
    assert.notEqual(res.code, 0, `exit 0 for a bad file; stdout: ${res.stdout}`);
    assert.match(res.stderr, /^error: /m);
    assert.match(res.stderr, c.expect);
    assert.match(res.stderr, /Nothing was changed/);
    assert.equal(kernelSnapshot(ours), before, 'the kernel changed');
  });
}

test('bad CLI arguments name the argument', async () => {
  const cases: [string[], RegExp][] = [
    [['apply'], /needs a topology FILE/],
    [['apply', '/nonexistent/x.yml'], /FILE: cannot read "\/nonexistent\/x.yml"/],
    [['export', '--format', 'xml'], /--format: "xml"/],
    [['status', '--colour'], /colour/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ];
  for (const [args, expect] of cases) {
    const res = await vethlab(args, dataDir);
    assert.equal(res.code, 2, `${args.join(' ')}: exit ${res.code}`);
    assert.match(res.stderr, expect);
  }
});

test('vethlab serve --help lists every flag serve takes (the CLI prints the server\'s own text)', async () => {
  const res = await vethlab(['serve', '--help'], dataDir);
  assert.equal(res.code, 0, res.stderr);
  for (const flag of ['--port', '--host', '--topology', '--real-host', '--data-dir', '--allow-host', '--dev']) assert.match(res.stdout, new RegExp(`^  ${flag} `, 'm'), flag);
});

test('allow-wide-host-routes lets a wide host route through, in the plan only (dry run)', async () => {
  const file = path.join(dataDir, 'wide.yml');
  await writeFile(file, `allow-wide-host-routes: true\n${hostFile('vlh' + id, '10.0.1.0/24', '    routes:\n      - {to: 10.0.0.0/7, via: 10.0.1.1}')}`);
  const before = kernelSnapshot(ours);
  const res = await vethlab(['apply', file, '--dry-run'], dataDir);
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /ip route add 10\.0\.0\.0\/7 via 10\.0\.1\.1/);
  assert.equal(kernelSnapshot(ours), before);
});
