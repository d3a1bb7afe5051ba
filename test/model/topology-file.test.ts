import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_TOPOLOGY_BYTES } from '../../server/protocol';
import { formatErrors, type Result } from '../../server/model/schema';
import { parseTopologyYaml, stringifyTopology } from '../../server/model/topology-file';
import type { Topology } from '../../server/model/topology';

const TOPOLOGIES = fileURLToPath(new URL('../../public/topologies/', import.meta.url));

function ok(result: Result): Topology {
  if (!result.ok) assert.fail(`expected a valid topology, got:\n${formatErrors(result.errors)}`);
  return result.topology;
}

/** Two namespaces cabled together; `extra` is spliced into vnet0, `links` replaces the links. */
function lab({ vnet0 = '', nodes = '', links = '  - endpoints: [vnet0:veth0, vnet1:veth1]\n' } = {}): string {
  return `name: lab
nodes:
  vnet0:
    interfaces:
      veth0: {addresses: [10.0.1.1/24]}
${vnet0}  vnet1:
    interfaces:
      veth1: {addresses: [10.0.1.2/24]}
${nodes}links:
${links}`;
}

const hostLab = (routes: string) => `name: lab
nodes:
  host:
    kind: host
    interfaces:
      veth0: {addresses: [192.168.1.1/24]}
    routes:
${routes}  ns:
    interfaces:
      veth1: {addresses: [192.168.1.2/24]}
links:
  - endpoints: [host:veth0, ns:veth1]
`;

const ifaceName = (name: string) => lab({ vnet0: `      ${JSON.stringify(name)}: {}\n` });
const nodeName = (name: string) => lab({ nodes: `  ${JSON.stringify(name)}: {}\n` });
const address = (a: string) => lab({ vnet0: `      veth9: {addresses: [${JSON.stringify(a)}]}\n`, links: '  - endpoints: [vnet0:veth0, vnet1:veth1]\n  - endpoints: [vnet0:veth9, vnet1:veth9]\n' });
const route = (r: string) => lab({ vnet0: `    routes:\n      - ${r}\n` });

function aliasBomb(): string {
  const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
    const prev = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `name: bomb\n${levels.join('\n')}\n`;
}

