/**
 * The server keeps nothing the kernel does not: after kill -9 and a new
 * start on the same data directory, browsers see the lab as the kernel has
 * it, with the diagram's positions kept. Also: --topology applies a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { CLI, realHostLab } from '../support/kernel';
import { until } from '../support/wait';
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { LabRegistry } from '../../server/engine/lab-registry';
import type { Lab } from '../../server/engine/lab';
import type { Topology } from '../../server/model/topology';
import { stringifyTopology } from '../../server/model/topology-file';
import { linearTopology } from '../bench/linear-topology';
import { realMachine } from '../machine/machine-fixture';
import { desiredFromObserved } from '../../server/model/edits';
import { REPO_ROOT, startServer } from '../../server/web/serve';
import { WAIT_MS, connect, destroyLab, makeDataDir, netnsNames, tag } from './web-fixture';

interface Child {
  proc: ChildProcess;
  url: string;
  token: string;
  base: string;
}

/** Starts `vethlab serve` as its own process (without the Next.js page) and waits for its URL. */
async function spawnServer(dataDir: string, extra: string[] = [], mode: string[] = ['--real-host']): Promise<Child> {
  const env: NodeJS.ProcessEnv = { ...process.env, VETHLAB_NO_PAGE: '1' };
  delete env.VETHLAB_TOKEN;
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...mode, '--data-dir', dataDir, ...extra], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running: it would keep this file's process alive after the test failed.
      proc.kill('SIGKILL');
      reject(new Error(`the server printed no URL in time; stderr: ${err}`));
    }, WAIT_MS);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /vethlab is running: (http:\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code}: ${err}`));
    });
  });
  const u = new URL(url);
  return { proc, url, token: u.searchParams.get('token')!, base: u.origin };
}

async function kill(child: Child | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = once(child.proc, 'exit');
  child.proc.kill(signal);
  await exited;
}

/** The kill -9 tests' chain, and its veth ends, each to be addressed. */
const CHAIN = 60;
const ENDS = 2 * (CHAIN - 1);

const addressedEnds = (t: Topology) => Object.values(t.nodes).reduce((n, node) => n + Object.values(node.interfaces).filter((i) => i.addresses.length > 0).length, 0);

/**
 * Has a new server load the chain and kills it with -9 once `made()` says 20
 * namespaces are there, so that the kill lands half-way: after the batch that
 * makes every namespace, among the addresses that come one namespace at a
 * time. On a busy machine the test may look only after the server is done
 * (CI once found all 118 ends addressed); then the lab is destroyed and it
 * tries again, three times at most. Returns the killed server.
 */
async function killHalfWay(start: () => Promise<Child>, yaml: string, made: () => number, lab: Lab): Promise<Child> {
  for (let tries = 1; ; tries++) {
    const server = await start();
    const client = await connect(server.base, { auth: { token: server.token } });
    void client.send('lab-edit', { op: 'load', yaml }).catch(() => undefined);
    await until('20 namespaces made', () => made() >= 20, { everyMs: 5 });
    await kill(server, 'SIGKILL');
    client.close();
    const addressed = addressedEnds((await lab.observe()).topology);
    if (addressed < ENDS) {
      console.log(`# killed half-way at try ${tries}: ${made()} namespaces, ${addressed} of ${ENDS} ends addressed`);
      return server;
    }
    assert.ok(tries < 3, `the server finished the load before the kill, ${tries} times`);
    await lab.destroy();
  }
}

