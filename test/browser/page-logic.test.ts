/**
 * The page's pure parts, without a browser: the layered auto layout, cable
 * label placement, the inspector's checks, and the terminal hub's attach and
 * output ordering against a stand-in socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Topology } from '../../server/model/topology';
import { autoLayout } from '../../components/lib/auto-layout';
import { effectivePositions, freeSlotInView } from '../../components/lib/positions';
import { placeLabel } from '../../components/edges/label-placement';
import { addressListProblems, routeProblems } from '../../components/lib/validate';
import { TerminalHub, type TerminalSink } from '../../components/lab/terminal-hub';

function star(): Topology {
  const iface = { addresses: [], up: true };
  return {
    name: 't',
    nodes: {
      host: { kind: 'host', interfaces: { 'vl-a': iface, 'vl-b': iface }, routes: [] },
      a: { kind: 'netns', interfaces: { eth0: iface, eth1: iface }, routes: [] },
      b: { kind: 'netns', interfaces: { eth0: iface }, routes: [] },
      c: { kind: 'netns', interfaces: { eth0: iface }, routes: [] },
      lonely: { kind: 'netns', interfaces: {}, routes: [] },
    },
    links: [
      { endpoints: [{ node: 'host', iface: 'vl-a' }, { node: 'a', iface: 'eth0' }] },
      { endpoints: [{ node: 'host', iface: 'vl-b' }, { node: 'b', iface: 'eth0' }] },
      { endpoints: [{ node: 'a', iface: 'eth1' }, { node: 'c', iface: 'eth0' }] },
    ],
  };
}

test('auto layout: host first, then one column per hop, unlinked nodes below', () => {
  const p = autoLayout(star());
  assert.ok(p.host.x < p.a.x && p.a.x === p.b.x, 'a and b one hop from the host share a column');
  assert.ok(p.c.x > p.a.x, 'c is two hops away');
  assert.notEqual(p.a.y, p.b.y, 'nodes of one column do not overlap');
  const linkedBottom = Math.max(...['host', 'a', 'b', 'c'].map((n) => p[n].y));
  assert.ok(p.lonely.y > linkedBottom, 'a node without links goes below the linked ones');
});

test('positions: stored ones win, missing ones get free slots, new nodes land in view', () => {
  const t = star();
  t.nodes.a.position = { x: 40, y: 40 };
  const p = effectivePositions(t, { b: { x: 999, y: 5 } });
  assert.deepEqual(p.a, { x: 40, y: 40 });
  assert.deepEqual(p.b, { x: 999, y: 5 });
  const others = Object.entries(p).filter(([n]) => n !== 'a').map(([, q]) => q);
  assert.ok(others.every((q) => q.x !== 40 || q.y !== 40), 'no node is put on top of a stored one');
  const slot = freeSlotInView({ x: 0, y: 0, width: 900, height: 500 }, [{ x: 30, y: 30 }]);
  assert.ok(slot && slot.x > 30 && slot.x + 250 <= 900, 'the slot is inside the view and not on the taken one');
  assert.equal(freeSlotInView({ x: 0, y: 0, width: 200, height: 100 }, []), null, 'a view too small has no slot');
});

test('cable labels sit on the cable when there is room, else below the nodes', () => {
  assert.deepEqual(placeLabel({ x: 100, y: 50 }, 0, 300, 150, [80, 90]), { x: 100, y: 50 });
  const hung = placeLabel({ x: 100, y: 50 }, 50, 150, 150, [80, 90]);
  assert.equal(hung.x, 100);
  assert.ok(hung.y > 90 && hung.leaderFrom, 'hung below the lower node, with a leader');
});

test('address and route checks', () => {
  assert.deepEqual(addressListProblems(['10.0.1.0/24', 'fd00::1/64']), [null, null]);
  const [noLen, bad, dup1, dup2] = addressListProblems(['10.0.1.1', '10.0.1.300/24', '10.0.1.2/24', '10.0.1.2/24']);
  assert.match(noLen!, /prefix length/);
  assert.ok(bad);
  assert.equal(dup1, null);
  assert.match(dup2!, /twice/);
  assert.deepEqual(routeProblems({ to: 'default', via: '10.0.1.1', dev: '' }, ['eth0']), {});
  assert.ok(routeProblems({ to: 'default', via: '', dev: '' }, ['eth0']).via, 'a route needs via or dev');
  assert.ok(routeProblems({ to: '10.0.2.1/24', via: '', dev: 'eth0' }, ['eth0']).to, 'host bits are refused');
  assert.ok(routeProblems({ to: 'default', via: 'fd00::1', dev: '' }, []).via, 'an IPv6 gateway for an IPv4 route');
});

/** Just enough of a socket.io client for the hub: events in, emits and acknowledgements out. */
class FakeSocket extends EventEmitter {
  connected = true;
  sent: [string, unknown][] = [];
  acks = new Map<string, (payload: unknown) => unknown>();
  pending: { resolve(v: unknown): void; ev: string; payload: unknown }[] = [];
  emit(ev: string, ...args: unknown[]): boolean {
    if (['terminal-list', 'terminal-output', 'terminal-exit', 'disconnect'].includes(ev)) return super.emit(ev, ...args);
    this.sent.push([ev, args[0]]);
    return true;
  }
  timeout() {
    return { emitWithAck: (ev: string, payload: unknown) => new Promise((resolve) => this.pending.push({ resolve, ev, payload })) };
  }
  answer(ev: string, reply: unknown): void {
    const i = this.pending.findIndex((p) => p.ev === ev);
    assert.ok(i >= 0, `a pending ${ev}`);
    this.pending.splice(i, 1)[0].resolve(reply);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

test('terminal hub: attach once, drop output until the scrollback, then stream; exit says why', async () => {
  const socket = new FakeSocket();
  let tabs: { id: string; ended: boolean }[] = [];
  const hub = new TerminalHub(socket as never, (t) => (tabs = t));
  const written: string[] = [];
  const sink: TerminalSink = { reset: () => written.push('<reset>'), write: (d, counted) => written.push(counted ? d : `[${d}]`) };

  socket.emit('terminal-list', [{ id: 't1', node: 'a', title: 'a', alive: true }]);
  assert.equal(tabs.length, 1);
  assert.equal(socket.pending.filter((p) => p.ev === 'terminal-attach').length, 1, 'attached once');
  socket.emit('terminal-list', [{ id: 't1', node: 'a', title: 'a', alive: true }]);
  assert.equal(socket.pending.filter((p) => p.ev === 'terminal-attach').length, 1, 'a second list does not attach again');

  socket.emit('terminal-output', { id: 't1', data: 'early' }); // also in the scrollback
  socket.answer('terminal-attach', { ok: true, scrollback: 'history' });
  await tick();
  socket.emit('terminal-output', { id: 't1', data: 'live' });
  hub.connectSink('t1', sink);
  assert.deepEqual(written, ['<reset>', '[history]', 'live'], 'buffered until the view mounts, early output not doubled');

  socket.emit('terminal-exit', { id: 't1', reason: 'namespace a was deleted' });
  assert.match(written.at(-1)!, /\[namespace a was deleted\]/);
  assert.equal(tabs[0].ended, true);

  hub.close('t1');
  assert.deepEqual(socket.sent.at(-1), ['terminal-close', { id: 't1' }]);
  assert.equal(tabs.length, 0);
});

test('packet rows stay in capture order when one capture delivers after another', async () => {
  const { mergeByTime } = await import('../../components/packets/packet-store');
  const p = (id: number, time: number) => ({ id, time }) as never;
  const rows = [p(1, 10), p(2, 20), p(3, 30)];
  assert.deepEqual(mergeByTime(rows, [p(4, 40), p(5, 50)]).map((r: { id: number }) => r.id), [1, 2, 3, 4, 5]);
  assert.deepEqual(mergeByTime(rows, [p(4, 25), p(5, 35)]).map((r: { id: number }) => r.id), [1, 2, 4, 3, 5]);
  assert.deepEqual(mergeByTime(rows, [p(5, 35), p(4, 5)]).map((r: { id: number }) => r.id), [4, 1, 2, 3, 5]);
  assert.equal(mergeByTime(rows, []), rows);
});

test('dots are capped per second and in the air; step mode queues them until "next"', async () => {
  const { usePackets, MAX_DOTS_PER_SECOND, MAX_FLIGHTS } = await import('../../components/packets/packet-store');
  const s = usePackets.getState();
  s.clear();
  s.setSpeed(1);
  const packet = (id: number) => ({ id, time: id, node: 'a', iface: 'veth0', direction: 'out', link: 'a:veth0 <-> b:veth1', from: 'a:veth0', to: 'b:veth1', length: 98, protocol: 'ICMP', layers: [], summary: '', src: '', dst: '', key: `k${id}` }) as never;
  usePackets.getState().receive({ packets: Array.from({ length: 1000 }, (_, i) => packet(i + 1)), seen: 5000, every: 5 });
  const after = usePackets.getState();
  assert.equal(after.rows.length, 1000);
  assert.equal(after.flights.length, Math.min(MAX_DOTS_PER_SECOND, MAX_FLIGHTS));
  assert.equal(after.dotsSkipped, 1000 - after.flights.length);
  assert.equal(after.every, 5);
  assert.equal(after.seen, 5000);

  usePackets.getState().setSpeed('step');
  assert.equal(usePackets.getState().flights.length, 0);
  usePackets.getState().receive({ packets: [packet(2001), packet(2002)], seen: 2, every: 1 });
  assert.equal(usePackets.getState().queued.length, 2);
  assert.equal(usePackets.getState().flights.length, 0, 'nothing moves until next');
  usePackets.getState().step();
  assert.deepEqual(usePackets.getState().flights.map((f) => f.id), [2001]);
  assert.equal(usePackets.getState().queued.length, 1);
  usePackets.getState().land([2001]);
  assert.equal(usePackets.getState().flights.length, 0);

  // Following a packet marks the cables of every sighting, also those that arrive later.
  usePackets.getState().setSpeed(1);
  usePackets.getState().select(usePackets.getState().rows[0]);
  assert.deepEqual([...usePackets.getState().followedLinks], ['a:veth0 <-> b:veth1']);
  usePackets.getState().receive({ packets: [{ ...(packet(3000) as object), key: 'k1', link: 'b:veth2 <-> c:veth3', from: 'b:veth2' } as never], seen: 1, every: 1 });
  assert.deepEqual([...usePackets.getState().followedLinks].sort(), ['a:veth0 <-> b:veth1', 'b:veth2 <-> c:veth3']);
  usePackets.getState().clear();
});
