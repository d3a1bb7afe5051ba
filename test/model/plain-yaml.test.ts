/**
 * The quick reading of topology files: whatever it accepts reads exactly as
 * yaml reads it, and what it cannot promise that for goes to yaml.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readPlainYaml } from '../../server/model/plain-yaml';
import { parseTopologyYaml, stringifyTopology } from '../../server/model/topology-file';
import { linearTopology } from '../bench/linear-topology';

const TOPOLOGIES = path.join(import.meta.dirname, '../../public/topologies');

/** What yaml makes of it, as topology-file.ts reads it when the quick reading declines. */
const yamlValue = (text: string) => parse(text, { uniqueKeys: true });

function sameAsYaml(text: string, label = text): void {
  const quick = readPlainYaml(text);
  assert.ok(quick.ok, `${label}: the quick reading declined`);
  assert.deepEqual(quick.value, yamlValue(text), label);
}

test("the lab's own topology files, and a written linear-100, read as yaml reads them", () => {
  const files = readdirSync(TOPOLOGIES).filter((f) => f.endsWith('.yml'));
  assert.ok(files.length >= 2);
  for (const f of files) sameAsYaml(readFileSync(path.join(TOPOLOGIES, f), 'utf8'), f);
  sameAsYaml(stringifyTopology(linearTopology('p', 100).topology), 'linear-100');
});

test('a hand-written file: comments, quotes, block and flow styles, netem, routes, a switch', () => {
  const text = [
    '# two rooms and a switch',
    'name: "rooms"   # quoted',
    'nodes:',
    "  red: {interfaces: {veth0: {addresses: ['10.0.1.1/24', fd00::1/64], mtu: 1400}}, routes: [{to: default, via: 10.0.1.254}]}",
    '  blue:',
    '    kind: netns',
    '    forwarding: true',
    '    interfaces:',
    '      veth0:',
    '        addresses:',
    '          - 10.0.1.2/24',
    '        up: false',
    '  sw0: {kind: bridge}',
    'links:',
    '  - endpoints: [red:veth0, blue:veth0]',
    '    netem: [{delay: 100ms, loss: 1.5%}, null]',
    'notes: |',
    '  line one',
    '  line two',
    'folded: >-',
    '  a b',
    '  c',
    '',
  ].join('\n');
  sameAsYaml(text, 'hand-written');
});

test('plain scalars resolve as in the YAML 1.2 core schema, like yaml', () => {
  const scalars = ['1_000', '0b101', '0o17', '017', '0x1F', '-0x1F', '+0o7', '+12', '-0', '1e3', '1.5e-3', '.5', '+.5', '5.', '.inf', '-.Inf', '.NaN', '~', 'null', 'Null', 'NULL', '', 'true', 'True', 'TRUE', 'yes', 'no', 'on', 'off', 'y', 'n', '2001-12-14', '12:30', '1:20:30', '=', '0.', '1,000', '0X1f', '1E3', '-1.', '00', '09', '1e', '12345678901234567890', '10.0.1.1/24', 'fd00::1/64', '100ms', '1.5%'];
  for (const s of scalars) {
    const text = `k: ${s}\nlist: [${s === '' ? '~' : s}]\n`;
    const quick = readPlainYaml(text);
    assert.ok(quick.ok, s);
    const want = yamlValue(text) as { k: unknown; list: unknown[] };
    const got = quick.value as { k: unknown; list: unknown[] };
    // -0 and 0 are one number to a topology; deepEqual tells them apart.
    assert.ok(Object.is(got.k, want.k) || got.k === want.k, `${s}: ${String(got.k)} against yaml's ${String(want.k)}`);
    assert.deepEqual(got.list.map(String), want.list.map(String), s);
  }
});

test('what it cannot promise to read as yaml does goes to yaml', () => {
  const declined = {
    'an alias': 'a: &x {b: 1}\nc: *x\n',
    'a directive': '%YAML 1.1\n---\na: yes\n',
    'a null key': 'nodes:\n  null: {}\n',
    'a ~ key': 'nodes:\n  ~: {}\n',
    'a quoted "null" key (told from null only by yaml)': 'nodes:\n  "null": {}\n',
    'a duplicate key': 'a: 1\na: 2\n',
    'a complex key': '? [a, b]\n: c\n',
    'a tab for indentation': 'a:\n\t- 1\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    'an unknown tag': 'a: !foo 1\n',
    'empty text': '',
    'a syntax error': 'a: [1, 2\n',
  };
  for (const [what, text] of Object.entries(declined)) assert.equal(readPlainYaml(text).ok, false, what);
  // And through the whole reading, yaml's answer stands: errors with their line.
  const dup = parseTopologyYaml('name: x\nname: y\nnodes: {}\nlinks: []\n', 'dup.yml');
  assert.equal(dup.ok, false);
  assert.match(JSON.stringify(dup), /dup\.yml:2:1: duplicate key/);
});
