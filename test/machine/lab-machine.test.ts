/**
 * A lab machine on the real kernel: what it is (its own namespaces, an
 * unprivileged id range, a cgroup with limits, a read-only file system with
 * its own /tmp, /run and home), that it survives a new process, and that
 * destroying it leaves nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { endOrphanMachines, LabMachine, processStartTime } from '../../server/machine/lab-machine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAB_PIDS_MAX } from '../../server/machine/lab-cgroup';
import { ID_BASE, IDS_PER_LAB, slots } from '../../server/machine/id-slots';
import { makeLabs, realMachine, sh, type LabsFixture } from './machine-fixture';
import { until } from '../support/wait';
import { vethlab } from '../support/kernel';
import { hasEnded, watchProcess } from '../support/process';

/** A machine's key, which names its cgroup (lab-KEY) and owns its id slot. */
const keyOf = (cgroup: { name: string }) => cgroup.name.replace(/^lab-/, '');

let fx: LabsFixture;
let realBefore: string;

before(async () => {
  realBefore = realMachine();
  fx = await makeLabs();
});
after(async () => {
  await fx.cleanup();
  assert.equal(realMachine(), realBefore, "the real machine's network is as it was");
});

test('a lab machine has its own namespaces, an unprivileged root and a cgroup with limits', async () => {
  const lab = fx.lab('m1');
  await lab.ensureMachine();
  const pid = lab.machineHandle!.pid!;
  for (const ns of ['user', 'mnt', 'net', 'pid', 'uts', 'ipc']) {
    assert.notEqual(readlinkSync(`/proc/${pid}/ns/${ns}`), readlinkSync(`/proc/self/ns/${ns}`), `its own ${ns} namespace`);
  }
  const uidMap = readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim().split(/\s+/).map(Number);
  assert.equal(uidMap[0], 0);
  assert.ok(uidMap[1] >= ID_BASE, `root inside is id ${uidMap[1]} outside, not root`);
  assert.equal(uidMap[2], IDS_PER_LAB);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  assert.match(status, new RegExp(`^Uid:\\s+${uidMap[1]}\\s`, 'm'), 'its first process runs as the mapped id');
  assert.equal(lab.machineHandle!.cgroup!.pidsMax(), String(LAB_PIDS_MAX));
  assert.ok(lab.machineHandle!.cgroup!.pids().includes(pid), 'its first process is in its cgroup');

  const inside = await sh(lab, undefined, 'id -u; hostname; ps -e -o pid= | wc -l; touch /etc/x 2>&1; touch /tmp/x /root/x && echo writable; ls /run/netns | wc -l');
  const [uid, hostname, processes, etc, writable, netns] = inside.stdout.trim().split('\n');
  assert.equal(uid, '0', 'root inside');
  assert.equal(hostname, 'm1', 'the lab name is its host name');
  assert.ok(Number(processes) < 10, `only its own processes are visible (${processes})`);
  assert.match(etc, /Read-only file system/);
  assert.equal(writable, 'writable', 'its own /tmp and home are writable');
  assert.equal(netns, '0', 'its own, empty, /run/netns');
});

test("a new process finds the running machine; destroy ends every process and removes its cgroup and id range", async () => {
  const lab = fx.lab('m2');
  await lab.ensureMachine();
  const pid = lab.machineHandle!.pid!;
  // A background process started inside, detached from everything.
  await sh(lab, undefined, 'setsid sleep 1000 >/dev/null 2>&1 < /dev/null &');
  const again = new LabMachine({ dir: lab.dir, name: 'm2' });
  assert.equal(again.pid, pid, 'the record finds the same machine');
  assert.equal(await again.ensure(), false, 'and ensure does not make another');
  const cgroup = lab.machineHandle!.cgroup!;
  const members = cgroup.pids();
  assert.ok(members.length >= 3, `the init, its sleep and the detached sleep (${members})`);
  const slotFile = readFileSync(`${lab.dir}/machine.json`, 'utf8');
  const { slot } = JSON.parse(slotFile) as { slot: number };
  const watched = members.map(watchProcess);
  await lab.destroy();
  // The kernel takes a process out of its cgroup (which destroy waits for) after it let go of its namespaces,
  // but a moment before it is a zombie: on a busy machine one may still be finishing its exit.
  for (const p of watched) await until(`process ${p.pid} to be gone`, () => hasEnded(p), { timeoutMs: 2000, everyMs: 10 });
  for (const dir of cgroup.dirs) assert.ok(!existsSync(dir), `${dir} is removed`);
  assert.ok(!existsSync(`/run/vethlab/id-slots/${slot}`), 'its id range is free again');
  assert.ok(!existsSync(`${lab.dir}/machine.json`));
});

