/**
 * The projector page's pure parts, without a browser: undo of a delete as a
 * desired topology, smoothed traffic rates, which side a cable leaves from,
 * errors as a person reads them, the shortcut list, and what an empty lab says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkKey, type Topology } from '../../server/model/topology';
import { deleteUndo, undoTopology } from '../../components/lib/undo-delete';
import { smoothTraffic } from '../../components/lab/traffic-smoothing';
import { cableSides } from '../../components/hooks/useFlowElements';
import { readableError } from '../../components/hooks/useToasts';
import { SHORTCUTS, shortcutFor } from '../../components/view/shortcuts';
import { sameAddressWarning, takenProblem } from '../../components/lib/validate';
import { fitPadding } from '../../components/canvas/fit-padding';
import { emptyNoteFor } from '../../components/canvas/empty-note';
import type { TrafficRate } from '../../server/protocol';

const up = (addresses: string[] = []) => ({ addresses, up: true });

function lab(): Topology {
  return {
    name: 't',
    nodes: {
      a: { kind: 'netns', position: { x: 0, y: 0 }, interfaces: { veth0: up(['10.0.1.1/24']), veth2: up(['10.0.2.1/24']) }, routes: [{ to: 'default', via: '10.0.1.2' }] },
      b: { kind: 'netns', position: { x: 300, y: 0 }, interfaces: { veth1: up(['10.0.1.2/24']) }, routes: [{ to: '10.0.9.0/24', dev: 'veth1' }] },
      c: { kind: 'netns', position: { x: 600, y: 0 }, interfaces: { veth3: up(['10.0.2.2/24']) }, routes: [] },
    },
    links: [
      { endpoints: [{ node: 'a', iface: 'veth0' }, { node: 'b', iface: 'veth1' }] },
      { endpoints: [{ node: 'a', iface: 'veth2' }, { node: 'c', iface: 'veth3' }] },
    ],
  };
}

/** What the kernel would show after deleting a node: it, its cables and their other ends gone. */
function withoutNode(t: Topology, node: string): Topology {
  const out = structuredClone(t);
  const cut = out.links.filter((l) => l.endpoints.some((e) => e.node === node));
  delete out.nodes[node];
  for (const l of cut) for (const e of l.endpoints) if (out.nodes[e.node]) {
    delete out.nodes[e.node].interfaces[e.iface];
    out.nodes[e.node].routes = out.nodes[e.node].routes.filter((r) => r.dev !== e.iface);
  }
  out.links = out.links.filter((l) => !cut.includes(l));
  return out;
}

test('undo of a node delete: the node, its cables, the far ends and their routes come back; later edits stay', () => {
  const before = lab();
  const undo = deleteUndo(before, { node: 'b' });
  assert.equal(undo.what, 'b and its 1 cable');
  const after = withoutNode(before, 'b');
  // Meanwhile someone else added a node: undo must not take it away.
  after.nodes.d = { kind: 'netns', interfaces: {}, routes: [] };
  const restored = undoTopology(after, undo);
  assert.ok(restored.nodes.b && restored.nodes.d, 'b is back and d stays');
  assert.deepEqual(restored.nodes.b.interfaces.veth1.addresses, ['10.0.1.2/24']);
  assert.deepEqual(restored.nodes.b.routes, [{ to: '10.0.9.0/24', dev: 'veth1' }]);
  assert.ok(restored.nodes.a.interfaces.veth0, "a's end of the cable is back");
  assert.deepEqual(restored.links.map(linkKey).sort(), before.links.map(linkKey).sort());
});

test('undo of a node delete that took the far end of a cable brings that end and its routes back', () => {
  const before = lab();
  const undo = deleteUndo(before, { node: 'a' });
  assert.equal(undo.links.length, 2);
  const restored = undoTopology(withoutNode(before, 'a'), undo);
  assert.deepEqual(restored.nodes.a.routes, [{ to: 'default', via: '10.0.1.2' }]);
  assert.ok(restored.nodes.b.interfaces.veth1 && restored.nodes.c.interfaces.veth3, 'both far ends are back');
  assert.equal(restored.links.length, 2);
});

test('undo of a cable delete; a name taken meanwhile is not overwritten', () => {
  const before = lab();
  const key = linkKey(before.links[0]);
  const undo = deleteUndo(before, { link: key });
  assert.equal(undo.what, 'the cable veth0 ⟷ veth1');
  const after = structuredClone(before);
  after.links = [after.links[1]];
  delete after.nodes.a.interfaces.veth0;
  delete after.nodes.b.interfaces.veth1;
  assert.ok(undoTopology(after, undo).links.some((l) => linkKey(l) === key), 'the cable is back');
  // A node deleted, then made again by someone else under its name: theirs wins.
  const nodeUndo = deleteUndo(before, { node: 'c' });
  const remade = withoutNode(before, 'c');
  remade.nodes.c = { kind: 'router', interfaces: {}, routes: [] };
  assert.equal(undoTopology(remade, nodeUndo).nodes.c.kind, 'router');
});

