/**
 * Switches, routers and impaired cables on the real kernel, in a lab
 * machine: a LAN of three namespaces on one bridge, its MAC table, a script
 * export that rebuilds the same lab, and netem measured with ping (where the
 * kernel has sch_netem; without it, the lab refuses netem and changes nothing).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { vethlab } from '../support/kernel';
import { macTableFrom } from '../../server/kernel/bridge-fdb';
import { kernelCapabilities } from '../../server/kernel/capabilities';

let dataDir: string;
const cli = (args: string[], input?: string) => vethlab(args, dataDir, { realHost: false, input });

const LAN = `name: lan
nodes:
  br0: {kind: bridge}
  r1: {kind: router}
  a: {interfaces: {veth0: {addresses: [10.0.0.1/24]}}}
  b: {interfaces: {veth2: {addresses: [10.0.0.2/24]}}}
  c: {interfaces: {veth4: {addresses: [10.0.0.3/24]}}}
links:
  - endpoints: [a:veth0, br0:veth1]
  - endpoints: [b:veth2, br0:veth3]
  - endpoints: [c:veth4, br0:veth5]
  - endpoints: [r1:veth6, r1:veth7]
`;

async function file(name: string, text: string): Promise<string> {
  const f = path.join(dataDir, name);
  await writeFile(f, text);
  return f;
}

async function status(): Promise<any> {
  const r = await cli(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** What must survive an export and rebuild: kinds, interfaces, addresses, links, settings. */
function shape(t: any): unknown {
  const nodes = Object.fromEntries(
    Object.entries(t.nodes as Record<string, any>).map(([name, n]) => [
      name,
      { kind: n.kind, forwarding: n.forwarding, bridge: n.bridge, interfaces: Object.fromEntries(Object.entries(n.interfaces as Record<string, any>).map(([i, s]) => [i, [s.addresses, s.up, s.mtu]])) },
    ]),
  );
  return { nodes, links: t.links };
}

async function pingFrom(node: string, address: string, extra: string[] = []): Promise<string> {
  const r = await cli(['exec', node, '--', 'ping', '-c', '3', '-i', '0.2', '-W', '1', ...extra, address]);
  return r.stdout;
}

