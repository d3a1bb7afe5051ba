/**
 * A kill -9 of the CLI at any moment, and a reader of its output that goes
 * away, in both modes (root, real kernel): the next `apply` finishes the lab,
 * and `destroy` leaves nothing behind, neither on the real machine nor in
 * /sys/fs/cgroup.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, namespaceNames, REPO, removeAll, tag, vethlab } from '../support/kernel';
import { until } from '../support/wait';
import { linearTopology } from '../bench/linear-topology';
import { stringifyTopology } from '../../server/model/topology-file';
import { LabRegistry } from '../../server/engine/lab-registry';
import { listProcesses } from '../../server/terminal/process-tree';
import { realMachine } from '../machine/machine-fixture';

const COUNT = 100;
const dirs: string[] = [];
const leftovers: string[] = [];

after(async () => {
  for (const d of dirs) {
    await vethlab(['destroy'], d, { realHost: false }).catch(() => undefined);
    await vethlab(['destroy'], d).catch(() => undefined);
    await rm(d, { recursive: true, force: true });
  }
  removeAll(leftovers);
});

async function setUp(prefix: string): Promise<{ dataDir: string; file: string; names: string[] }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vethlab-crash-'));
  dirs.push(dataDir);
  const linear = linearTopology(prefix, COUNT);
  const file = path.join(dataDir, 'linear.yml');
  await writeFile(file, stringifyTopology(linear.topology));
  return { dataDir, file, names: linear.names };
}

/**
 * Starts `vethlab apply FILE`, waits until `progress()` passes `at`, and kills
 * it with SIGKILL. An `ip -batch` it started has its whole batch already and
 * runs to its end alone; the next command starts once it has (the apply runs
 * in a process group of its own to tell them), as the next one a person
 * types would.
 */
async function killApplyMidway(args: string[], progress: () => number, at: number): Promise<number> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: 'ignore', detached: true, env: { ...process.env, VETHLAB_DATA_DIR: '' } });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let seen = 0;
  await until(`apply to pass ${at}`, () => (seen = progress()) >= at || child.exitCode !== null, { timeoutMs: 60_000, everyMs: 2 });
  const finished = child.exitCode !== null;
  child.kill('SIGKILL');
  await exited;
  await until('the killed apply\'s last ip batch to end', () => !listProcesses().some((p) => p.pgrp === child.pid && p.state !== 'Z'), { everyMs: 10 });
  // Killed before it finished is the point; a run that finished first killed nothing.
  assert.ok(!finished, `apply finished (exit ${child.exitCode}) before it could be killed; ${seen} made`);
  return seen;
}

/** Every cgroup directory under vethlab/ in each hierarchy, to compare before and after. */
function labCgroups(): string[] {
  const out: string[] = [];
  for (const h of ['/sys/fs/cgroup/unified/vethlab', '/sys/fs/cgroup/pids/vethlab', '/sys/fs/cgroup/memory/vethlab', '/sys/fs/cgroup/vethlab']) {
    if (!existsSync(h)) continue;
    for (const e of readdirSync(h, { withFileTypes: true })) if (e.isDirectory()) out.push(`${h}/${e.name}`);
  }
  return out.sort();
}

/** Adds the cgroup the default lab's machine record names now (the machines this test made). */
function noteCgroup(dataDir: string, seen: Set<string>): void {
  try {
    const record = JSON.parse(readFileSync(path.join(dataDir, 'labs/default/machine.json'), 'utf8')) as { cgroup?: string };
    if (record.cgroup) seen.add(record.cgroup);
  } catch {
    // No machine recorded at this moment.
  }
}

/** Which of these cgroups still exist in some hierarchy. */
function left(names: Set<string>): string[] {
  return labCgroups().filter((d) => names.has(path.basename(d)));
}

function machineNamespaces(dataDir: string): number {
  const lab = new LabRegistry({ dataDir }).lab();
  const machine = lab.machine();
  if (!machine) return 0;
  try {
    return readdirSync(machine.netnsDir).length;
  } catch {
    return 0;
  }
}

