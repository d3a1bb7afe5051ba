/** KernelMonitor on the real kernel (root): each kind of change a student types is reported, named, within a second. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COALESCE_MS, KernelMonitor, NetnsDirWatcher, RESTART_BACKOFF_MS } from '../../server/kernel/kernel-monitor';
import { LabMachine } from '../../server/machine/lab-machine';
import { ipJson, randomSuffix, removeAll } from '../support/kernel';
import { until } from '../support/wait';

const REPORT_WITHIN_MS = 1000;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function ipBatch(args: string[], lines: string[]): void {
  execFileSync('ip', [...args, '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
}

interface Emit {
  names: Set<string>;
  root: boolean;
  at: number;
}

function recorder(monitor: KernelMonitor): { emits: Emit[]; off: () => void } {
  const emits: Emit[] = [];
  const on = (names: Set<string>, root: boolean) => emits.push({ names: new Set(names), root, at: performance.now() });
  monitor.on('changed', on);
  return { emits, off: () => monitor.off('changed', on) };
}

/** Runs `change` and waits until an emit names `name`; returns how long that took. */
async function reported(monitor: KernelMonitor, name: string, change: () => void): Promise<number> {
  const { emits, off } = recorder(monitor);
  const t0 = performance.now();
  try {
    change();
    const hit = await until(`a change reported for ${name}`, () => emits.find((e) => e.names.has(name)), { timeoutMs: REPORT_WITHIN_MS * 2, everyMs: 5 });
    return hit.at - t0;
  } finally {
    off();
  }
}

describe('KernelMonitor (root)', () => {
  const id = randomSuffix();
  const a = `vlm${id}a`;
  const b = `vlm${id}b`;
  const c = `vlm${id}c`;
  const monitor = new KernelMonitor();

  before(async () => {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('link', 'add', 'name', 'va', 'netns', a, 'type', 'veth', 'peer', 'name', 'vb', 'netns', b);
    ipBatch(['-n', a], ['addr add 10.231.0.1/24 dev va', 'link set va up']);
    ipBatch(['-n', b], ['addr add 10.231.0.2/24 dev vb', 'link set vb up']);
    assert.equal(await monitor.start(), true, 'start() saw ip monitor listening');
  });

  after(async () => {
    await monitor.stop();
    removeAll([a, b, c], [`vlm${id}r`]);
  });

  test('ensureWatched gives an nsid to namespaces without one, once', async () => {
    const assigned = await monitor.ensureWatched([a, b, 'no such name', `vlm${id}missing`]);
    const ids = ipJson<{ nsid: number; name?: string }[]>('netns', 'list-id');
    for (const n of [a, b]) assert.ok(ids.some((i) => i.name === n), `${n} has an nsid in the root`);
    assert.deepEqual(assigned.filter((n) => ![a, b].includes(n)), [], 'only names that exist are assigned');
    assert.deepEqual(await monitor.ensureWatched([a, b]), [], 'nothing left to assign');
  });

  test('link down and up', async () => {
    const ms = await reported(monitor, a, () => ip('-n', a, 'link', 'set', 'va', 'down'));
    assert.ok(ms < REPORT_WITHIN_MS, `down reported after ${ms} ms`);
    const ms2 = await reported(monitor, a, () => ip('-n', a, 'link', 'set', 'va', 'up'));
    assert.ok(ms2 < REPORT_WITHIN_MS, `up reported after ${ms2} ms`);
  });

  test('an address added', async () => {
    const ms = await reported(monitor, b, () => ip('-n', b, 'addr', 'add', '10.231.0.7/24', 'dev', 'vb'));
    assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
  });

  test('a veth pair added by hand inside a namespace', async () => {
    const ms = await reported(monitor, b, () => ip('-n', b, 'link', 'add', 'name', 'x1', 'type', 'veth', 'peer', 'name', 'y1'));
    assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
  });

  test('a route added', async () => {
    const ms = await reported(monitor, a, () => ip('-n', a, 'route', 'add', '10.232.0.0/24', 'via', '10.231.0.2'));
    assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
  });

  test('a change in the root namespace is reported as such', async () => {
    const { emits, off } = recorder(monitor);
    try {
      // A veth pair of the test's own, in the root, removed at once.
      ip('link', 'add', 'name', `vlm${id}r`, 'type', 'veth', 'peer', 'name', `vlm${id}s`);
      ip('link', 'del', `vlm${id}r`);
      await until('a change reported in the root', () => emits.some((e) => e.root), { timeoutMs: REPORT_WITHIN_MS, everyMs: 5 });
    } finally {
      off();
    }
  });

  test('ten quick changes make one or two emits', async () => {
    const { emits, off } = recorder(monitor);
    try {
      ipBatch(['-n', a], Array.from({ length: 10 }, (_, i) => `addr add 10.231.1.${i + 1}/24 dev va`));
      await new Promise((r) => setTimeout(r, COALESCE_MS * 10));
      const ours = emits.filter((e) => e.names.has(a));
      assert.ok(ours.length >= 1 && ours.length <= 2, `${ours.length} emits`);
    } finally {
      off();
    }
  });

  test('a namespace added and watched is reported by name, and so are its changes', async () => {
    const ms = await reported(monitor, c, () => ip('netns', 'add', c));
    assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
    assert.deepEqual(await monitor.ensureWatched([c]), [c]);
    const ms2 = await reported(monitor, c, () => ip('-n', c, 'link', 'add', 'name', 'd0', 'type', 'veth', 'peer', 'name', 'd1'));
    assert.ok(ms2 < REPORT_WITHIN_MS, `reported after ${ms2} ms`);
  });

  test('ip netns del: the namespace, and the one that loses the peer', async () => {
    const { emits, off } = recorder(monitor);
    try {
      const ms = await reported(monitor, b, () => ip('netns', 'del', b));
      assert.ok(ms < REPORT_WITHIN_MS, `deletion reported after ${ms} ms`);
      await until(`${a}, which lost its veth end, to be reported`, () => emits.some((e) => e.names.has(a)), { timeoutMs: REPORT_WITHIN_MS, everyMs: 5 });
    } finally {
      off();
    }
  });

  test('events the kernel dropped (a stalled monitor overflowed) lead to a full change', async () => {
    const lost: string[] = [];
    const onLost = (m: string) => lost.push(m);
    monitor.on('events-lost', onLost);
    const { emits, off } = recorder(monitor);
    const pid = monitor.pid!;
    try {
      process.kill(pid, 'SIGSTOP');
      // Link messages are over a kilobyte each: a few thousand overflow the monitor's socket buffer.
      ipBatch(['-n', a], Array.from({ length: 6000 }, (_, i) => `link set lo mtu ${65535 + (i % 2)}`));
      process.kill(pid, 'SIGCONT');
      await until('events-lost, then everything reported', () => lost.length > 0 && emits.some((e) => e.root && e.names.has(a)), { timeoutMs: 3000, everyMs: 10 });
      assert.equal(monitor.pid, pid, 'the monitor goes on');
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {}
      monitor.off('events-lost', onLost);
      off();
    }
  });

  test('a killed ip monitor is restarted, and a full change follows', async () => {
    const exits: number[] = [];
    monitor.on('monitor-exit', (e) => exits.push(e.delayMs));
    const { emits, off } = recorder(monitor);
    try {
      const pid = monitor.pid!;
      process.kill(pid, 'SIGKILL');
      await until('everything reported after the restart', () => emits.some((e) => e.root && e.names.has(a)), { timeoutMs: RESTART_BACKOFF_MS + 2000, everyMs: 10 });
      assert.deepEqual(exits, [RESTART_BACKOFF_MS]);
      assert.notEqual(monitor.pid, pid);
      // va went with its peer's namespace; lo is left.
      const ms = await reported(monitor, a, () => ip('-n', a, 'addr', 'add', '10.231.9.1/32', 'dev', 'lo'));
      assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
    } finally {
      off();
    }
  });
});

