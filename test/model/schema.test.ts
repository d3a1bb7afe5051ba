import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_ADDRESSES_PER_INTERFACE,
  MAX_LINKS,
  MAX_NODES,
  MAX_ROUTES_PER_NODE,
  formatErrors,
  parseTopologyObject,
  validateTopology,
  type Result,
  type TopologyError,
} from '../../server/model/schema';
import type { Topology } from '../../server/model/topology';

function ok(result: Result): Topology {
  if (!result.ok) assert.fail(`expected a valid topology, got:\n${formatErrors(result.errors)}`);
  return result.topology;
}

function errorsOf(result: Result): TopologyError[] {
  if (result.ok) assert.fail('expected errors, got a valid topology');
  return result.errors;
}

function errorAt(result: Result, path: string): TopologyError {
  const errors = errorsOf(result);
  const found = errors.find((e) => e.path === path);
  if (!found) assert.fail(`no error at ${path}; errors:\n${formatErrors(errors)}`);
  return found;
}

/** Two namespaces cabled together, the smallest valid lab with a link. */
function pair(): Record<string, unknown> {
  return {
    name: 'lab',
    nodes: {
      vnet0: { interfaces: { veth0: { addresses: ['10.0.1.1/24'] } } },
      vnet1: { interfaces: { veth1: { addresses: ['10.0.1.2/24'] } } },
    },
    links: [{ endpoints: ['vnet0:veth0', 'vnet1:veth1'] }],
  };
}

test('defaults are filled in', () => {
  const t = ok(parseTopologyObject({ name: 'lab', nodes: { a: null, b: {} } }));
  assert.deepEqual(t, {
    name: 'lab',
    nodes: { a: { kind: 'netns', interfaces: { lo: { addresses: [], up: true } }, routes: [] }, b: { kind: 'netns', interfaces: { lo: { addresses: [], up: true } }, routes: [] } },
    links: [],
  });
  assert.deepEqual(ok(parseTopologyObject({ name: 'empty' })), { name: 'empty', nodes: {}, links: [] });
});

test('the normalized form of a file', () => {
  const t = ok(
    parseTopologyObject({
      name: 'My lab 2.0',
      nodes: {
        vnet0: {
          position: { x: 10.4, y: -0.3 },
          interfaces: { veth0: { addresses: ['FD00:0:0::1/64', '10.0.1.2/24', '10.0.1.1/16'], up: false }, lo: null },
          routes: [
            { to: '0.0.0.0/0', via: '10.0.1.254' },
            { to: 'FD00:0:1::/64', via: 'FD00::FE', dev: 'veth0' },
            { to: '10.9.0.0/16', dev: 'lo' },
          ],
        },
        vnet1: { interfaces: { veth1: null } },
      },
      links: [{ endpoints: ['vnet0:veth0', 'vnet1:veth1'] }],
    }),
  );
  assert.deepEqual(t, {
    name: 'My lab 2.0',
    nodes: {
      vnet0: {
        kind: 'netns',
        position: { x: 10, y: 0 },
        interfaces: {
          veth0: { addresses: ['10.0.1.1/16', '10.0.1.2/24', 'fd00::1/64'], up: false },
          lo: { addresses: [], up: true },
        },
        routes: [
          { to: 'default', via: '10.0.1.254' },
          { to: 'fd00:0:1::/64', via: 'fd00::fe', dev: 'veth0' },
          { to: '10.9.0.0/16', dev: 'lo' },
        ],
      },
      vnet1: { kind: 'netns', interfaces: { lo: { addresses: [], up: true }, veth1: { addresses: [], up: true } }, routes: [] },
    },
    links: [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }],
  });
  assert.ok(Object.is(t.nodes.vnet0.position?.y, 0), '-0 becomes 0');
});

test('a link end that no node lists is declared with defaults', () => {
  const t = ok(parseTopologyObject({ name: 'lab', nodes: { a: {}, b: {} }, links: [{ endpoints: ['a:veth0', 'b:veth0'] }] }));
  assert.deepEqual(t.nodes.a.interfaces, { lo: { addresses: [], up: true }, veth0: { addresses: [], up: true } });
  assert.deepEqual(t.nodes.b.interfaces, { lo: { addresses: [], up: true }, veth0: { addresses: [], up: true } });
});

