/**
 * The runner on the real kernel: a wave of namespace batches runs through
 * nested `ip -batch` processes, and a failure in the middle is reported at
 * the right command, with what ran before it and nothing after it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupSteps, runSteps, SPLIT_NETNS_ADDS, waves } from '../../server/kernel/runner';
import type { Step } from '../../server/model/step';
import { ipJson, namespaceNames, removeAll, tag } from '../support/kernel';

const t = tag();
const names = Array.from({ length: 6 }, (_, i) => `vlrun${t}${i}`);
const many = Array.from({ length: 12 }, (_, i) => `vlrum${t}${String(i).padStart(2, '0')}`);
after(() => removeAll([...names, ...many]));

const step = (netns: string | undefined, args: string, program?: Step['program']): Step => ({ netns, args: args.split(' '), reason: 'test', ...(program ? { program } : {}) });

test('waves: namespaces of one phase run together; the root and a namespace seen twice start a new wave', () => {
  const steps = [step(undefined, 'netns add a'), step('a', 'link set lo up'), step('b', 'link set lo up'), step('b', '-w net.ipv4.ip_forward=1', 'sysctl'), step('c', 'link set lo up')];
  assert.deepEqual(waves(groupSteps(steps)).map((w) => w.map((g) => g[0].netns ?? 'root')), [['root'], ['a', 'b'], ['b', 'c']]);
});

test('a wave of six namespaces runs through nested batches; a failure is reported at its command', async () => {
  const progress: [number, number][] = [];
  const onProgress = (done: number, total: number) => progress.push([done, total]);
  const make = await runSteps(names.map((n) => step(undefined, `netns add ${n}`)), { onProgress });
  assert.ok(make.ok, JSON.stringify(make.failure));
  assert.deepEqual(progress, [], 'one batch in the root: no progress to show');
  const plan = names.flatMap((n, i) => [step(n, 'link set lo up'), step(n, `addr add 10.77.${i}.1/32 dev lo`), step(n, '-w net.ipv4.ip_forward=1', 'sysctl')]);
  const ok = await runSteps(plan, { onProgress });
  assert.ok(ok.ok, JSON.stringify(ok.failure));
  // Several waves: progress from 0, after each wave, up to all of them.
  assert.deepEqual(progress[0], [0, plan.length]);
  assert.deepEqual(progress.at(-1), [plan.length, plan.length]);
  assert.equal(progress.length, waves(groupSteps(plan)).length + 1);
  for (const [i, n] of names.entries()) {
    const [lo] = ipJson<{ flags: string[]; addr_info: { local: string }[] }[]>('-n', n, 'addr', 'show', 'lo');
    assert.ok(lo.flags.includes('UP'), `${n}: lo up`);
    assert.ok(lo.addr_info.some((a) => a.local === `10.77.${i}.1`), `${n}: its address`);
  }
  // The second namespace's second command fails: the address is there already.
  const again = [step(names[0], 'link set lo down'), step(names[1], 'link set lo down'), step(names[1], `addr add 10.77.1.1/32 dev lo`), step(names[1], 'link set lo up'), step(names[2], 'link set lo down')];
  const r = await runSteps(again);
  assert.equal(r.ok, false);
  assert.equal(r.failure?.command, `ip -n ${names[1]} addr add 10.77.1.1/32 dev lo`);
  assert.match(r.failure!.message, /Address already assigned/);
  assert.doesNotMatch(r.failure!.message, /Command failed/);
  assert.deepEqual(r.outcomes.map((o) => o.status), ['ok', 'ok', 'error', 'not-run', 'ok']);
});

test('many namespaces at the head of a root batch are made by two processes; a failure among them stops what follows', async () => {
  assert.ok(many.length - 1 >= SPLIT_NETNS_ADDS, 'enough to be split');
  // One of them exists already: its `netns add` fails.
  const taken = many[5];
  const pre = await runSteps([step(undefined, `netns add ${taken}`)]);
  assert.ok(pre.ok, JSON.stringify(pre.failure));
  const tail = step(undefined, `link add vlrum${t}a netns ${many[0]} type veth peer name vlrum${t}b netns ${many[1]}`);
  const r = await runSteps([...many.map((n) => step(undefined, `netns add ${n}`)), tail]);
  assert.equal(r.ok, false);
  assert.equal(r.failure?.command, `ip netns add ${taken}`);
  assert.match(r.failure!.message, /exists/);
  // The first alone; then 1-6 and 7-11 at once: the first process stops at 5, the second runs to its end.
  assert.deepEqual(r.outcomes.map((o) => o.status), ['ok', 'ok', 'ok', 'ok', 'ok', 'error', 'not-run', 'ok', 'ok', 'ok', 'ok', 'ok', 'not-run']);
  const made = new Set(namespaceNames());
  assert.deepEqual(many.filter((n) => made.has(n)), many.filter((_, i) => i !== 6), 'what ran is there, the one not run is not');
  assert.equal(ipJson<unknown[]>('-n', many[0], 'link', 'show').length, 1, 'the veth pair after them was not made');
  // From scratch: every namespace made, then the pair between two of them.
  removeAll(many);
  const ok = await runSteps([...many.map((n) => step(undefined, `netns add ${n}`)), tail]);
  assert.ok(ok.ok, JSON.stringify(ok.failure));
  assert.ok(many.every((n) => new Set(namespaceNames()).has(n)));
  const [veth] = ipJson<{ ifname: string }[]>('-n', many[0], 'link', 'show', `vlrum${t}a`);
  assert.equal(veth.ifname, `vlrum${t}a`);
});
