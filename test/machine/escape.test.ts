/**
 * Attacks from inside a lab machine, as a student's root shell (the host
 * node's terminal) and a namespace's shell would try them. Every one must
 * fail, and the real machine's interfaces, addresses, routes and namespaces
 * must be exactly as before. The decoys are the test's own: a dummy
 * interface and a namespace on the real machine, a second lab, a server
 * process.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ip, ipJson, REPO, tag } from '../support/kernel';
import { makeLabs, realMachine, runIn, sh, type LabsFixture } from './machine-fixture';
import { until } from '../support/wait';
import { hasEnded, watchProcess } from '../support/process';

const t = tag();
// A veth pair: this kernel has no dummy interfaces.
const DECOY_LINK = `vlx${t}`;
const DECOY_NS = `vlx-${t}-ns`;
let fx: LabsFixture;
let realBefore: string;
let decoyIndex: number;
let bystander: ChildProcess;
let web: Server;

const TWO_NS = `name: escape
nodes:
  vnet0:
    interfaces:
      veth0: {addresses: [10.0.1.0/24]}
  vnet1:
    interfaces:
      veth1: {addresses: [10.0.1.1/24]}
links:
  - endpoints: [vnet0:veth0, vnet1:veth1]
`;

before(async () => {
  ip('link', 'add', DECOY_LINK, 'type', 'veth', 'peer', 'name', `${DECOY_LINK}p`);
  ip('netns', 'add', DECOY_NS);
  decoyIndex = ipJson<{ ifindex: number }[]>('link', 'show', DECOY_LINK)[0].ifindex;
  bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
  web = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  realBefore = realMachine();
  fx = await makeLabs();
  const file = path.join(fx.dataDir, 'two.yml');
  writeFileSync(file, TWO_NS);
  const { readTopologyFile } = await import('../../server/engine/topology-source');
  const parsed = await readTopologyFile(file, 'FILE');
  assert.ok(parsed.ok);
  for (const name of ['a', 'b']) {
    const r = await fx.lab(name).apply(parsed.topology);
    assert.ok(r.ok, JSON.stringify(r.failure ?? r.errors));
  }
});

after(async () => {
  bystander.kill('SIGKILL');
  web.close();
  try {
    await fx.cleanup();
  } finally {
    try {
      ip('link', 'del', DECOY_LINK);
    } catch {}
    try {
      ip('netns', 'del', DECOY_NS);
    } catch {}
  }
});

/** Both kinds of student shell: the lab machine's own, and one inside a namespace. */
const SHELLS: [string, string | undefined][] = [
  ['the host node', undefined],
  ['a namespace', 'vnet0'],
];

