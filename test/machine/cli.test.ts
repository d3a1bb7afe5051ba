/**
 * The CLI's lab commands on the real kernel: labs create/list/delete, exec
 * passing stdin, stdout, stderr and the exit code through, --lab, and bad
 * arguments refused with exit 2 before anything changes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, vethlab } from '../support/kernel';
import { realMachine } from './machine-fixture';
import { LabRegistry } from '../../server/engine/lab-registry';

let dataDir: string;
let realBefore: string;
const cli = (args: string[], input?: string) => vethlab(args, dataDir, { realHost: false, input });

before(async () => {
  realBefore = realMachine();
  dataDir = await mkdtemp(path.join(tmpdir(), 'vlm-cli-'));
});

after(async () => {
  // Every lab of the data directory goes, machine and all, before the directory: a machine without its record would be left running.
  const registry = new LabRegistry({ dataDir });
  for (const name of registry.names()) await registry.delete(name);
  await rm(dataDir, { recursive: true, force: true });
  assert.equal(realMachine(), realBefore);
});

test('labs create prints each lab\'s edit and view links; labs lists them; apply --lab works in each', async () => {
  const created = await cli(['labs', 'create', 'alpha', 'beta', '--topology', path.join(REPO, 'public/topologies/two-namespaces.yml'), '--port', '3100']);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^alpha\n {2}edit: http:\/\/127\.0\.0\.1:3100\/lab\/alpha\?token=[0-9a-f]{48}\n {2}view: http:\/\/127\.0\.0\.1:3100\/lab\/alpha\?token=[0-9a-f]{48}/m);
  assert.match(created.stdout, /^beta\n/m);
  const list = await cli(['labs', '--port', '3100']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^alpha\s+running\s+2\s+0\s+http:\/\/127\.0\.0\.1:3100\/lab\/alpha\?token=/m);
  assert.match(list.stdout, /^beta\s+running\s+2\s+0\s/m);
  for (const lab of ['alpha', 'beta']) {
    const ping = await cli(['exec', '--lab', lab, 'vnet1', '--', 'ping', '-c', '1', '-W', '1', '10.0.1.0']);
    assert.equal(ping.code, 0, `${lab}: ${ping.stderr}`);
    assert.match(ping.stdout, /1 received/);
  }
});

test('exec passes stdin, stdout, stderr and the exit code through', async () => {
  const r = await cli(['exec', '--lab', 'alpha', 'host', '--', 'sh', '-c', 'read line; echo "out:$line"; echo err >&2; exit 7'], 'hello\n');
  assert.equal(r.code, 7);
  assert.equal(r.stdout, 'out:hello\n');
  assert.equal(r.stderr, 'err\n');
  const inNs = await cli(['exec', '--lab', 'alpha', 'vnet0', '--', 'ip', '-o', 'link', 'show', 'veth0']);
  assert.equal(inNs.code, 0, inNs.stderr);
  const missing = await cli(['exec', '--lab', 'alpha', 'nosuchnode', '--', 'true']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /NODE: lab "alpha" has no node "nosuchnode"/);
});

test('labs delete ends the machine and forgets the lab', async () => {
  const r = await cli(['labs', 'delete', 'beta']);
  assert.equal(r.code, 0, r.stderr);
  const list = await cli(['labs']);
  assert.doesNotMatch(list.stdout, /^beta/m);
  const again = await cli(['labs', 'delete', 'beta']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /there is no lab "beta"/);
});

test('bad lab arguments are refused with exit 2, naming the argument, and change nothing', async () => {
  const file = path.join(dataDir, 'two.yml');
  await writeFile(file, 'name: x\n');
  const cases: [string[], RegExp][] = [
    [['apply', file, '--lab', '../etc'], /--lab: lab name "\.\.\/etc"/],
    [['apply', file, '--lab', 'Capital'], /--lab: lab name "Capital"/],
    [['status', '--lab', 'a'.repeat(40)], /--lab: lab name/],
    [['labs', 'create', 'bad name'], /NAME: lab name "bad name"/],
    [['labs', 'create'], /labs create needs at least one lab NAME/],
    [['labs', '--port', '99999'], /--port: "99999"/],
    [['exec', 'host'], /exec needs NODE -- COMMAND/],
    [['exec', 'host', '--'], /exec needs a COMMAND after --/],
    [['exec', 'a;b', '--', 'true'], /NODE: node name "a;b"/],
    [['status', '--lab', 'typo'], /--lab: there is no lab "typo"/],
    [['destroy', '--lab', 'typo'], /--lab: there is no lab "typo"/],
  ];
  const before = realMachine();
  for (const [args, expect] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stderr, expect, args.join(' '));
  }
  const labs = await cli(['labs']);
  assert.doesNotMatch(labs.stdout, /etc|Capital|bad name|typo/);
  assert.equal(realMachine(), before);
});