/** [what, file, path of the error, text its message must quote] */
const BAD_FILES: [string, string, string, string][] = [
  ['shell metacharacters in a node name', nodeName('a;rm -rf'), 'nodes', 'a;rm -rf'],
  ['command substitution in a node name', nodeName('$(x)'), 'nodes', '$(x)'],
  ['backticks in a node name', nodeName('`reboot`'), 'nodes', '`reboot`'],
  ['a path as a namespace name', nodeName('../x'), 'nodes', '../x'],
  ['a node name with a leading -', nodeName('-n'), 'nodes', '-n'],
  ['.. as a namespace name', nodeName('..'), 'nodes', '..'],
  ['shell metacharacters in an interface name', ifaceName('veth0;rm'), 'nodes.vnet0.interfaces', 'veth0;rm'],
  ['command substitution in an interface name', ifaceName('$(x)'), 'nodes.vnet0.interfaces', '$(x)'],
  ['backticks in an interface name', ifaceName('`id`'), 'nodes.vnet0.interfaces', '`id`'],
  ['a 16-byte interface name', ifaceName('abcdefghijklmnop'), 'nodes.vnet0.interfaces', 'abcdefghijklmnop'],
  ['a kernel name template', ifaceName('%d'), 'nodes.vnet0.interfaces', '%d'],
  ['an interface name with a leading -', ifaceName('-veth'), 'nodes.vnet0.interfaces', '-veth'],
  ['. as an interface name', ifaceName('.'), 'nodes.vnet0.interfaces', '"."'],
  ['.. as an interface name', ifaceName('..'), 'nodes.vnet0.interfaces', '".."'],
  ['__proto__ as an interface name', ifaceName('__proto__'), 'nodes.vnet0.interfaces', '__proto__'],
  ['an octet over 255', address('10.0.1.300/24'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '10.0.1.300/24'],
  ['an address without a length', address('10.0.1.1'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '10.0.1.1'],
  ['an IPv4 length over 32', address('10.0.1.1/33'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '10.0.1.1/33'],
  ['an IPv6 length over 128', address('fd00::1/129'), 'nodes.vnet0.interfaces.veth9.addresses[0]', 'fd00::1/129'],
  ['a length with a leading zero', address('10.0.1.1/024'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '10.0.1.1/024'],
  ['a loopback address', address('127.0.0.2/8'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '127.0.0.2/8'],
  ['the IPv6 loopback address', address('::1/128'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '::1/128'],
  ['a multicast address', address('224.0.0.5/24'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '224.0.0.5/24'],
  ['an IPv6 link-local address', address('fe80::1/64'), 'nodes.vnet0.interfaces.veth9.addresses[0]', 'fe80::1/64'],
  ['one address twice on a node', address('10.0.1.1/16'), 'nodes.vnet0.interfaces.veth9.addresses[0]', '10.0.1.1/16'],
  ['an interface in two links', lab({ links: '  - endpoints: [vnet0:veth0, vnet1:veth1]\n  - endpoints: [vnet0:veth0, vnet1:veth2]\n' }), 'links[1].endpoints[0]', 'vnet0:veth0'],
  ['a link to an unknown node', lab({ links: '  - endpoints: [vnet0:veth0, vnet1:veth1]\n  - endpoints: [vnet1:veth2, nowhere:veth9]\n' }), 'links[1].endpoints[1]', 'nowhere'],
  ['a link from an interface to itself', lab({ links: '  - endpoints: [vnet0:veth0, vnet1:veth1]\n  - endpoints: [vnet1:veth2, vnet1:veth2]\n' }), 'links[1].endpoints[1]', 'vnet1:veth2'],
  ['lo as a link end', lab({ links: '  - endpoints: [vnet0:veth0, vnet1:veth1]\n  - endpoints: [vnet0:lo, vnet1:veth2]\n' }), 'links[1].endpoints[0]', 'vnet0:lo'],
  ['an endpoint without a colon', lab({ links: '  - endpoints: [vnet0veth0, vnet1:veth1]\n' }), 'links[0].endpoints[0]', 'vnet0veth0'],
  ['a link with three ends', lab({ links: '  - endpoints: [vnet0:veth0, vnet1:veth1, vnet1:veth2]\n' }), 'links[0].endpoints', 'vnet1:veth2'],
  ['an interface in no link', lab({ vnet0: '      veth7: {}\n' }), 'nodes.vnet0.interfaces.veth7', 'veth7'],
  ['two host nodes', lab({ vnet0: '    kind: host\n', nodes: '  h2: {kind: host}\n' }), 'nodes.h2.kind', 'h2'],
  ['a host interface in no link', hostLab('      - {to: 10.9.0.0/16, via: 192.168.1.2}\n').replace('veth0: {', 'eth0: {}\n      veth0: {'), 'nodes.host.interfaces.eth0', 'eth0'],
  ['a host default route', hostLab('      - {to: default, via: 192.168.1.2}\n'), 'nodes.host.routes[0].to', 'default'],
  ['a host IPv6 default route', hostLab('      - {to: "::/0", dev: veth0}\n'), 'nodes.host.routes[0].to', '::/0'],
  ['a route target with host bits', route('{to: 10.0.2.1/24, via: 10.0.1.2}'), 'nodes.vnet0.routes[0].to', '10.0.2.1/24'],
  ['a gateway with a length', route('{to: 10.0.2.0/24, via: 10.0.1.2/24}'), 'nodes.vnet0.routes[0].via', '10.0.1.2/24'],
  ['an IPv4 gateway for an IPv6 target', route('{to: "::/0", via: 10.0.1.2}'), 'nodes.vnet0.routes[0].via', '10.0.1.2'],
  ['a route through a missing interface', route('{to: 10.0.2.0/24, dev: eth9}'), 'nodes.vnet0.routes[0].dev', 'eth9'],
  ['a route with neither via nor dev', route('{to: 10.0.2.0/24}'), 'nodes.vnet0.routes[0]', '10.0.2.0/24'],
  ['two routes to one destination', lab({ vnet0: '    routes:\n      - {to: default, via: 10.0.1.2}\n      - {to: 0.0.0.0/0, dev: veth0}\n' }), 'nodes.vnet0.routes[1].to', '0.0.0.0/0'],
  ['an unknown top-level key', lab().replace('links:', 'linsk: []\nlinks:'), 'linsk', 'linsk'],
  ['an unknown interface key', lab().replace('{addresses: [10.0.1.1/24]}', '{address: [10.0.1.1/24]}'), 'nodes.vnet0.interfaces.veth0.address', 'address'],
  ['a duplicate node', lab({ nodes: '  vnet0: {}\n' }), 'nodes', 'vnet0'],
  ['a duplicate interface', lab({ vnet0: '      veth0: {}\n' }), 'nodes.vnet0.interfaces', 'veth0'],
  ['up as a YAML 1.1 boolean', lab().replace('{addresses: [10.0.1.1/24]}', '{up: yes}'), 'nodes.vnet0.interfaces.veth0.up', 'yes'],
  ['addresses as a string', lab().replace('[10.0.1.1/24]', '10.0.1.1/24'), 'nodes.vnet0.interfaces.veth0.addresses', '10.0.1.1/24'],
  ['a position that is not a number', lab({ vnet0: '    position: {x: left, y: 1}\n' }), 'nodes.vnet0.position.x', 'left'],
  ['an infinite position', lab({ vnet0: '    position: {x: .inf, y: 1}\n' }), 'nodes.vnet0.position.x', 'Infinity'],
  ['a node kind that does not exist', lab({ vnet0: '    kind: vm\n' }), 'nodes.vnet0.kind', 'vm'],
  ['a lab name that is a number', lab().replace('name: lab', 'name: 42'), 'name', '42'],
  ['a lab name with a slash', lab().replace('name: lab', 'name: a/b'), 'name', 'a/b'],
  ['a YAML syntax error', lab().replace('veth0: {addresses: [10.0.1.1/24]}', 'veth0: {addresses: [10.0.1.1/24}'), 'nodes.vnet0.interfaces.veth0.addresses', 'lab.yml:5:38'],
  ['a tab for indentation', lab().replace('  vnet1:', '\tvnet1:'), '', 'lab.yml:6:1'],
  ['an alias before its anchor', lab().replace('[10.0.1.1/24]', '*later'), '', 'later'],
  ['__proto__ as a node name', nodeName('__proto__'), 'nodes', '__proto__'],
  ['an unknown tag', lab().replace('name: lab', 'name: !shell lab'), 'name', '!shell'],
  ['an empty file', '# nothing here\n', '', 'empty'],
  ['two documents in one file', `${lab()}---\nname: other\n`, '', '---'],
  ['a file over the size limit', `name: big\n#${'x'.repeat(MAX_TOPOLOGY_BYTES)}\n`, '', String(MAX_TOPOLOGY_BYTES + 12)],
  ['an alias bomb', aliasBomb(), 'b[0]', '*a'],
];

test(`a table of ${BAD_FILES.length} bad files`, async (t) => {
  assert.ok(BAD_FILES.length >= 25);
  for (const [what, text, path, quoted] of BAD_FILES) {
    await t.test(what, () => {
      const result = parseTopologyYaml(text, 'lab.yml');
      if (result.ok) assert.fail(`accepted:\n${text}`);
      const error = result.errors.find((e) => e.path === path);
      if (!error) assert.fail(`no error at "${path}"; errors:\n${formatErrors(result.errors)}`);
      assert.ok(error.message.includes(quoted), `message ${JSON.stringify(error.message)} should quote ${JSON.stringify(quoted)}`);
      assert.equal(formatErrors(result.errors).split('\n').length, result.errors.length, 'one line per error');
    });
  }
});

test('YAML errors say where they are', () => {
  const result = parseTopologyYaml('name: lab\nnodes:\n  vnet0: {kind: [netns}\n', 'broken.yml');
  assert.equal(result.ok, false);
  assert.ok(!result.ok && result.errors.every((e) => /^broken\.yml:\d+:\d+: /.test(e.message)), !result.ok ? formatErrors(result.errors) : '');
  assert.ok(!result.ok && result.errors[0].message.startsWith('broken.yml:3:'));
});

test('a few aliases are fine', () => {
  const text = lab().replace('{addresses: [10.0.1.1/24]}', '{addresses: [10.0.1.1/24], up: &off false}').replace('veth1: {addresses: [10.0.1.2/24]}', 'veth1: {addresses: [10.0.1.2/24], up: *off}');
  assert.equal(ok(parseTopologyYaml(text)).nodes.vnet1.interfaces.veth1.up, false);
});

test('the shipped tutorial: a namespace cabled to the host', () => {
  const t = ok(parseTopologyYaml(readFileSync(`${TOPOLOGIES}veth-host.yml`, 'utf8'), 'veth-host.yml'));
  assert.deepEqual(t, {
    name: 'veth-host',
    nodes: {
      host: {
        kind: 'host',
        position: { x: 80, y: 160 },
        interfaces: { veth0: { addresses: ['192.168.1.1/24'], up: true } },
        routes: [{ to: '192.168.1.0/24', dev: 'veth0' }],
      },
      custom_namespace: {
        kind: 'netns',
        position: { x: 420, y: 160 },
        interfaces: { lo: { addresses: [], up: true }, veth1: { addresses: ['192.168.1.2/24'], up: true } },
        routes: [{ to: 'default', via: '192.168.1.1' }],
      },
    },
    links: [{ endpoints: [{ node: 'host', iface: 'veth0' }, { node: 'custom_namespace', iface: 'veth1' }] }],
  });
});

test('the shipped tutorial: two namespaces cabled together', () => {
  const t = ok(parseTopologyYaml(readFileSync(`${TOPOLOGIES}two-namespaces.yml`, 'utf8'), 'two-namespaces.yml'));
  assert.deepEqual(t, {
    name: 'two-namespaces',
    nodes: {
      vnet0: {
        kind: 'netns',
        position: { x: 120, y: 160 },
        interfaces: { veth0: { addresses: ['10.0.1.0/24'], up: true }, lo: { addresses: [], up: true } },
        routes: [],
      },
      vnet1: {
        kind: 'netns',
        position: { x: 460, y: 160 },
        interfaces: { veth1: { addresses: ['10.0.1.1/24'], up: true }, lo: { addresses: [], up: true } },
        routes: [],
      },
    },
    links: [{ endpoints: [{ node: 'vnet0', iface: 'veth0' }, { node: 'vnet1', iface: 'veth1' }] }],
  });
});

test('the load menu lists every shipped file, and each one parses', () => {
  const index = JSON.parse(readFileSync(`${TOPOLOGIES}index.json`, 'utf8')) as { file: string; title: string; description: string }[];
  assert.deepEqual(index.map((e) => e.file).sort(), ['two-namespaces.yml', 'veth-host.yml']);
  for (const entry of index) {
    assert.ok(entry.title && entry.description, entry.file);
    ok(parseTopologyYaml(readFileSync(`${TOPOLOGIES}${entry.file}`, 'utf8'), entry.file));
  }
});

test('IPv6 is written the way iproute2 prints it', () => {
  const text = lab().replace('[10.0.1.1/24]', '[FD00:0:0::1/64, 10.0.1.1/24]').replace('[10.0.1.2/24]', '[fd00:0:0:0:0:0:0:2/64]') + '';
  const withRoute = text.replace('  vnet1:', '    routes:\n      - {to: "FD00:0:1::/64", via: "FD00::2"}\n  vnet1:');
  const t = ok(parseTopologyYaml(withRoute));
  assert.deepEqual(t.nodes.vnet0.interfaces.veth0.addresses, ['10.0.1.1/24', 'fd00::1/64']);
  assert.deepEqual(t.nodes.vnet1.interfaces.veth1.addresses, ['fd00::2/64']);
  assert.deepEqual(t.nodes.vnet0.routes, [{ to: 'fd00:0:1::/64', via: 'fd00::2' }]);
});

test('stringify writes the documented format, leaving out defaults and observed fields', () => {
  const t: Topology = {
    name: 'lab',
    nodes: {
      host: { kind: 'host', position: { x: 10.6, y: -0.2 }, interfaces: { veth0: { addresses: ['192.168.1.1/24'], up: true, mac: '02:00:00:00:00:01', state: 'UP', kind: 'veth' } }, routes: [] },
      ns: {
        kind: 'netns',
        interfaces: { veth1: { addresses: [], up: false, stats: { rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4 } } },
        routes: [{ to: 'default', via: '192.168.1.1' }],
      },
    },
    links: [{ endpoints: [{ node: 'host', iface: 'veth0' }, { node: 'ns', iface: 'veth1' }] }],
    dangling: [{ endpoint: { node: 'ns', iface: 'veth9' }, peer: 'unknown' }],
  };
  assert.equal(
    stringifyTopology(t),
    `name: lab
nodes:
  host:
    kind: host
    position: {x: 11, y: 0}
    interfaces:
      veth0: {addresses: [192.168.1.1/24]}
  ns:
    interfaces:
      veth1: {up: false}
    routes:
      - {to: default, via: 192.168.1.1}
links:
  - endpoints: [host:veth0, ns:veth1]
`,
  );
  assert.equal(stringifyTopology({ name: 'empty', nodes: {}, links: [] }), 'name: empty\n');
});

test('round trip: parse(stringify(t)) gives t back', () => {
  const files = [
    readFileSync(`${TOPOLOGIES}veth-host.yml`, 'utf8'),
    readFileSync(`${TOPOLOGIES}two-namespaces.yml`, 'utf8'),
    // Names and values YAML would read as numbers, booleans or null unless quoted.
    `name: "123"
nodes:
  "true":
    position: {x: -40, y: 1e3}
    interfaces:
      "1e3": {addresses: [10.0.0.1/8, "FD00::1/64", 2001:db8::1/48], up: false}
      lo: {addresses: [10.255.0.1/32]}
    routes:
      - {to: "::/0", via: "fd00::ff", dev: "1e3"}
      - {to: default, dev: "1e3"}
      - {to: 10.9.0.0/16, dev: lo}
  "null": {}
  "0x10":
    interfaces: {veth0: {}}
  host: {kind: host}
links:
  - endpoints: ["0x10:veth0", "host:veth.1"]
  - endpoints: ["true:1e3", "null:veth0"]
`,
  ];
  for (const text of files) {
    const first = ok(parseTopologyYaml(text));
    const written = stringifyTopology(first);
    assert.deepEqual(ok(parseTopologyYaml(written)), first, written);
    assert.equal(stringifyTopology(ok(parseTopologyYaml(written))), written, 'stringify is stable');
  }
});