test('names that are properties of every object are plain names', () => {
  const raw = pair();
  (raw.links as unknown[]).push({ endpoints: ['vnet0:constructor', 'vnet1:toString'] });
  const t = ok(parseTopologyObject(raw));
  assert.deepEqual(t.nodes.vnet0.interfaces.constructor, { addresses: [], up: true });
  const bad = pair();
  (bad.nodes as Record<string, { routes?: unknown }>).vnet0.routes = [{ to: '10.9.0.0/16', dev: 'constructor' }];
  (bad.links as unknown[]).push({ endpoints: ['constructor:veth9', 'vnet1:veth9'] });
  assert.match(errorAt(parseTopologyObject(bad), 'nodes.vnet0.routes[0].dev').message, /"constructor" is not an interface/);
  assert.match(errorAt(parseTopologyObject(bad), 'links[1].endpoints[0]').message, /"constructor:veth9"/);
});

test('lo needs no link in a namespace and may carry addresses', () => {
  const raw = pair();
  (raw.nodes as Record<string, { interfaces: Record<string, unknown> }>).vnet0.interfaces.lo = { addresses: ['10.255.0.1/32'] };
  assert.deepEqual(ok(parseTopologyObject(raw)).nodes.vnet0.interfaces.lo, { addresses: ['10.255.0.1/32'], up: true });
});

test('the same address may sit on two nodes but not twice on one', () => {
  const raw = pair();
  (raw.nodes as Record<string, { interfaces: Record<string, { addresses: string[] }> }>).vnet1.interfaces.veth1.addresses = ['10.0.1.1/24'];
  ok(parseTopologyObject(raw));
  const twice = pair();
  (twice.nodes as Record<string, { interfaces: Record<string, { addresses: string[] }> }>).vnet0.interfaces.veth0.addresses = ['10.0.1.1/24', '10.0.1.1/16'];
  const e = errorAt(parseTopologyObject(twice), 'nodes.vnet0.interfaces.veth0.addresses[1]');
  assert.match(e.message, /"10\.0\.1\.1\/16" is already on veth0/);
});

test('a bad endpoint is reported alone, not also as interfaces left without a link', () => {
  const raw = pair();
  (raw.links as { endpoints: string[] }[])[0].endpoints[1] = 'vnet1';
  const errors = errorsOf(parseTopologyObject(raw));
  assert.deepEqual(errors.map((e) => e.path), ['links[0].endpoints[1]']);
  assert.match(errors[0].message, /"vnet1" must be written node:interface/);
});

test('validateTopology checks and normalizes a topology built in code, dropping observed fields', () => {
  const t: Topology = {
    name: 'lab',
    nodes: {
      host: {
        kind: 'host',
        interfaces: { veth0: { addresses: ['192.168.1.1/24'], up: true, kind: 'veth', mac: '02:00:00:00:00:01', state: 'UP' } },
        routes: [{ to: '192.168.1.0/24', dev: 'veth0' }],
      },
      ns: {
        kind: 'netns',
        interfaces: { veth1: { addresses: ['FD00::2/64', '192.168.1.2/24'], up: true, stats: { rxPackets: 1, txPackets: 1, rxBytes: 1, txBytes: 1 } } },
        routes: [{ to: 'default', via: '192.168.1.1' }],
      },
    },
    links: [{ endpoints: [{ node: 'host', iface: 'veth0' }, { node: 'ns', iface: 'veth1' }] }],
    dangling: [{ endpoint: { node: 'ns', iface: 'veth9' }, peer: 'unknown' }],
  };
  const out = ok(validateTopology(t));
  assert.equal(out.dangling, undefined);
  assert.deepEqual(out.nodes.host.interfaces.veth0, { addresses: ['192.168.1.1/24'], up: true });
  assert.deepEqual(out.nodes.ns.interfaces.veth1, { addresses: ['192.168.1.2/24', 'fd00::2/64'], up: true });
  assert.equal(t.nodes.ns.interfaces.veth1.addresses[0], 'FD00::2/64', 'the input is not modified');

  const bad = structuredClone(t);
  bad.nodes.ns.position = { x: Number.NaN, y: 0 };
  bad.nodes.ns.interfaces.veth1.addresses.push('10.0.1.300/24');
  bad.nodes.ns.kind = 'vm' as 'netns';
  assert.deepEqual(errorsOf(validateTopology(bad)).map((e) => e.path).sort(), [
    'nodes.ns.interfaces.veth1.addresses[2]',
    'nodes.ns.kind',
    'nodes.ns.position.x',
  ]);
});