test('after kill -9 and a restart the page shows the kernel\'s lab with its positions', async () => {
  const t = tag();
  const A = `vlw-${t}-a`;
  const B = `vlw-${t}-b`;
  const net = `10.215.${randomInt(0, 256)}`;
  const dataDir = await makeDataDir();
  let first: Child | undefined;
  let second: Child | undefined;
  try {
    first = await spawnServer(dataDir);
    assert.equal(first.token.length, 48, 'a fresh random token (24 bytes in hex)');
    const client = await connect(first.base, { auth: { token: first.token } });
    for (const edit of [
      { op: 'add-node', kind: 'netns', name: A },
      { op: 'add-node', kind: 'netns', name: B },
      { op: 'add-link', a: A, b: B },
    ]) {
      assert.deepEqual(await client.send('lab-edit', edit), { ok: true }, JSON.stringify(edit));
    }
    const link = client.state!.topology.links[0];
    const ends = Object.fromEntries(link.endpoints.map((e) => [e.node, e.iface]));
    assert.deepEqual(await client.send('lab-edit', { op: 'set-interface', node: A, iface: ends[A], addresses: [`${net}.1/30`], up: true }), { ok: true });
    assert.deepEqual(await client.send('lab-edit', { op: 'set-interface', node: B, iface: ends[B], addresses: [`${net}.2/30`], up: true }), { ok: true });
    const positions = { [A]: { x: 120, y: 80 }, [B]: { x: 420, y: 80 } };
    assert.deepEqual(await client.send('lab-edit', { op: 'move-nodes', positions }), { ok: true });
    client.close();

    await kill(first, 'SIGKILL');
    assert.ok(netnsNames().includes(A) && netnsNames().includes(B), 'the kernel keeps the lab without the server');

    second = await spawnServer(dataDir);
    assert.equal(second.token, first.token, "the token is kept in the data directory, so an open page survives the restart");
    const again = await connect(second.base, { auth: { token: second.token } });
    const shown = again.states[0].topology;
    const kernel = (await realHostLab(dataDir).observe()).topology;
    assert.deepEqual(desiredFromObserved(shown), desiredFromObserved(kernel));
    assert.deepEqual(shown.nodes[A].position, positions[A]);
    assert.deepEqual(shown.nodes[B].position, positions[B]);
    assert.deepEqual(shown.nodes[A].interfaces[ends[A]].addresses, [`${net}.1/30`]);
    // And it still works: an edit through the new server reaches the kernel.
    assert.deepEqual(await again.send('lab-edit', { op: 'set-interface', node: B, iface: ends[B], addresses: [`${net}.2/30`], up: true }), { ok: true });
    execFileSync('ip', ['netns', 'exec', A, 'ping', '-c', '1', '-W', '1', `${net}.2`], { stdio: 'ignore' });
    again.close();
  } finally {
    await kill(first, 'SIGKILL');
    await kill(second, 'SIGTERM');
    await destroyLab(dataDir, [A, B]);
  }
  assert.ok(!netnsNames().includes(A) && !netnsNames().includes(B));
});

test('a topology file given at start is applied', async () => {
  const t = tag();
  const C = `vlw-${t}-c`;
  const D = `vlw-${t}-d`;
  const dataDir = await makeDataDir();
  const file = path.join(dataDir, 'lab.yaml');
  await writeFile(file, `name: start\nnodes:\n  ${C}:\n    position: {x: 5, y: 6}\n  ${D}: {}\nlinks:\n  - endpoints: [${C}:veth0, ${D}:veth0]\n`);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer({ port: 0, host: '127.0.0.1', dataDir, topologyFile: file, page: false, quiet: true, realHost: true });
    assert.ok(netnsNames().includes(C) && netnsNames().includes(D));
    const client = await connect(`http://127.0.0.1:${server.port}`, { auth: { token: server.token } });
    assert.equal(client.state!.topology.name, 'start');
    assert.deepEqual(client.state!.topology.nodes[C].position, { x: 5, y: 6 });
    client.close();
    await assert.rejects(startServer({ port: 0, host: '127.0.0.1', dataDir, topologyFile: `${file}.missing`, page: false, quiet: true, realHost: true }), /--topology/);
  } finally {
    await server?.close();
    await destroyLab(dataDir, [C, D]);
  }
});

