import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatNetwork,
  formatPrefix,
  hasHostBits,
  normalizeRouteTarget,
  parseAddress,
  parseIPv4,
  parseIPv6,
  parsePrefix,
  prefixesOverlap,
} from '../../server/model/prefix';

function prefix(text: string) {
  const p = parsePrefix(text);
  assert.ok(p, text);
  return p;
}

test('IPv4 addresses: strict dotted quads', () => {
  assert.equal(parseIPv4('10.0.1.1'), 0x0a000101n);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffffn);
  for (const bad of ['10.0.1.300', '10.0.1', '10.0.1.1.1', '010.0.0.1', '1e1.0.0.1', ' 10.0.0.1', '10.0.0.-1', '']) {
    assert.equal(parseIPv4(bad), null, bad);
  }
});

test('IPv6 addresses come out in RFC 5952 form, as iproute2 prints them', () => {
  const cases: [string, string][] = [
    ['FD00:0:0::1', 'fd00::1'],
    ['fd00:0000:0000:0000:0000:0000:0000:0001', 'fd00::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:1:1:1:0:1', '2001:db8:1:1:1:1:0:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
  ];
  for (const [input, canonical] of cases) assert.equal(parseIPv6(input)?.canonical, canonical, input);
  for (const bad of [':::', '1:::2', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'fd00::g', '::ffff:1.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6:7:8::']) {
    assert.equal(parseIPv6(bad), null, bad);
  }
});

test('parseAddress tells the family', () => {
  assert.equal(parseAddress('10.0.1.1')?.family, 4);
  assert.equal(parseAddress('FD00::1')?.canonical, 'fd00::1');
  assert.equal(parseAddress('10.0.1.1/24'), null);
});

test('prefixes need a length in range, without leading zeros', () => {
  assert.equal(formatPrefix(prefix('10.0.1.1/24')), '10.0.1.1/24');
  assert.equal(formatPrefix(prefix('FD00:0:0::1/64')), 'fd00::1/64');
  assert.equal(prefix('0.0.0.0/0').length, 0);
  for (const bad of ['10.0.1.1', '10.0.1.300/24', '10.0.1.1/33', 'fd00::1/129', '10.0.1.1/024', '10.0.1.1/', '10.0.1.1/-1', '10.0.1.1/2 4', '/24', '10.0.1.1/24/8']) {
    assert.equal(parsePrefix(bad), null, bad);
  }
});

test('host bits and networks', () => {
  assert.equal(hasHostBits(prefix('10.0.1.1/24')), true);
  assert.equal(hasHostBits(prefix('10.0.1.0/24')), false);
  assert.equal(hasHostBits(prefix('0.0.0.0/0')), false);
  assert.equal(formatNetwork(prefix('10.0.1.77/24')), '10.0.1.0/24');
  assert.equal(formatNetwork(prefix('fd00::1/64')), 'fd00::/64');
});

test('overlap: one network contains the other, same family only', () => {
  assert.equal(prefixesOverlap(prefix('10.0.0.0/8'), prefix('10.0.1.0/24')), true);
  assert.equal(prefixesOverlap(prefix('10.0.1.0/24'), prefix('10.0.2.0/24')), false);
  assert.equal(prefixesOverlap(prefix('0.0.0.0/0'), prefix('192.168.1.1/32')), true);
  assert.equal(prefixesOverlap(prefix('::/0'), prefix('10.0.0.0/8')), false);
});

test('route targets: default, ::/0 or a network without host bits', () => {
  assert.deepEqual(normalizeRouteTarget('default'), { value: 'default', family: 4 });
  assert.deepEqual(normalizeRouteTarget('0.0.0.0/0'), { value: 'default', family: 4 });
  assert.deepEqual(normalizeRouteTarget('::/0'), { value: '::/0', family: 6 });
  assert.deepEqual(normalizeRouteTarget('0:0::/0'), { value: '::/0', family: 6 });
  assert.deepEqual(normalizeRouteTarget('FD00:0::/64'), { value: 'fd00::/64', family: 6 });
  assert.deepEqual(normalizeRouteTarget('10.0.2.0/24'), { value: '10.0.2.0/24', family: 4 });
  const hostBits = normalizeRouteTarget('10.0.2.1/24');
  assert.ok('error' in hostBits && hostBits.error.includes('10.0.2.0/24'));
  assert.ok('error' in normalizeRouteTarget('10.0.2.0'));
  assert.ok('error' in normalizeRouteTarget('anywhere'));
});

test('a prefix parsed again is the same frozen object, and a bad one stays bad', () => {
  const a = parsePrefix('10.9.8.7/24');
  assert.equal(parsePrefix('10.9.8.7/24'), a);
  assert.ok(Object.isFrozen(a));
  assert.throws(() => {
    (a as { length: number }).length = 8;
  }, TypeError);
  assert.equal(parsePrefix('10.9.8.7/24')?.length, 24);
  assert.equal(parsePrefix('10.9.8.7/33'), null);
  assert.equal(parsePrefix('10.9.8.7/33'), null);
  // Past the bound the cache starts again, and answers stay right.
  for (let i = 0; i < 5000; i++) parsePrefix(`10.${i >> 8}.${i & 255}.1/24`);
  assert.deepEqual(parsePrefix('10.9.8.7/24'), a);
});
