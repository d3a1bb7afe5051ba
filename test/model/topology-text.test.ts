/** A topology text before yaml: the size check, and plain files read without it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TOPOLOGY_BYTES, parsePlainTopology } from '../../server/model/topology-text';
import { parseTopologyYaml } from '../../server/model/topology-file';

const PLAIN = 'name: two\nnodes:\n  a: {interfaces: {veth0: {addresses: [10.0.0.1/24]}}}\n  b: {interfaces: {veth0: {addresses: [10.0.0.2/24]}}}\nlinks:\n  - endpoints: [a:veth0, b:veth0]\n';

test('a plain file is read and checked here, as the whole reading would', () => {
  const r = parsePlainTopology(PLAIN, 'two.yml');
  assert.ok(r?.ok, JSON.stringify(r));
  assert.deepEqual(r, parseTopologyYaml(PLAIN, 'two.yml'));
  const bad = parsePlainTopology(PLAIN.replace('10.0.0.2/24', '10.0.0.300/24'), 'two.yml');
  assert.equal(bad?.ok, false, 'a plain file that fails the schema is answered here too');
});

test('a file that needs yaml is left to it; one too big is refused before any parsing', () => {
  assert.equal(parsePlainTopology('a: &x 1\nb: *x\n', 'alias.yml'), undefined);
  assert.equal(parsePlainTopology('name: [broken\n', 'broken.yml'), undefined);
  const big = parsePlainTopology(`# ${'x'.repeat(MAX_TOPOLOGY_BYTES)}\n`, 'big.yml');
  assert.equal(big?.ok, false);
  assert.match(JSON.stringify(big), /big\.yml is at least \d+ bytes; at most 524288 are accepted/);
});
