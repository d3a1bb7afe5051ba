/** Persistent ip readers on the real kernel (root): same answers as a spawned ip, and never a namespace kept alive. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { NamespaceReaders, processNetnsInode, readNamespaceWith } from '../../server/kernel/namespace-readers';
import { readNamespace } from '../../server/kernel/observe';
import type { NamespaceReading } from '../../server/kernel/ip-json';
import { randomSuffix, removeAll } from '../support/kernel';
import { until } from '../support/wait';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Processes whose command line names any of these namespaces. */
function processesNaming(names: string[]): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (names.some((n) => cmd.split(' ').includes(n))) out.push({ pid: Number(entry), cmd });
  }
  return out;
}

/** A reading without what changes by itself: counters and address lifetimes. */
function stable(r: NamespaceReading): unknown {
  return {
    ...r,
    links: r.links.map(({ stats64, addr_info, ...rest }) => ({
      ...rest,
      addr_info: (addr_info ?? []).map(({ valid_life_time, preferred_life_time, ...a }: any) => a),
    })),
  };
}


function hasLink(netns: string, name: string): boolean {
  try {
    execFileSync('ip', ['-n', netns, 'link', 'show', 'dev', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('NamespaceReaders (root)', () => {
  const id = randomSuffix();
  const a = `vlr${id}a`;
  const b = `vlr${id}b`;
  const c = `vlr${id}c`;
  const all = [a, b, c];
  const readers = new NamespaceReaders();

  before(async () => {
    for (const n of [a, b]) ip('netns', 'add', n);
    ip('link', 'add', 'name', 'ra', 'netns', a, 'type', 'veth', 'peer', 'name', 'rb', 'netns', b);
    execFileSync('ip', ['-n', a, '-batch', '-'], { input: 'addr add 10.233.0.1/24 dev ra\nlink set ra up\nroute add 10.234.0.0/24 via 10.233.0.2\n' });
    execFileSync('ip', ['-n', b, '-batch', '-'], { input: 'addr add 10.233.0.2/24 dev rb\nlink set rb up\nlink set lo up\n' });
    // The kernel gives the pair its carrier a moment after both ends are up: two readings across that moment differ.
    const up = (ns: string, dev: string) => JSON.parse(execFileSync('ip', ['-n', ns, '-json', 'link', 'show', 'dev', dev], { encoding: 'utf8' }))[0].operstate === 'UP';
    await until('the pair to have its carrier', () => up(a, 'ra') && up(b, 'rb'), { timeoutMs: 5000, everyMs: 10 });
  });

  after(async () => {
    await readers.closeAll();
    removeAll(all);
  });

  test('a read equals readNamespace(), for a namespace and for the root', async () => {
    // The root is this file's own (scripts/test.mjs runs it in a private host): no other file changes it.
    for (const ns of [a, b, undefined]) {
      const [fast, slow] = await Promise.all([readNamespaceWith(readers, ns), readNamespace(ns)]);
      assert.deepEqual(stable(fast), stable(slow), `namespace ${ns ?? 'root'}`);
    }
    assert.deepEqual(readers.open(), [a, b, undefined].sort());
  });

  test('the reader stays: the second read uses the same process, in the right namespace', async () => {
    const before = readers.pids();
    await readNamespaceWith(readers, a);
    assert.deepEqual(readers.pids(), before);
    const pidA = readers.pids().find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(a))!;
    assert.equal(processNetnsInode(pidA), statSync(`/run/netns/${a}`).ino);
  });

  test('reads in flight together are answered each with its own result', async () => {
    const cmds = [['link show'], ['route show'], ['addr show', 'netns list-id'], ['link show dev ra']];
    const results = await Promise.all(cmds.map((c) => readers.read(a, c)));
    assert.deepEqual(results.map((r) => r.length), [1, 1, 2, 1]);
    assert.equal((results[3][0] as any[])[0].ifname, 'ra');
    assert.ok((results[1][0] as any[]).some((r) => r.dst === '10.234.0.0/24'));
  });

  test('a failing command rejects, drops the reader, and the next read starts a new one', async () => {
    await readers.read(b, ['link show']);
    const pidB = readers.pids().find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(b));
    await assert.rejects(readers.read(b, ['link show dev nosuchdev']), /nosuchdev|does not exist/);
    assert.ok(!readers.open().includes(b));
    const [links] = (await readers.read(b, ['link show dev rb'])) as any[][];
    assert.equal(links[0].ifname, 'rb');
    assert.ok(!readers.pids().includes(pidB!));
  });

  test('changing commands run through a running reader; a failure names its command, and reads go on', async () => {
    await readers.read(b, ['link show']);
    assert.ok(readers.has(b));
    assert.deepEqual(await readers.execute(b, ['addr add 10.233.9.1/32 dev lo']), { ok: true });
    const r = await readers.execute(b, ['addr add 10.233.9.2/32 dev lo', 'addr add 10.233.9.3/32 dev nosuchdev', 'addr add 10.233.9.4/32 dev lo']);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.failedAt, 1, 'the second command, counted from this call, not from the reader\'s start');
      assert.match(r.message, /nosuchdev/);
      assert.doesNotMatch(r.message, /Command failed/);
    }
    const [addrs] = (await readers.read(b, ['addr show dev lo'])) as any[][];
    const locals = addrs[0].addr_info.map((x: { local: string }) => x.local);
    assert.ok(locals.includes('10.233.9.1') && locals.includes('10.233.9.2') && !locals.includes('10.233.9.4'), JSON.stringify(locals));
  });

  test('bad input is refused without reaching ip', async () => {
    await assert.rejects(readers.read(a, ['link show\nlink del ra']), /single ip command/);
    await assert.rejects(readers.read(a, ['']), /single ip command/);
    await assert.rejects(readers.read(`vlr${id}missing`, ['link show']), /does not exist/);
    assert.ok(hasLink(a, 'ra'));
  });

  test('ip netns del: the reader is closed on its own, and the namespace really goes (its peer with it)', async () => {
    ip('netns', 'add', c);
    ip('link', 'add', 'name', 'rc', 'netns', a, 'type', 'veth', 'peer', 'name', 'rd', 'netns', c);
    await readers.read(c, ['link show']);
    assert.ok(readers.open().includes(c));
    ip('netns', 'del', c);
    await until('the reader closed by the directory watch', () => !readers.open().includes(c), { timeoutMs: 1000, everyMs: 10 });
    await until("the peer's end to disappear: nothing kept the namespace alive", () => !hasLink(a, 'rc'), { timeoutMs: 1000, everyMs: 10 });
    assert.deepEqual(processesNaming([c]), []);
  });

  test('counters come from /proc of the reader in the namespace, equal to ip -s link; none before a reader runs', async () => {
    await readers.close(b);
    assert.equal(readers.counters(b), undefined, 'no reader in b yet');
    execFileSync('ip', ['netns', 'exec', a, 'ping', '-c', '3', '-i', '0.2', '-q', '10.233.0.2'], { stdio: 'ignore' });
    const viaIp = async () => {
      const [links] = (await readers.read(b, ['link show'])) as any[][];
      const { rx, tx } = links.find((l) => l.ifname === 'rb').stats64;
      return { rxBytes: rx.bytes, rxPackets: rx.packets, txBytes: tx.bytes, txPackets: tx.packets };
    };
    // The link may send a packet of its own (IPv6 neighbour discovery) at any time: /proc's
    // counters are read between two readings of ip's, and lie between them.
    const low = await viaIp();
    const fromProc = readers.counters(b)!;
    const high = await viaIp();
    const rb = fromProc.find((c) => c.ifname === 'rb')!;
    for (const k of ['rxBytes', 'rxPackets', 'txBytes', 'txPackets'] as const) {
      assert.ok(low[k] <= rb[k] && rb[k] <= high[k], `rb ${k}: ${rb[k]} from /proc, ${low[k]} then ${high[k]} from ip -s link`);
    }
    assert.ok(low.rxPackets >= 3, `rb received the pings: ${low.rxPackets}`);
    assert.deepEqual(fromProc.map((c) => c.ifname).sort(), ['lo', 'rb']);
  });

  test('sync closes the reader of a name the listing shows with another inode', async () => {
    await readers.read(a, ['link show']);
    await readers.read(b, ['link show']);
    const inode = (n: string) => statSync(`/run/netns/${n}`).ino;
    await readers.sync([{ name: a, inode: inode(a) }, { name: b, inode: inode(b) + 1 }]);
    assert.deepEqual(readers.open(), [a, undefined].sort());
  });

  test('sync closes readers of namespaces no longer listed', async () => {
    await readers.read(a, ['link show']);
    await readers.read(b, ['link show']);
    await readers.sync([a]);
    assert.deepEqual(readers.open(), [a, undefined].sort());
    assert.deepEqual(processesNaming([b]).filter((p) => p.cmd.includes('-batch')), []);
  });

  test('a namespace deleted and recreated under the same name is read afresh', async () => {
    ip('netns', 'add', c);
    await readers.read(c, ['link show']);
    const old = readers.pids();
    ip('netns', 'del', c);
    ip('netns', 'add', c);
    ip('-n', c, 'link', 'add', 'name', 'fresh0', 'type', 'veth', 'peer', 'name', 'fresh1');
    const [links] = (await readers.read(c, ['link show'])) as any[][];
    assert.ok(links.some((l) => l.ifname === 'fresh0'), 'read the new namespace, not the old one');
    const pidC = readers.pids().find((p) => !old.includes(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes(c))!;
    assert.equal(processNetnsInode(pidC), statSync(`/run/netns/${c}`).ino);
  });

  test('closeAll leaves no ip process behind', async () => {
    await Promise.all([a, b, c, undefined].map((n) => readers.read(n, ['link show'])));
    assert.equal(readers.pids().length, 4);
    await readers.closeAll();
    assert.deepEqual(readers.open(), []);
    assert.deepEqual(processesNaming(all), []);
    // A read that comes late (a meter's round after the server stopped) starts no process nobody would end.
    await assert.rejects(readers.read(a, ['link show']), /closed/);
    assert.deepEqual(readers.pids(), []);
    assert.deepEqual(processesNaming(all), []);
  });
});