test('limits', () => {
  const nodes = Object.fromEntries(Array.from({ length: MAX_NODES + 1 }, (_, i) => [`n${i}`, {}]));
  assert.match(errorAt(parseTopologyObject({ name: 'big', nodes }), 'nodes').message, new RegExp(`${MAX_NODES + 1} nodes`));

  const links = Array.from({ length: MAX_LINKS + 1 }, (_, i) => ({ endpoints: [`a:x${i}`, `b:x${i}`] }));
  assert.match(errorAt(parseTopologyObject({ name: 'big', nodes: { a: {}, b: {} }, links }), 'links').message, new RegExp(`${MAX_LINKS + 1} links`));

  const many = pair();
  const addresses = Array.from({ length: MAX_ADDRESSES_PER_INTERFACE + 1 }, (_, i) => `10.1.${i}.1/24`);
  (many.nodes as Record<string, { interfaces: Record<string, { addresses: string[] }> }>).vnet0.interfaces.veth0.addresses = addresses;
  assert.match(errorAt(parseTopologyObject(many), 'nodes.vnet0.interfaces.veth0.addresses').message, new RegExp(`${MAX_ADDRESSES_PER_INTERFACE + 1} addresses`));

  const routes = Array.from({ length: MAX_ROUTES_PER_NODE + 1 }, (_, i) => ({ to: `10.${i >> 8}.${i & 255}.0/24`, dev: 'veth0' }));
  const routed = pair();
  (routed.nodes as Record<string, { routes?: unknown }>).vnet0.routes = routes;
  assert.match(errorAt(parseTopologyObject(routed), 'nodes.vnet0.routes').message, new RegExp(`${MAX_ROUTES_PER_NODE + 1} routes`));

  const atLimit = pair();
  (atLimit.nodes as Record<string, { routes?: unknown }>).vnet0.routes = routes.slice(0, MAX_ROUTES_PER_NODE);
  assert.equal(ok(parseTopologyObject(atLimit)).nodes.vnet0.routes.length, MAX_ROUTES_PER_NODE);
});

test('every problem is reported, one line each', () => {
  const raw = pair();
  const nodes = raw.nodes as Record<string, Record<string, unknown>>;
  nodes['bad;name'] = {};
  nodes.vnet0.interfaces = { veth0: { addresses: ['10.0.1.1'] }, veth7: {} };
  nodes.vnet1.routes = [{ to: '10.0.9.1/24', via: '10.0.1.1' }];
  const errors = errorsOf(parseTopologyObject(raw));
  assert.deepEqual(errors.map((e) => e.path).sort(), [
    'nodes',
    'nodes.vnet0.interfaces.veth0.addresses[0]',
    'nodes.vnet0.interfaces.veth7',
    'nodes.vnet1.routes[0].to',
  ]);
  const lines = formatErrors(errors).split('\n');
  assert.equal(lines.length, errors.length);
  assert.ok(lines.includes('nodes.vnet0.interfaces.veth7: interface "veth7" is in no link; add a link or remove it'), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('nodes.vnet1.routes[0].to: to "10.0.9.1/24" has host bits set; did you mean 10.0.9.0/24?')));
});

test('odd keys are quoted in paths', () => {
  const e = errorAt(parseTopologyObject({ name: 'lab', nodes: { 'a b': {} } }), 'nodes');
  assert.equal(e.value, 'a b');
  const deeper = errorsOf(parseTopologyObject({ name: 'lab', nodes: { 'a b': { kind: 'vm' } } }));
  assert.ok(deeper.some((d) => d.path === 'nodes["a b"].kind'), formatErrors(deeper));
});

test('input that is not a map', () => {
  for (const raw of [null, 42, 'name: x', []]) {
    const errors = errorsOf(parseTopologyObject(raw));
    assert.equal(errors[0].path, '');
    assert.match(errors[0].message, raw === null ? /the file is empty/ : /must be a map/);
  }
});

test('mtu: 68 to 65535 whole bytes, named with its value when not; kept through a round trip', () => {
  for (const mtu of [67, 65536, 1400.5, -1]) {
    const bad = pair();
    (bad.nodes as Record<string, { interfaces: Record<string, Record<string, unknown>> }>).vnet0.interfaces.veth0.mtu = mtu;
    const e = errorAt(parseTopologyObject(bad), 'nodes.vnet0.interfaces.veth0.mtu');
    assert.match(e.message, new RegExp(`mtu ${String(mtu).replace('.', '\\.')} must be a whole number of bytes from 68 to 65535`));
  }
  const good = pair();
  (good.nodes as Record<string, { interfaces: Record<string, Record<string, unknown>> }>).vnet0.interfaces.veth0.mtu = 1400;
  assert.equal(ok(parseTopologyObject(good)).nodes.vnet0.interfaces.veth0.mtu, 1400);
});