const rate = (pps: number): TrafficRate => ({ node: 'a', iface: 'veth0', rxPps: pps, txPps: pps, rxBps: pps * 98, txBps: pps * 98, rxPackets: 10, txPackets: 12 });

test('smoothed rates: a ping sampled 0, 2, 1, 0 keeps a rate; a silent interface fades, then goes', () => {
  let t: Record<string, TrafficRate> = {};
  const seen: number[] = [];
  for (const pps of [1, 0, 2, 1, 0, 2]) {
    t = smoothTraffic(t, [rate(pps)]);
    seen.push(t['a:veth0'].txPps);
  }
  assert.ok(seen.every((x) => x >= 0.5), `never below the label's 0.5 pkt/s: ${seen}`);
  assert.equal(t['a:veth0'].txPackets, 12, 'counters are passed through, not averaged');
  // Not sent any more (the server stops sending an idle interface): it fades out.
  let rounds = 0;
  while (t['a:veth0'] && rounds < 20) {
    t = smoothTraffic(t, []);
    rounds += 1;
  }
  assert.ok(rounds > 1 && rounds < 20, `faded out in ${rounds} rounds`);
});

test('cables leave from the sides that face each other, and both from the right when stacked', () => {
  assert.deepEqual(cableSides({ x: 0, y: 0 }, 200, { x: 400, y: 0 }, 200), ['r', 'l']);
  assert.deepEqual(cableSides({ x: 400, y: 0 }, 200, { x: 0, y: 0 }, 200), ['l', 'r']);
  assert.deepEqual(cableSides({ x: 0, y: 0 }, 200, { x: 50, y: 300 }, 200), ['r', 'r']);
});

test('errors read as sentences: the protocol field goes, a file path stays', () => {
  assert.equal(readableError('rename: the name veth1 is taken'), 'The name veth1 is taken');
  assert.equal(readableError('nodes.ns1.interfaces: bad'), 'nodes.ns1.interfaces: bad');
  assert.equal(readableError('steps[0].checks[0]: line 6: bad'), 'steps[0].checks[0]: line 6: bad');
  assert.equal(readableError('"ip ..." failed'), '"ip ..." failed');
});

test('while typing: a taken name, and an address another interface has in its subnet', () => {
  assert.match(takenProblem('b', ['a', 'b'], 'the name of another node')!, /already the name of another node/);
  assert.equal(takenProblem('z', ['a', 'b'], 'x'), null);
  assert.match(sameAddressWarning(lab(), { node: 'c', iface: 'veth3' }, '10.0.1.2/24')!, /also on b:veth1/);
  assert.equal(sameAddressWarning(lab(), { node: 'b', iface: 'veth1' }, '10.0.1.2/24'), null, 'its own address is no clash');
  assert.equal(sameAddressWarning(lab(), { node: 'c', iface: 'veth3' }, '10.0.1.9/24'), null);
});

test('shortcuts: one action per key, and the modifiers matter', () => {
  const keys = SHORTCUTS.map((s) => s.keys);
  assert.equal(new Set(keys).size, keys.length, 'no key listed twice');
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => shortcutFor({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods })?.action;
  assert.equal(key('p'), 'present');
  assert.equal(key('P'), 'present');
  assert.equal(key('z', { ctrlKey: true }), 'undo');
  assert.equal(key('p', { ctrlKey: true }), undefined, 'Ctrl P is the browser’s print');
  assert.equal(key('Backspace'), 'delete');
  assert.equal(key('?'), 'help');
});

test('fit padding keeps the mini map clear on the side that costs the diagram less', () => {
  assert.equal(fitPadding(false, { width: 900, height: 400 }, { width: 800, height: 500 }).bottom, '40px', 'no map, no room for it');
  // A tall lab on a wide canvas: the strip beside the map goes, the height stays.
  const wide = fitPadding(true, { width: 920, height: 430 }, { width: 800, height: 500 });
  assert.deepEqual([wide.right, wide.bottom], ['200px', '40px']);
  // A wide lab on a tall canvas: the strip below the map goes.
  const tall = fitPadding(true, { width: 900, height: 900 }, { width: 1600, height: 300 });
  assert.deepEqual([tall.right, tall.bottom], ['40px', '140px']);
});

test("an empty lab's note: the lesson's Lab terminal in a lab machine, nothing to do on a view link, the canvas's own gestures otherwise", () => {
  let opened = 0;
  const lesson = emptyNoteFor(false, () => opened++);
  assert.match(lesson.title, /Lab terminal/);
  lesson.action!.run();
  assert.equal(opened, 1, 'its button opens the Lab terminal');
  const view = emptyNoteFor(true, () => opened++);
  assert.equal(view.title, 'This lab is empty');
  assert.equal(view.action, undefined, 'a view link offers nothing to press, lesson or not');
  const plain = emptyNoteFor(false);
  assert.equal(plain.title, 'Add a namespace or load an example');
  assert.equal(plain.action, undefined);
});