test('a machine whose record outlived it (a crash while it was made) is cleaned up and made anew', async () => {
  const lab = fx.lab('m3');
  await lab.ensureMachine();
  const old = lab.machineHandle!.pid!;
  const cgroup = lab.machineHandle!.cgroup!;
  // As if the machine died without the server: kill its processes, keep the record and the cgroup.
  process.kill(old, 'SIGKILL');
  await until("the dead machine's processes to leave its cgroup", () => cgroup.pids().length === 0, { timeoutMs: 2000, everyMs: 10 });
  assert.ok(cgroup.exists());
  const fresh = new LabMachine({ dir: lab.dir, name: 'm3' });
  assert.equal(fresh.running, false);
  assert.equal(await fresh.ensure(), true);
  assert.notEqual(fresh.pid, old);
  for (const dir of cgroup.dirs) assert.ok(!existsSync(dir), 'the old cgroup is gone');
  await fresh.destroy();
});

test('a machine whose lab directory was deleted is found and ended; running labs are left alone', async () => {
  const keep = fx.lab('m4');
  await keep.ensureMachine();
  const dir = mkdtempSync(path.join(tmpdir(), 'vlm-orphan-'));
  const orphan = new LabMachine({ dir: path.join(dir, 'lab'), name: 'orphan' });
  await orphan.ensure();
  const cgroup = orphan.cgroup!;
  const first = watchProcess(orphan.pid!);
  // Swept with a clock past the grace period, the sweep is limited to this test's machines: other files' young ones run beside it.
  const ours = new Set([keyOf(cgroup), keyOf(keep.machineHandle!.cgroup!)]);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(await endOrphanMachines(Date.now(), ours), 0, 'a young machine may still be being made: left alone');
  assert.equal(await endOrphanMachines(Date.now() + 120_000, ours), 1, 'the orphan is ended, the running lab is not');
  // Out of its cgroup, a killed process may still be exiting.
  await until('its first process to end', () => hasEnded(first));
  for (const d of cgroup.dirs) assert.ok(!existsSync(d), `${d} is removed`);
  assert.ok(keep.machineHandle!.running, "a lab whose directory is there keeps running");
});

test('what a machine that died leaves (its groups, its id range) is freed by the sweep; its lab starts anew', async () => {
  const lab = fx.lab('m5');
  await lab.ensureMachine();
  const handle = lab.machineHandle!;
  const cgroup = handle.cgroup!;
  const key = keyOf(cgroup);
  assert.ok(slots().some((s) => s.owner === key), 'it holds an id range');
  process.kill(handle.pid!, 'SIGKILL');
  await until('the machine to die', () => !handle.running);
  assert.ok(cgroup.exists(), 'its groups are still there');
  await endOrphanMachines(Date.now() + 120_000, new Set([key]));
  for (const d of cgroup.dirs) assert.ok(!existsSync(d), `${d} is removed`);
  assert.ok(!slots().some((s) => s.owner === key), 'its id range is free');
  await lab.ensureMachine();
  assert.ok(lab.machineHandle!.running, 'the lab starts a new machine');
});

test('two starts at once (a terminal opened during the first edit) make one machine, told of once', async () => {
  const lab = fx.lab('m6');
  const told: unknown[] = [];
  lab.on('machine', (m) => told.push(m));
  const [a, b] = await Promise.all([lab.ensureMachine(), lab.ensureMachine()]);
  const handle = lab.machineHandle!;
  assert.ok(handle.running, 'the machine runs');
  assert.equal(a.netnsDir, b.netnsDir, 'both callers got the same machine');
  assert.equal(told.length, 1, 'the page is told of one new machine (a second would close the terminal just opened)');
  assert.deepEqual(slots().filter((s) => s.note === handle.dir).map((s) => s.owner), [keyOf(handle.cgroup!)], 'one id range, the running machine’s');
  const [c, d] = await Promise.all([handle.ensure(), handle.ensure()]);
  assert.deepEqual([c, d], [false, false], 'running: nothing to make');
});

test('two processes that start one lab at once make one machine: the second waits on the lab machine lock and finds it', async () => {
  // Two `vethlab exec` on a lab that has no machine yet, as a server and a CLI might.
  const handle = fx.lab('m7').machineHandle!;
  const runs = await Promise.all([0, 1].map(() => vethlab(['exec', '--lab', 'm7', 'host', '--', 'readlink', '/proc/1/ns/pid'], fx.dataDir, { realHost: false })));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.match(runs[0].stdout, /^pid:\[\d+\]\n$/);
  assert.equal(runs[1].stdout, runs[0].stdout, 'both ran in the same machine');
  assert.ok(handle.running);
  assert.deepEqual(slots().filter((s) => s.note === handle.dir).map((s) => s.owner), [keyOf(handle.cgroup!)], 'one id range, the running machine’s');
});

test('a zombie is gone: a killed PID 1 that waits to be reaped is no running machine', async () => {
  // sh starts a short sleep in the background, then becomes a long one, which never reaps it: the short one ends a
  // zombie. (It lasts a second so that sh, which reaps ended jobs before it runs a command, becomes the long one first.)
  const child = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const zombie = Number((await new Promise<Buffer>((resolve) => child.stdout!.once('data', resolve))).toString().trim());
    await until('the background process to end', () => /\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')));
    assert.equal(processStartTime(zombie), undefined, 'a zombie has no start time: it is gone');
    assert.equal(typeof processStartTime(child.pid!), 'number', 'a running process has one');
  } finally {
    child.kill('SIGKILL');
  }
});
