/** Lesson files: every shipped lesson reads; bad ones are refused naming the field and the value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { LESSONS_DIR, listLessons, loadLesson, lessonFromText } from '../../server/lessons/lesson-library';
import { formatLessonErrors } from '../../server/lessons/lesson-file';

const SHIPPED = ['impaired-cable', 'lan-switch', 'routing', 'troubleshooting', 'two-namespaces', 'veth-host'];

test('the six shipped lessons read, each step with checks, a show block and its commands', () => {
  assert.deepEqual(readdirSync(LESSONS_DIR).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort(), SHIPPED);
  assert.deepEqual(listLessons().map((l) => l.id), SHIPPED);
  for (const id of SHIPPED) {
    const r = loadLesson(id);
    assert.ok(r.ok, `${id}: ${r.ok ? '' : formatLessonErrors(r.errors)}`);
    for (const s of r.lesson.steps) {
      assert.ok(s.checks.length > 0 && s.commands.length > 0, `${id}: ${s.title}`);
      assert.ok(s.commands.every((c) => c.node === 'host'), `${id}: every command is typed in the host node's terminal`);
    }
  }
  const seed = loadLesson('two-namespaces');
  assert.ok(seed.ok);
  assert.equal(seed.lesson.steps[0].commands[0].text, 'ip link add veth0 type veth peer name veth1\nip link show veth0');
  assert.deepEqual(seed.lesson.steps[0].checks, [{ type: 'pair', pair: ['veth0', 'veth1'] }]);
  assert.match(seed.lesson.steps[0].hint ?? '', /peer name/);
  const host = loadLesson('veth-host');
  assert.ok(host.ok);
  assert.match(host.lesson.steps[1].commands[0].text, /^sudo ip link add veth1 type veth peer name veth0/, "the tutorial's own sudo");
});

const lesson = (body: string, front = 'title: T\ngoal: G') => `---\n${front}\n---\n${body}`;
const SHOW = '```show\nname: t\nnodes:\n  vnet0: {}\n```\n';

test('bad lesson files are refused with the field, the value and the line', () => {
  const cases: [string, string, RegExp][] = [
    ['no front matter', '## Step\n', /starts with front matter/],
    ['unknown front matter field', lesson('## S\n', 'title: T\ngoal: G\nlevel: 3'), /unknown field "level"/],
    ['no title', lesson('## S\n', 'goal: G'), /^title: /],
    ['no steps', lesson('Just text.\n'), /^steps: a lesson needs at least one step/],
    ['unknown check', lesson(`## S\n\`\`\`check\n- pong: {from: vnet0}\n\`\`\`\n${SHOW}`), /^steps\[0\]\.checks\[0\]\.pong: line 6: is an unknown check "pong"; the kinds are namespace, interface/],
    ['a node the lesson never makes', lesson(`## S\n\`\`\`check\n- namespace: vnet0\n- interface: vnet9:veth0\n\`\`\`\n${SHOW}`), /^steps\[0\]\.checks\[1\]\.interface: .*node "vnet9" is never made by this lesson/],
    ['a bad prefix', lesson(`## S\n\`\`\`check\n- interface: vnet0:veth0\n  address: 10.0.1.300/24\n\`\`\`\n${SHOW}`), /^steps\[0\]\.checks\[0\]\.address: .*"10\.0\.1\.300\/24" is not an address with a prefix length/],
    ['a bad address in a ping', lesson(`## S\n\`\`\`check\n- ping: {from: vnet0, to: 10.0.1}\n\`\`\`\n${SHOW}`), /^steps\[0\]\.checks\[0\]\.ping\.to: .*not an IPv4 or IPv6 address/],
    ['an unknown field of a check', lesson(`## S\n\`\`\`check\n- namespace: vnet0\n  color: red\n\`\`\`\n${SHOW}`), /unknown field "color" for a namespace check/],
    ['checks not a list', lesson(`## S\n\`\`\`check\nnamespace: vnet0\n\`\`\`\n${SHOW}`), /a check block is a YAML list/],
    ['a step without checks', lesson(`## S\nText.\n${SHOW}`), /^steps\[0\]\.checks: line 5: step "S" has no check block/],
    ['a step without show', lesson('## S\n```check\n- namespace: vnet0\n```\n'), /^steps\[0\]\.show: .*has no show block/],
    ['a bad show topology', lesson('## S\n```check\n- namespace: vnet0\n```\n```show\nname: t\nnodes:\n  vnet0: {interfaces: {veth0: {addresses: [10.0.1.1/33]}}}\n```\n'), /^steps\[0\]\.show\.nodes\.vnet0\.interfaces\.veth0\.addresses\[0\]: /],
    ['a command block for a bad node name', lesson(`## S\n\`\`\`sh a/b\nls\n\`\`\`\n\`\`\`check\n- namespace: vnet0\n\`\`\`\n${SHOW}`), /^steps\[0\]\.commands: .*the node after "sh"/],
    ['a missing start file', lesson('## S\n', 'title: T\ngoal: G\nstart: {file: nope.yml}'), /^start\.file: "nope\.yml" is not a file in public\/topologies/],
    ['a start file outside', lesson('## S\n', 'title: T\ngoal: G\nstart: {file: ../../etc/passwd}'), /^start\.file: .*a file name in public\/topologies/],
  ];
  for (const [what, text, error] of cases) {
    const r = lessonFromText('t', text);
    assert.equal(r.ok, false, `${what} was accepted`);
    if (!r.ok) assert.match(formatLessonErrors(r.errors), error, what);
  }
  assert.equal(lessonFromText('Bad Id', lesson('## S\n')).ok, false);
});