test('lab machines: kill -9 of the server in the middle of an edit; after a restart the lab is found, finished and destroyed without a trace', async () => {
  const realBefore = realMachine();
  const dataDir = await makeDataDir();
  const yaml = stringifyTopology(linearTopology('r', CHAIN).topology);
  const cgroupDirs: string[] = [];
  let first: Child | undefined;
  let second: Child | undefined;
  try {
    const lab = new LabRegistry({ dataDir }).lab();
    const made = () => {
      const m = lab.machine();
      return m && existsSync(m.netnsDir) ? readdirSync(m.netnsDir).length : 0;
    };
    first = await killHalfWay(() => spawnServer(dataDir, [], []), yaml, made, lab);

    second = await spawnServer(dataDir, [], []);
    assert.equal(second.token, first.token);
    const again = await connect(second.base, { auth: { token: second.token } });
    const shown = again.states[0].topology;
    assert.equal(Object.keys(shown.nodes).length, made(), 'the page shows what the lab machine has');
    assert.deepEqual(await again.send('lab-edit', { op: 'load', yaml }), { ok: true }, 'loading again finishes the lab');
    await again.waitForState((s) => Object.keys(s.topology.nodes).length === CHAIN && s.topology.links.length === CHAIN - 1, 'the whole chain');
    cgroupDirs.push(...(lab.machineHandle!.cgroup?.dirs ?? []));
    assert.deepEqual(await again.send('lab-edit', { op: 'destroy' }), { ok: true });
    again.close();
  } finally {
    await kill(first, 'SIGKILL');
    await kill(second, 'SIGTERM');
    const registry = new LabRegistry({ dataDir });
    for (const name of registry.names()) await registry.delete(name);
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.equal(realMachine(), realBefore);
  assert.ok(cgroupDirs.length > 0);
  for (const dir of cgroupDirs) assert.ok(!existsSync(dir), `the lab's cgroup ${dir} is gone`);
});

test("output redirected to a file (it carries the tokens) is made readable by its owner only", async () => {
  const dataDir = await makeDataDir();
  const log = path.join(dataDir, 'serve.log');
  const fd = openSync(log, 'w', 0o644);
  fchmodSync(fd, 0o644);
  const env: NodeJS.ProcessEnv = { ...process.env, VETHLAB_NO_PAGE: '1' };
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: REPO_ROOT, env, stdio: ['ignore', fd, fd] });
  try {
    await until('the server to print its URL', () => readFileSync(log, 'utf8').includes('vethlab is running'), { everyMs: 50 });
    assert.match(readFileSync(log, 'utf8'), /token=/);
    assert.equal(statSync(log).mode & 0o077, 0, `mode ${(statSync(log).mode & 0o777).toString(8)}`);
  } finally {
    closeSync(fd);
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
    const registry = new LabRegistry({ dataDir });
    for (const name of registry.names()) await registry.delete(name);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('real host: kill -9 of the server in the middle of an edit; after a restart the load finishes and destroy leaves nothing', async () => {
  const dataDir = await makeDataDir();
  const prefix = `vlr${tag()}`;
  const linear = linearTopology(prefix, CHAIN);
  const yaml = stringifyTopology(linear.topology);
  const ours = () => netnsNames().filter((n) => n.startsWith(prefix)).length;
  let first: Child | undefined;
  let second: Child | undefined;
  try {
    first = await killHalfWay(() => spawnServer(dataDir), yaml, ours, realHostLab(dataDir));

    second = await spawnServer(dataDir);
    const again = await connect(second.base, { auth: { token: second.token } });
    assert.equal(Object.keys(again.states[0].topology.nodes).length, ours(), 'the restarted server owns what the killed one made');
    assert.deepEqual(await again.send('lab-edit', { op: 'load', yaml }), { ok: true }, 'loading again finishes the lab');
    await again.waitForState((s) => Object.keys(s.topology.nodes).length === CHAIN && s.topology.links.length === CHAIN - 1, 'the whole chain');
    assert.deepEqual(await again.send('lab-edit', { op: 'destroy' }), { ok: true });
    again.close();
    assert.equal(ours(), 0, 'destroy removed every namespace, also those the killed server made');
  } finally {
    await kill(first, 'SIGKILL');
    await kill(second, 'SIGTERM');
    await destroyLab(dataDir, linear.names);
  }
});