for (const [where, node] of SHELLS) {
  test(`from ${where}: making and deleting interfaces "in netns 1" stays inside the lab`, async () => {
    const r = await sh(fx.lab('a'), node, `
      ip link add esc${t} netns 1 type bridge
      ip link add esa${t} type veth peer name esb${t} netns 1
      ip link del ${DECOY_LINK}
      ip link set ${DECOY_LINK} down
      ip link show ${DECOY_LINK}
      nsenter -t 1 -n ip link del ${DECOY_LINK}
      nsenter --net=/proc/1/ns/net ip -o link | grep -c ${DECOY_LINK}
      true`);
    assert.doesNotMatch(r.stdout, new RegExp(`^[1-9]`, 'm'), 'the decoy is never seen');
    assert.equal(realMachine(), realBefore);
    const inLab = await sh(fx.lab('a'), undefined, `ip -o link | grep -c esc${t}`);
    assert.equal(inLab.stdout.trim(), '1', "what the shell made is in the lab machine's own namespace");
  });

  test(`from ${where}: a raw RTM_DELLINK with IFLA_TARGET_NETNSID reaches no real interface`, async () => {
    // Every nsid the lab could name, with the real decoy's ifindex: the kernel must answer each with an error or act inside the lab.
    const script = `
import socket, struct
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
out = []
for nsid in range(0, 16):
    ifinfo = struct.pack('=BxHiII', 0, 0, ${decoyIndex}, 0, 0)
    attr = struct.pack('=HHi', 8, 46, nsid)
    body = ifinfo + attr
    msg = struct.pack('=LHHLL', 16 + len(body), 17, 1 | 4, nsid + 1, 0) + body
    s.send(msg)
    reply = s.recv(4096)
    out.append(struct.unpack('=i', reply[16:20])[0])
print(out)
`;
    const r = await runIn(fx.lab('a'), node, ['python3', '-c', script]);
    assert.match(r.stdout, /^\[/, `the script ran: ${r.stderr}`);
    assert.equal(ipJson('link', 'show', DECOY_LINK).length, 1, 'the decoy still exists');
    assert.equal(realMachine(), realBefore);
  });

  test(`from ${where}: the real machine's namespaces, files, processes and loopback are out of reach`, async () => {
    const server = (await import('node:process')).pid;
    const r = await sh(fx.lab('a'), node, `
      echo "netns: $(ls /run/netns | tr '\\n' ' ')"
      ip netns exec ${DECOY_NS} true 2>/dev/null && echo ENTERED-DECOY-NS
      nsenter --net=/run/netns/${DECOY_NS} true 2>/dev/null && echo ENTERED-DECOY-NS
      cat ${fx.dataDir}/admin-token 2>/dev/null && echo READ-TOKEN
      ls ${fx.dataDir} 2>/dev/null | grep -q . && echo SAW-DATA-DIR
      cat /var/lib/vethlab/admin-token 2>/dev/null && echo READ-TOKEN
      kill -0 ${server} 2>/dev/null && echo SEES-SERVER
      kill -9 ${bystander.pid} 2>/dev/null && echo KILLED-BYSTANDER
      strace -p ${bystander.pid} -o /dev/null 2>/dev/null & sleep 0.2; kill %1 2>/dev/null
      ls /proc | grep -qx ${bystander.pid} && echo SEES-BYSTANDER
      for f in /etc/vethlab-x /usr/vethlab-x ${REPO}/vethlab-x /var/vethlab-x; do touch $f 2>/dev/null && echo WROTE $f; done
      touch /tmp/inside-${t} /root/inside-${t} && echo own-tmp-ok
      true`);
    assert.match(r.stdout, /own-tmp-ok/);
    for (const bad of ['ENTERED-DECOY-NS', 'READ-TOKEN', 'SAW-DATA-DIR', 'SEES-SERVER', 'KILLED-BYSTANDER', 'SEES-BYSTANDER', 'WROTE']) {
      assert.doesNotMatch(r.stdout, new RegExp(bad), `${bad}:\n${r.stdout}`);
    }
    assert.doesNotMatch(r.stdout, new RegExp(DECOY_NS));
    assert.equal(bystander.exitCode, null, 'the bystander still runs');
    const { existsSync } = await import('node:fs');
    assert.ok(!existsSync(`/tmp/inside-${t}`), "the lab's /tmp is its own");
    assert.equal(realMachine(), realBefore);
  });

  test(`from ${where}: sniffing lo sees only the lab's loopback, not the real one`, async () => {
    const port = (web.address() as AddressInfo).port;
    // The lab's own loopback traffic (INSIDE) shows that the capture works; the real loopback's (SECRET) must not show.
    const capture = sh(
      fx.lab('a'),
      node,
      `timeout 3 tcpdump -i any -n -A -U -w /tmp/cap 2>/dev/null & sleep 1.2; for i in 1 2 3; do echo INSIDE${t} > /dev/udp/127.0.0.1/9; done; wait; tcpdump -r /tmp/cap -A 2>/dev/null > /tmp/cap.txt; echo "inside=$(grep -c INSIDE${t} /tmp/cap.txt) secret=$(grep -c SECRET${t} /tmp/cap.txt)"`,
      { timeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 800));
    for (let i = 0; i < 10; i++) await fetch(`http://127.0.0.1:${port}/?token=SECRET${t}`).then((res) => res.text());
    const r = await capture;
    assert.match(r.stdout, /inside=[1-9]/, `the capture inside the lab works: ${r.stdout} ${r.stderr}`);
    assert.match(r.stdout, /secret=0/, 'no packet of the real loopback was seen');
  });
}

test("one lab's shell cannot see, signal or trace another lab's processes, nor read its files", async () => {
  const b = fx.lab('b');
  await sh(b, undefined, `echo secret-${t} > /root/note; setsid sleep 600 > /dev/null 2>&1 < /dev/null &`);
  const findVictim = () =>
    b.machineHandle!.cgroup!.pids().find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\u0000').slice(0, 2).join(' ') === 'sleep 600';
      } catch {
        return false;
      }
    });
  const victim = await until("lab b's sleep to run", findVictim, { timeoutMs: 2000, everyMs: 20 });
  const sleep = watchProcess(victim);
  const r = await sh(fx.lab('a'), undefined, `
    kill -9 ${victim} 2>/dev/null && echo KILLED
    cat /root/note 2>/dev/null
    pgrep -c -f '^sleep 600$'
    true`);
  assert.doesNotMatch(r.stdout, /KILLED|secret-/);
  assert.equal(r.stdout.trim().split('\n').at(-1), '0', "lab b's sleep is invisible from lab a");
  assert.ok(!hasEnded(sleep), "lab b's process still runs");
});