describe('KernelMonitor in a lab machine (root)', () => {
  let dir = '';
  let lab: LabMachine | undefined;
  let monitor: KernelMonitor | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vethlab-monitor-lab-'));
    lab = new LabMachine({ dir: path.join(dir, 'lab'), name: `vlm${randomSuffix()}` });
    await lab.ensure();
  });

  after(async () => {
    await monitor?.stop();
    await lab?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  test('start() resolves once ip monitor listens behind nsenter, and a change made next is reported', async () => {
    const machine = lab!.machine();
    monitor = new KernelMonitor({ machine });
    // Waiting for nsenter itself to sleep, it gave up after MONITOR_READY_TIMEOUT_MS every time: ip was never seen.
    assert.equal(await monitor.start(), true, 'start() saw ip monitor listening');
    const ms = await reported(monitor, 'ns1', () => {
      execFileSync(machine.exec[0], [...machine.exec.slice(1), 'ip', 'netns', 'add', 'ns1']);
      execFileSync(machine.exec[0], [...machine.exec.slice(1), 'ip', '-n', 'ns1', 'link', 'set', 'lo', 'up']);
    });
    assert.ok(ms < REPORT_WITHIN_MS, `reported after ${ms} ms`);
  });
});

describe('NetnsDirWatcher (no root needed)', () => {
  test('a directory that does not exist yet is waited for, then watched', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'vethlab-netnsdir-'));
    const dir = path.join(parent, 'netns');
    const watcher = new NetnsDirWatcher(dir);
    const seen: string[][] = [];
    watcher.on('change', (names) => seen.push(names));
    const reports = (pred: () => boolean) =>
      until('the watcher to report it', () => {
        if (pred()) return true;
        throw new Error(`reported so far: ${JSON.stringify(seen)}`);
      }, { timeoutMs: 2000, everyMs: 5 });
    try {
      watcher.start();
      assert.deepEqual(watcher.names(), []);
      await mkdir(dir);
      await writeFile(path.join(dir, 'one'), '');
      await reports(() => seen.flat().includes('one'));
      assert.deepEqual(watcher.names(), ['one']);
      await writeFile(path.join(dir, 'two'), '');
      await reports(() => seen.flat().includes('two'));
      // 'one' may have been reported twice already (the directory appearing, then the file): wait for its removal itself.
      const reportsOfOne = seen.flat().filter((n) => n === 'one').length;
      await unlink(path.join(dir, 'one'));
      await reports(() => seen.flat().filter((n) => n === 'one').length > reportsOfOne && !watcher.names().includes('one'));
      assert.deepEqual(watcher.names(), ['two']);
      // Same name, new file: a new namespace, reported although the name never left.
      seen.length = 0;
      await unlink(path.join(dir, 'two'));
      await writeFile(path.join(dir, 'two'), '');
      await reports(() => seen.flat().includes('two'));
    } finally {
      watcher.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