const avgRtt = (out: string) => Number(/= [\d.]+\/([\d.]+)\//.exec(out)?.[1]);

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-switches-'));
});
after(async () => {
  await cli(['destroy']).catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

test('a LAN: three namespaces on one switch ping each other; the switch learns their MACs on their ports', async () => {
  const applied = await cli(['apply', await file('lan.yml', LAN)]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /ok {4}ip link add br0 type bridge\n/);
  assert.match(applied.stdout, /ok {4}ip link set veth1 master br0\n/);
  for (const [from, to] of [['a', '10.0.0.2'], ['a', '10.0.0.3'], ['b', '10.0.0.3']]) {
    assert.match(await pingFrom(from, to), /3 received/, `${from} -> ${to}`);
  }
  const t = await status();
  assert.equal(t.nodes.br0.kind, 'bridge');
  assert.deepEqual(Object.keys(t.nodes.br0.interfaces).sort(), ['br0', 'veth1', 'veth3', 'veth5']);
  assert.equal(t.nodes.r1.kind, 'router');
  assert.deepEqual(t.links.find((l: any) => l.endpoints[0].node === 'r1').endpoints, [{ node: 'r1', iface: 'veth6' }, { node: 'r1', iface: 'veth7' }], 'a loop is one pair');
  const fdb = await cli(['exec', 'host', '--', 'bridge', '-j', 'fdb', 'show', 'br', 'br0']);
  const learned = macTableFrom('br0', JSON.parse(fdb.stdout)).filter((e) => !e.local);
  for (const [node, iface, port] of [['a', 'veth0', 'veth1'], ['b', 'veth2', 'veth3'], ['c', 'veth4', 'veth5']]) {
    const mac = t.nodes[node].interfaces[iface].mac;
    assert.ok(learned.some((e) => e.mac === mac && e.port === port), `${node}'s ${mac} behind ${port}: ${JSON.stringify(learned)}`);
  }
  assert.match((await cli(['apply', await file('lan.yml', LAN), '--dry-run'])).stdout, /nothing to do/);
});

test('the exported script, run in a bare lab machine, builds the same lab: switch, ports, router and all', async () => {
  const before = shape(await status());
  const script = await cli(['export', '--format', 'sh']);
  assert.equal(script.code, 0, script.stderr);
  assert.doesNotMatch(script.stdout, /netns set .* auto/, 'no bookkeeping in the script');
  assert.equal((await cli(['destroy'])).code, 0);
  const ran = await cli(['exec', 'host', '--', 'bash', '-s'], script.stdout);
  assert.equal(ran.code, 0, ran.stderr);
  assert.deepEqual(shape(await status()), before);
});

test('the yaml export applies as it is and plans nothing', async () => {
  const yaml = await cli(['export']);
  const again = await cli(['apply', await file('exported.yml', yaml.stdout), '--dry-run']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /nothing to do/);
});

const NETEM = (netem: string) => `name: lan
nodes:
  a: {interfaces: {veth0: {addresses: [10.0.9.1/24]}}}
  b: {interfaces: {veth1: {addresses: [10.0.9.2/24]}}}
links:
  - endpoints: [a:veth0, b:veth1]
${netem ? `    netem: ${netem}\n` : ''}`;

test('without sch_netem the lab refuses netem before running anything, and says why', async (t) => {
  if ((await kernelCapabilities()).netem) return t.skip('this kernel has netem; the next test measures it');
  const plain = await cli(['apply', await file('plain.yml', NETEM(''))]);
  assert.equal(plain.code, 0, plain.stderr);
  const before = JSON.stringify(await status());
  const refused = await cli(['apply', await file('slow.yml', NETEM('{delay: 50ms}'))]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /links\[0\]\.netem: this kernel has no netem \(the sch_netem module/);
  assert.match(refused.stderr, /Nothing was changed/);
  // Counters and operstate move by themselves (a carrier comes up a moment after apply).
  const settled = (t: string) => t.replace(/"stats":\{[^}]*\}/g, '').replace(/"state":"[A-Z]+"/g, '');
  assert.equal(settled(JSON.stringify(await status())), settled(before));
});

test('netem: 50 ms each way adds 100 ms to the RTT; 30% loss loses 15-45% of 200 pings; one tc command to change a delay', async (t) => {
  if (!(await kernelCapabilities()).netem) return t.skip('this kernel has no sch_netem (CONFIG_NET_SCH_NETEM); the test above checks the refusal');
  assert.equal((await cli(['apply', await file('plain.yml', NETEM(''))])).code, 0);
  const base = avgRtt(await pingFrom('a', '10.0.9.2'));
  assert.equal((await cli(['apply', await file('slow.yml', NETEM('{delay: 50ms}'))])).code, 0);
  const slow = avgRtt(await pingFrom('a', '10.0.9.2'));
  assert.ok(Math.abs(slow - base - 100) <= 20, `RTT ${base} ms -> ${slow} ms`);
  const dry = await cli(['apply', await file('slower.yml', NETEM('{a:veth0: {delay: 80ms}, b:veth1: {delay: 50ms}}')), '--dry-run']);
  assert.deepEqual(dry.stdout.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, '')), ['tc -n a qdisc replace dev veth0 root netem delay 80ms']);
  // One way only, so a lost request is a lost ping.
  assert.equal((await cli(['apply', await file('lossy.yml', NETEM('{a:veth0: {loss: 30%}}'))])).code, 0);
  const lossy = await cli(['exec', 'a', '--', 'ping', '-c', '200', '-i', '0.01', '-W', '1', '-q', '10.0.9.2']);
  const lost = Number(/(\d+(?:\.\d+)?)% packet loss/.exec(lossy.stdout)?.[1]);
  assert.ok(lost >= 15 && lost <= 45, `lost ${lost}%`);
});

/** Receives on 10.0.9.2:5001 for `seconds` after the first byte and prints the bytes a second. */
const RECEIVER = `import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('10.0.9.2',5001)); s.listen(1)
c,_=s.accept(); n=0; t0=None
while True:
    d=c.recv(65536)
    if not d: break
    t0=t0 or time.time(); n+=len(d)
    if time.time()-t0>3: break
print(n/(time.time()-t0))`;
const SENDER = `import socket,time
deadline=time.time()+5
while True:
    try: s=socket.create_connection(('10.0.9.2',5001)); break
    except OSError:
        if time.time()>deadline: raise
        time.sleep(0.05)
end=time.time()+4; b=b'x'*65536
try:
    while time.time()<end: s.sendall(b)
except OSError: pass`;

test('netem rate: a bulk TCP transfer runs within 20% of 4 mbit/s', async (t) => {
  if (!(await kernelCapabilities()).netem) return t.skip('this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)');
  assert.equal((await cli(['apply', await file('rate.yml', NETEM('{a:veth0: {rate: 4mbit}}'))])).code, 0);
  // The sender retries until the receiver listens.
  const receiving = cli(['exec', 'b', '--', 'python3', '-c', RECEIVER]);
  await cli(['exec', 'a', '--', 'python3', '-c', SENDER]);
  const bytesPerSecond = Number((await receiving).stdout.trim());
  const bits = bytesPerSecond * 8;
  assert.ok(Math.abs(bits - 4e6) <= 0.2 * 4e6, `${(bits / 1e6).toFixed(2)} mbit/s`);
});
