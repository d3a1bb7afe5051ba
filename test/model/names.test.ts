import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_IFNAME_BYTES, byCodeUnits, interfaceNameProblem, netnsNameProblem } from '../../server/model/names';

test('interface names the kernel and a shell take as they are', () => {
  for (const name of ['veth0', 'lo', 'eth0.100', 'br-lan', 'wg_0', 'a@b', 'x+y=z', 'a'.repeat(MAX_IFNAME_BYTES)]) {
    assert.equal(interfaceNameProblem(name), null, name);
  }
});

test('interface names that are refused, and why', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['a'.repeat(16), /16 bytes long; the kernel allows at most 15/],
    ['vethé0123456789', /bytes long/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['-veth', /start with "-"/],
    ['%d', /"%"/],
    ['veth%d', /"%"/],
    ['a/b', /"\/"/],
    ['a:b', /":"/],
    ['a b', /whitespace/],
    ['veth0;rm', /only letters/],
    ['$(x)', /only letters/],
    ['`id`', /only letters/],
    ['a|b', /only letters/],
    ['__proto__', /__proto__/],
  ];
  for (const [name, why] of cases) {
    const problem = interfaceNameProblem(name);
    assert.ok(problem, `${JSON.stringify(name)} should be refused`);
    assert.match(problem, why, name);
  }
});

test('namespace names', () => {
  for (const name of ['vnet0', 'custom_namespace', 'a.b-c', '0', 'x'.repeat(64)]) assert.equal(netnsNameProblem(name), null, name);
  for (const name of ['', '.', '..', '../x', '-x', '_x', 'a;rm -rf', '$(x)', '`x`', 'a b', 'a/b', '__proto__', 'x'.repeat(65), 'é']) {
    assert.ok(netnsNameProblem(name), `${JSON.stringify(name)} should be refused`);
  }
});

test('names sort by code units, the same whatever the machine\'s language', () => {
  assert.deepEqual(['vnet_b', 'vnet-b', 'Vnet', 'vnet10', 'vnet2', 'vnet.b'].sort(byCodeUnits), ['Vnet', 'vnet-b', 'vnet.b', 'vnet10', 'vnet2', 'vnet_b']);
  assert.equal(byCodeUnits('a', 'a'), 0);
});