/** In a lab made for it, its root unmounts all it may (for the lab's every shell), then runs `then`. */
async function unmountAll(name: string, then: string): Promise<string> {
  const lab = fx.lab(name);
  await lab.ensureMachine();
  const r = await sh(lab, undefined, `
    for m in /proc /sys /tmp /var/tmp /root /dev/shm /run /run/netns; do umount -l $m 2>/dev/null && echo "unmounted $m"; done
    ${then}
    true`);
  // Its own /sys it made itself, so it may unmount it; the rest is locked.
  assert.match(r.stdout, /unmounted \/sys/, `the lab's root may unmount the lab's own /sys:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

test("unmounting what the lab's root may unmount uncovers nothing of the real machine's to write to", async () => {
  const dirs = ['/tmp', '/var/tmp', '/dev/shm', '/run', '/run/netns', '/etc', REPO];
  try {
    await unmountAll('c', `
      for d in ${dirs.join(' ')}; do touch $d/vethlab-x-${t} 2>/dev/null; done
      mkdir /sys/fs/cgroup/pids/vethlab-x-${t} 2>/dev/null`);
    for (const d of dirs) assert.ok(!existsSync(`${d}/vethlab-x-${t}`), `the lab wrote ${d}/vethlab-x-${t} on the real machine`);
    assert.ok(!existsSync(`/sys/fs/cgroup/pids/vethlab-x-${t}`), 'the lab made a cgroup on the real machine');
    assert.equal(realMachine(), realBefore);
  } finally {
    // Had a write got through, it is the real machine's to clean.
    for (const d of dirs) rmSync(`${d}/vethlab-x-${t}`, { force: true });
    try {
      rmdirSync(`/sys/fs/cgroup/pids/vethlab-x-${t}`);
    } catch {}
  }
});

test("unmounting the lab's /proc and /sys uncovers no process of the real machine or of another lab, nor a real interface", async () => {
  const b = fx.lab('b');
  await sh(b, undefined, `setsid sleep 601 > /dev/null 2>&1 < /dev/null &`);
  await until("lab b's sleep to run", () => b.machineHandle!.cgroup!.pids().some((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('sleep\u0000601')), { timeoutMs: 2000, everyMs: 20 });
  const out = await unmountAll('d', `
    ls /proc | grep -qx ${bystander.pid} && echo SEES-BYSTANDER
    grep -l '^sleep.601' /proc/[0-9]*/cmdline 2>/dev/null | grep -q . && echo SEES-OTHER-LAB
    ls /sys/class/net 2>/dev/null | grep -qx ${DECOY_LINK} && echo SEES-DECOY-LINK
    echo "processes: $(ls /proc | grep -c '^[0-9]')"`);
  for (const bad of ['SEES-BYSTANDER', 'SEES-OTHER-LAB', 'SEES-DECOY-LINK']) assert.doesNotMatch(out, new RegExp(bad), `${bad}:\n${out}`);
  assert.match(out, /processes: [1-9]/, `a /proc is still there:\n${out}`);
});

test('two labs with the same names and addresses ping independently', async () => {
  for (const name of ['a', 'b']) {
    const r = await sh(fx.lab(name), 'vnet1', 'ping -c 2 -i 0.2 -W 1 10.0.1.0');
    assert.match(r.stdout, /2 received, 0% packet loss/, `lab ${name}`);
  }
  // Cut lab a's cable: lab b's still works.
  await sh(fx.lab('a'), 'vnet0', 'ip link set veth0 down');
  assert.match((await sh(fx.lab('a'), 'vnet1', 'ping -c 1 -W 1 10.0.1.0')).stdout, /0 received/);
  assert.match((await sh(fx.lab('b'), 'vnet1', 'ping -c 1 -W 1 10.0.1.0')).stdout, /1 received/);
  assert.deepEqual(
    ipJson<{ name: string }[]>('netns', 'list').map((n) => n.name).filter((n) => n === 'vnet0' || n === 'vnet1'),
    [],
    "the real machine's ip netns list shows neither",
  );
});