test('lab machine: kill -9 of apply half-way through 100 namespaces, then apply finishes and destroy leaves nothing', async () => {
  const realBefore = realMachine();
  const ours = new Set<string>();
  const { dataDir, file } = await setUp('n');
  const seen = await killApplyMidway(['apply', file, '--data-dir', dataDir], () => machineNamespaces(dataDir), COUNT / 2);
  assert.ok(seen >= COUNT / 2 && seen < COUNT, `killed with ${seen} of ${COUNT} namespaces made`);
  noteCgroup(dataDir, ours);
  const again = await vethlab(['apply', file], dataDir, { realHost: false });
  noteCgroup(dataDir, ours);
  assert.equal(again.code, 0, again.stderr);
  const status = await vethlab(['status', '--json'], dataDir, { realHost: false });
  const topology = JSON.parse(status.stdout);
  assert.equal(Object.keys(topology.nodes).length, COUNT);
  assert.equal(topology.links.length, COUNT - 1);
  const destroyed = await vethlab(['destroy'], dataDir, { realHost: false });
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.ok(ours.size > 0);
  assert.deepEqual(left(ours), [], 'no cgroup of the lab is left');
  assert.equal(realMachine(), realBefore, "the real machine's network never changed");
});

test('lab machine: kill -9 while the machine itself is being made, then apply and destroy still work', async () => {
  const ours = new Set<string>();
  const { dataDir, file } = await setUp('m');
  // As soon as the record exists the machine is being made: kill then.
  await killApplyMidway(['apply', file, '--data-dir', dataDir], () => (existsSync(path.join(dataDir, 'labs/default/machine.json')) ? 1 : 0), 1);
  noteCgroup(dataDir, ours);
  const again = await vethlab(['apply', file], dataDir, { realHost: false });
  assert.equal(again.code, 0, again.stderr);
  noteCgroup(dataDir, ours);
  const destroyed = await vethlab(['destroy'], dataDir, { realHost: false });
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.ok(ours.size > 0);
  assert.deepEqual(left(ours), [], 'no cgroup of the lab is left');
});

test('real host: kill -9 of apply half-way through 100 namespaces, then apply finishes and destroy leaves nothing', async () => {
  const prefix = `vlk${tag()}`;
  const { dataDir, file, names } = await setUp(prefix);
  leftovers.push(...names);
  const ours = () => namespaceNames().filter((n) => n.startsWith(prefix)).length;
  // Read as a directory, not through ip: the namespaces of a real-host apply are made in one fast batch.
  const made = () => readdirSync('/run/netns').filter((n) => n.startsWith(prefix)).length;
  const seen = await killApplyMidway(['apply', file, '--real-host', '--data-dir', dataDir], made, COUNT / 2);
  assert.ok(seen >= COUNT / 2, `killed with ${seen} of ${COUNT} namespaces made`);
  const again = await vethlab(['apply', file], dataDir);
  assert.equal(again.code, 0, `a re-apply adopts what the killed run made: ${again.stderr}`);
  assert.equal(ours(), COUNT);
  const destroyed = await vethlab(['destroy'], dataDir);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.equal(ours(), 0, 'destroy removed every namespace, also those the killed run made');
});

test('real host: destroy right after a kill -9 (once its last ip batch has ended) finds what the killed run made', async () => {
  const prefix = `vlk${tag()}`;
  const { dataDir, file, names } = await setUp(prefix);
  leftovers.push(...names);
  const made = () => readdirSync('/run/netns').filter((n) => n.startsWith(prefix)).length;
  await killApplyMidway(['apply', file, '--real-host', '--data-dir', dataDir], made, COUNT / 3);
  const destroyed = await vethlab(['destroy'], dataDir);
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.equal(namespaceNames().filter((n) => n.startsWith(prefix)).length, 0);
});

test('a reader that goes away (apply | head -1) ends the output, not the apply', async () => {
  const { dataDir, file } = await setUp('p');
  const child = spawn(process.execPath, [CLI, 'apply', file, '--data-dir', dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VETHLAB_DATA_DIR: '' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Like `head -1`: read one line, then close the pipe.
  await new Promise<void>((resolve) => {
    child.stdout.once('data', () => {
      child.stdout.destroy();
      resolve();
    });
  });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  assert.equal(code, 0, `apply finished: ${stderr}`);
  const status = JSON.parse((await vethlab(['status', '--json'], dataDir, { realHost: false })).stdout);
  assert.equal(Object.keys(status.nodes).length, COUNT, 'every namespace was made');
});
