/**
 * Ending terminals: when their namespace is deleted, when the shell exits by
 * itself, and at server shutdown; never leaving a process of theirs behind.
 * Real kernel, run as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../support/wait';
import { execFileSync } from 'node:child_process';
import { useLab, ip, sleep, Transcript, waitForNoProcesses } from './lab-fixture';
import { isRunning, listProcesses } from '../../server/terminal/process-tree';
import { CLOSE_HARD_CAP_MS } from '../../server/terminal/terminal-session';
import { terminalCgroupsAvailable } from '../../server/terminal/terminal-cgroup';

const env = useLab();

async function openShell(node: string): Promise<Transcript> {
  const id = await env.fixture.manager.open({ node, netns: node });
  const t = new Transcript(env.fixture.manager, id);
  await t.waitFor(/\$ $/);
  return t;
}

/** Processes of the shell user whose session is one of `sessions`. */
function leftovers(sessions: number[]): number[] {
  return listProcesses()
    .filter((p) => p.state !== 'Z' && (sessions.includes(p.session) || sessions.includes(p.pgrp)))
    .map((p) => p.pid);
}

test('deleting the namespace and closeForNode end its terminals and all their processes', async () => {
  const { manager } = env.fixture;
  const a1 = await openShell(env.lab.nsA);
  const a2 = await openShell(env.lab.nsA);
  const b = await openShell(env.lab.nsB);
  await a1.run('sleep 1000 & nohup sleep 1001 >/dev/null 2>&1 & true');
  a2.manager.input(a2.id, 'sleep 1002\r');
  const pids = [a1, a2].map((t) => manager.stats(t.id).pid);
  await until('two shells and three sleeps', () => leftovers(pids).length >= 5).catch(() => undefined);
  assert.ok(leftovers(pids).length >= 5, 'two shells and three sleeps');

  ip('netns', 'del', env.lab.nsA);
  await manager.closeForNode(env.lab.nsA);

  assert.equal(a1.exitReason, `namespace ${env.lab.nsA} was deleted`);
  assert.equal(a2.exitReason, `namespace ${env.lab.nsA} was deleted`);
  for (const pid of pids) {
    assert.equal(isRunning(pid), false, `pid ${pid} is gone`);
    assert.deepEqual(await waitForNoProcesses(pid), []);
  }
  assert.deepEqual(leftovers(pids), []);
  assert.deepEqual(manager.list().map((t) => t.id), [b.id], 'the other namespace keeps its terminal');
  assert.equal(b.exitReason, null);
  const still = await b.run('echo alive');
  assert.match(still.output, /\nalive/);
});

test('a shell that exits by itself reports it and leaves nothing behind', async () => {
  const { manager } = env.fixture;
  const t = await openShell(env.lab.nsB);
  const pid = manager.stats(t.id).pid;
  await t.run('sleep 1003 & true');
  let listed = 0;
  const onList = () => listed++;
  manager.on('list-changed', onList);
  manager.input(t.id, 'exit 3\r');
  assert.equal(await t.waitForExit(), 'shell exited with code 3');
  manager.off('list-changed', onList);
  assert.ok(listed >= 1);
  assert.equal(manager.list().some((x) => x.id === t.id), false);
  assert.deepEqual(await waitForNoProcesses(pid), []);
  assert.equal(manager.input(t.id, 'echo\r'), false);
});

test('closeAll ends every terminal, even jobs that ignore SIGHUP, within the hard cap', async (t) => {
  const { manager } = env.fixture;
  const shells = [await openShell(env.lab.nsB), await openShell(env.lab.nsB)];
  await shells[0].run(`(trap '' HUP; exec sleep 1004) & true`);
  if (terminalCgroupsAvailable()) {
    // setsid forks (a job leads its process group), so this sleep leaves the session
    // and is re-parented to init: only the terminal's cgroup still holds it.
    await shells[0].run('setsid sleep 1005 & true');
  } else {
    t.diagnostic('no writable cgroup2 hierarchy: a process that leaves the session is not tracked');
  }
  shells[1].manager.input(shells[1].id, 'yes > /dev/null\r');
  await sleep(200);
  const pids = shells.map((t) => manager.stats(t.id).pid);
  const started = Date.now();
  await manager.closeAll();
  assert.ok(Date.now() - started < CLOSE_HARD_CAP_MS + 1500, `took ${Date.now() - started} ms`);
  assert.deepEqual(manager.list(), []);
  for (const [i, t] of shells.entries()) {
    assert.equal(t.exitReason, 'the server is shutting down');
    assert.deepEqual(await waitForNoProcesses(pids[i]), []);
  }
  assert.deepEqual(leftovers(pids), []);
  const sleepers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /^sleep 100[0-5]$/.test(l.trim()));
  assert.deepEqual(sleepers, []);
});
